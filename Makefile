# Cargoman: a self-hosted private Composer registry.
# `make run` serves on the embedded default; `make test` runs the tests.

GO       ?= go
BIN      := bin/cargoman
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS  := -s -w -X main.version=$(VERSION)
# PostgreSQL tests run when TEST_DATABASE_URL is set, e.g.
# TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test?sslmode=disable
TESTFLAGS ?= -race -count=1

.PHONY: build run test generate lint bench check-generate fuzz load

build:
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/cargoman

run: build
	./$(BIN) serve

test:
	$(GO) test $(TESTFLAGS) ./...

# Regenerates ent (and schema/ent.graphql through entgql), then gqlgen.
generate:
	$(GO) run ./ent/entc.go
	$(GO) tool gqlgen generate

# Fails when `make generate` would change committed files.
check-generate: generate
	@git diff --exit-code -- ent schema graph gqlgen.yml go.mod go.sum || \
		(echo "generated code is stale: run make generate and commit" >&2; exit 1)
	@test -z "$$(git status --porcelain -- ent schema graph)" || \
		(git status --porcelain -- ent schema graph; echo "make generate created untracked files" >&2; exit 1)

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); test -z "$$out" || (echo "gofmt needed:"; echo "$$out"; exit 1)
	$(GO) vet ./...

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

# Load benchmarks against nginx (needs Debian nginx wrk composer php-cli
# php-zip unzip); add TEST_DATABASE_URL to run them on PostgreSQL too.
load:
	CARGOMAN_LOAD=1 $(GO) test -count=1 -v -run . -timeout 20m ./internal/loadtest/

# Short fuzzing runs of the parsers that take outside input.
fuzz:
	$(GO) test -run '^$$' -fuzz FuzzSnakeKeys -fuzztime 30s ./rest/
	$(GO) test -run '^$$' -fuzz FuzzSnakeCamel -fuzztime 30s ./internal/casing/
	$(GO) test -run '^$$' -fuzz FuzzVerify -fuzztime 30s ./internal/jwtauth/
	$(GO) test -run '^$$' -fuzz FuzzParseNotifyBatch -fuzztime 30s ./internal/composer/
	$(GO) test -run '^$$' -fuzz FuzzUnmarshalString -fuzztime 30s ./graph/scalar/
	$(GO) test -run '^$$' -fuzz FuzzComposerJSON -fuzztime 30s ./internal/composerjson/
	$(GO) test -run '^$$' -fuzz FuzzParse -fuzztime 30s ./internal/repourl/
