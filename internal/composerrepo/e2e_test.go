package composerrepo_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/cargoman/cargoman/internal/testenv"
)

// The end-to-end tests drive the real Composer CLI against a running
// server: one server and fixture (setup) per backend, one customer per
// scenario so that scenarios run in parallel without seeing each other's
// suspensions and freezes. Yanking changes the package for every customer,
// so the yank scenario runs after the others. Scenarios (issue 4, §7):
// a "download token", b "yank", c "suspension", d "freeze", e "wrong
// token" (and "revoked token"), f "package scopes ...", g "customer JWT",
// and "statistics" (notify-batch after an install).
func TestComposerEndToEnd(t *testing.T) {
	bin := composerCLI(t)
	testenv.ForEach(t, func(t *testing.T, b testenv.Backend) {
		f := setup(t, b)
		// A second package, fed by an upload: acme/other 1.0.0.
		uploadZip(t, f.s, "acme/other", map[string]string{
			"other/composer.json": testenv.ComposerJSON("acme/other", `"version":"1.0.0"`),
			"other/src/Other.php": "<?php // other 1.0.0",
		})
		lib := map[string]string{"acme/lib": "^1.0"}

		t.Run("independent", func(t *testing.T) {
			// Installs by credential: a download token, a JWT as the Basic
			// password, and credentials that must be refused.
			scoped := newCustomer(t, f.s, map[string]string{"acme/lib": "^1.0", "acme/other": "*"})
			revoked := newCustomer(t, f.s, lib)
			revokedToken, revokedID := revoked.token(t, nil)
			do(t, f.s, http.MethodDelete, "/api/v1/customers/"+revoked.id+"/tokens/"+revokedID, nil, http.StatusNoContent)
			expiresAt := time.Now().Add(3 * time.Second)
			expiring := newCustomer(t, f.s, lib).plainToken(t, map[string]any{"expires_at": expiresAt.UTC().Format(time.RFC3339Nano)})
			// Composer prints a refusal's reason ("Warning from <url>: ...")
			// only when the answer carries one in a "warning" key.
			const notFound = "; check the package name and version, or ask the vendor for access to it"
			warning := "Warning from " + strings.TrimPrefix(f.s.URL, "http://") + ": "
			const badToken = `; check the token in auth.json (http-basic user "token", the token as password) or ask the vendor for a new one`
			cases := []struct {
				name     string
				password string
				require  string
				after    time.Time         // run once this time has passed
				locked   map[string]string // on success: composer.lock's versions
				files    map[string]string // on success: installed files (under vendor/) and a piece of their content
				output   []string          // on failure: pieces of Composer's output
			}{
				{
					name: "download token", password: newCustomer(t, f.s, lib).plainToken(t, nil), require: "acme/lib",
					locked: map[string]string{"acme/lib": "1.1.0"}, files: map[string]string{"acme/lib/src/Lib.php": "// 1.1.0"},
				},
				{
					name: "customer JWT", password: newCustomer(t, f.s, lib).jwt(t), require: "acme/lib",
					locked: map[string]string{"acme/lib": "1.1.0"}, files: map[string]string{"acme/lib/src/Lib.php": "// 1.1.0"},
				},
				{
					name: "package scopes reach the other package", password: scoped.plainToken(t, map[string]any{"package_scopes": []string{"acme/other"}}), require: "acme/other",
					locked: map[string]string{"acme/other": "1.0.0"}, files: map[string]string{"acme/other/src/Other.php": "// other 1.0.0"},
				},
				{
					name: "package scopes miss acme/lib", password: scoped.plainToken(t, map[string]any{"package_scopes": []string{"acme/other"}}), require: "acme/lib",
					output: []string{"Could not find a matching version of package acme/lib"},
				},
				{
					name: "wrong token", password: "cgm_tok_thisisnotatokenofthisserver", require: "acme/lib",
					output: []string{"/packages.json", "(HTTP 401)", warning, "the token is not valid" + badToken},
				},
				{
					name: "revoked token", password: revokedToken, require: "acme/lib",
					output: []string{"/packages.json", "(HTTP 401)", warning, "the token was revoked" + badToken},
				},
				{
					name: "expired token", password: expiring, require: "acme/lib", after: expiresAt,
					output: []string{"/packages.json", "(HTTP 401)", warning, "the token expired at ", badToken},
				},
			}
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					t.Parallel()
					time.Sleep(time.Until(c.after))
					p := newProject(t, bin, f.s.URL, c.password, nil)
					out, err := p.run(t, "require", c.require)
					if c.output != nil {
						p.wantFailure(t, out, err, c.output...)
						return
					}
					if err != nil {
						t.Fatalf("composer require %s: %v\n%s", c.require, err, out)
					}
					p.wantLocked(t, out, c.locked)
					p.wantFiles(t, out, c.files)
				})
			}

			t.Run("lock file beyond the grant", func(t *testing.T) {
				// A lock file from elsewhere names archives this customer may
				// not download: Composer never asks for metadata of packages
				// packages.json does not list, but it fetches locked dists,
				// and prints why each is refused.
				t.Parallel()
				p := newProject(t, bin, f.s.URL, newCustomer(t, f.s, lib).plainToken(t, nil), lib)
				p.mustRun(t, "update")
				for _, c := range []struct {
					name     string
					password string
					lock     func(string) string
					want     string
				}{
					{"missing grant", newCustomer(t, f.s, map[string]string{"acme/other": "*"}).plainToken(t, nil), nil, `package "acme/lib" not found`},
					{"unknown package", newCustomer(t, f.s, lib).plainToken(t, nil), func(lock string) string {
						return strings.ReplaceAll(lock, "/dists/acme/lib/", "/dists/acme/nope/")
					}, `package "acme/nope" not found`},
				} {
					t.Run(c.name, func(t *testing.T) {
						q := p.copy(t, true)
						q.write(t, "auth.json", map[string]any{"http-basic": map[string]any{strings.TrimPrefix(f.s.URL, "http://"): map[string]string{"username": "token", "password": c.password}}})
						if c.lock != nil {
							path := filepath.Join(q.dir, "composer.lock")
							data, err := os.ReadFile(path)
							if err != nil {
								t.Fatal(err)
							}
							if err := os.WriteFile(path, []byte(c.lock(string(data))), 0o644); err != nil {
								t.Fatal(err)
							}
						}
						out, err := q.run(t, "install")
						q.wantFailure(t, out, err, "404 Not Found", warning+c.want+notFound)
					})
				}
			})

			t.Run("statistics", func(t *testing.T) {
				// Composer's notify-batch after an install, and the archive
				// it fetched, show in the customer's statistics at once.
				t.Parallel()
				cu := newCustomer(t, f.s, lib)
				p := newProject(t, bin, f.s.URL, cu.plainToken(t, nil), nil)
				p.wantLocked(t, p.mustRun(t, "require", "acme/lib"), map[string]string{"acme/lib": "1.1.0"})
				var got struct {
					Installs, Downloads int
					Versions            []struct {
						Version             string
						Installs, Downloads int
					}
				}
				if err := json.Unmarshal(do(t, f.s, http.MethodGet, "/api/v1/stats/packages/acme/lib?customer="+cu.id, nil, http.StatusOK), &got); err != nil {
					t.Fatal(err)
				}
				if got.Installs != 1 || got.Downloads != 1 || len(got.Versions) != 1 || got.Versions[0].Version != "1.1.0" || got.Versions[0].Installs != 1 {
					t.Fatalf("statistics after one install: %+v", got)
				}
			})

			t.Run("suspension", func(t *testing.T) {
				t.Parallel()
				cu := newCustomer(t, f.s, lib)
				p := newProject(t, bin, f.s.URL, cu.plainToken(t, nil), lib)
				p.mustRun(t, "update")
				p.wantLocked(t, "", map[string]string{"acme/lib": "1.1.0"})

				do(t, f.s, http.MethodPost, "/api/v1/customers/"+cu.id+"/suspend", map[string]any{"reason": "unpaid invoice"}, http.StatusOK)
				// Neither the metadata (no lock file) nor the archive (lock
				// file) reach a suspended customer, and Composer shows why.
				for _, c := range []struct {
					withLock bool
					url      string
				}{{false, "/packages.json"}, {true, "/dists/acme/lib/1.1.0.0/"}} {
					fresh := p.copy(t, c.withLock)
					out, err := fresh.run(t, "install")
					fresh.wantFailure(t, out, err, c.url, "(HTTP 403)", warning, "access is suspended: unpaid invoice; contact the vendor")
					if _, statErr := os.Stat(filepath.Join(fresh.dir, "vendor", "acme", "lib")); statErr == nil {
						t.Errorf("install (lock file: %v) while suspended installed acme/lib\n%s", c.withLock, out)
					}
				}

				do(t, f.s, http.MethodPost, "/api/v1/customers/"+cu.id+"/reactivate", nil, http.StatusOK)
				fresh := p.copy(t, true)
				fresh.mustRun(t, "install")
				fresh.wantFiles(t, "", map[string]string{"acme/lib/src/Lib.php": "// 1.1.0"})
			})

			t.Run("freeze", func(t *testing.T) {
				t.Parallel()
				cu := newCustomer(t, f.s, lib)
				p := newProject(t, bin, f.s.URL, cu.plainToken(t, nil), lib)
				// One Composer cache across the runs, as on a developer's
				// machine: Composer revalidates its cached metadata with
				// If-Modified-Since, which must see the freeze and its end.
				p.cache = t.TempDir()
				p.mustRun(t, "update")
				p.wantLocked(t, "", map[string]string{"acme/lib": "1.1.0"})

				do(t, f.s, http.MethodPost, "/api/v1/customers/"+cu.id+"/freeze", map[string]any{"versions": []any{map[string]string{"package": "acme/lib", "version": "1.0.0"}}}, http.StatusOK)
				out := p.mustRun(t, "update")
				p.wantLocked(t, out, map[string]string{"acme/lib": "1.0.0"})
				p.wantFiles(t, out, map[string]string{"acme/lib/src/Lib.php": "// 1.0.0"})

				do(t, f.s, http.MethodPost, "/api/v1/customers/"+cu.id+"/reactivate", nil, http.StatusOK)
				out = p.mustRun(t, "update")
				p.wantLocked(t, out, map[string]string{"acme/lib": "1.1.0"})
				p.wantFiles(t, out, map[string]string{"acme/lib/src/Lib.php": "// 1.1.0"})
			})
		})

		// Yanking 1.1.0 changes what every customer is offered, so this
		// runs after the scenarios above.
		t.Run("yank", func(t *testing.T) {
			cu := newCustomer(t, f.s, lib)
			p := newProject(t, bin, f.s.URL, cu.plainToken(t, nil), lib)
			p.cache = t.TempDir() // as in "freeze": cached metadata must notice the yank
			p.mustRun(t, "update")
			p.wantLocked(t, "", map[string]string{"acme/lib": "1.1.0"})
			old := p.copy(t, true) // the lock file pinning 1.1.0

			do(t, f.s, http.MethodPost, "/api/v1/packages/acme/lib/yank/1.1.0", nil, http.StatusOK)
			out := p.mustRun(t, "update")
			p.wantLocked(t, out, map[string]string{"acme/lib": "1.0.0"})
			p.wantFiles(t, out, map[string]string{"acme/lib/src/Lib.php": "// 1.0.0"})

			// The old lock file still installs the yanked version, with an
			// empty cache (the archive comes from the server).
			out = old.mustRun(t, "install")
			old.wantFiles(t, out, map[string]string{"acme/lib/src/Lib.php": "// 1.1.0"})

			do(t, f.s, http.MethodPost, "/api/v1/packages/acme/lib/unyank/1.1.0", nil, http.StatusOK)
			out = p.mustRun(t, "update")
			p.wantLocked(t, out, map[string]string{"acme/lib": "1.1.0"})
		})
	})
}

// composerCLI returns the path of the Composer CLI, skipping the test
// when it is not installed.
func composerCLI(t *testing.T) string {
	t.Helper()
	bin, err := exec.LookPath("composer")
	if err != nil {
		t.Skip("composer is not installed: the end-to-end tests need the Composer CLI (Debian packages composer php-cli php-zip unzip; CI installs them)")
	}
	return bin
}

// composerTimeout bounds one Composer run.
const composerTimeout = 2 * time.Minute

// project is a Composer project using the server as its only repository,
// with a customer credential as the Basic password in its auth.json.
type project struct {
	bin, dir string
	// cache is COMPOSER_CACHE_DIR, kept across runs; "" gives every run
	// an empty one.
	cache string
}

// newProject writes composer.json (requiring require, which may be nil)
// and auth.json into a new directory.
func newProject(t *testing.T, bin, serverURL, password string, require map[string]string) *project {
	t.Helper()
	p := &project{bin: bin, dir: t.TempDir()}
	manifest := map[string]any{
		"name":         "test/project",
		"repositories": []any{map[string]any{"type": "composer", "url": serverURL}, map[string]any{"packagist.org": false}},
		"config":       map[string]any{"secure-http": false},
	}
	if require != nil {
		manifest["require"] = require
	}
	host := strings.TrimPrefix(serverURL, "http://") // the auth key includes the port
	p.write(t, "composer.json", manifest)
	p.write(t, "auth.json", map[string]any{"http-basic": map[string]any{host: map[string]string{"username": "token", "password": password}}})
	return p
}

func (p *project) write(t *testing.T, name string, v any) {
	t.Helper()
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(p.dir, name), data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// copy is a fresh project with p's composer.json and auth.json, and its
// composer.lock when withLock, using an empty cache.
func (p *project) copy(t *testing.T, withLock bool) *project {
	t.Helper()
	c := &project{bin: p.bin, dir: t.TempDir()}
	names := []string{"composer.json", "auth.json"}
	if withLock {
		names = append(names, "composer.lock")
	}
	for _, name := range names {
		data, err := os.ReadFile(filepath.Join(p.dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(c.dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

// run runs Composer in the project with a fresh COMPOSER_HOME (and cache,
// unless p.cache is set), returning its combined output; err is non-nil
// when Composer exits non-zero.
func (p *project) run(t *testing.T, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), composerTimeout)
	defer cancel()
	cache := p.cache
	if cache == "" {
		cache = t.TempDir()
	}
	cmd := exec.CommandContext(ctx, p.bin, append(args, "--no-interaction", "--no-progress", "--no-ansi")...)
	cmd.Dir = p.dir
	cmd.WaitDelay = 5 * time.Second
	cmd.Env = composerEnv(t, cache)
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		t.Fatalf("composer %s timed out after %s\n%s", strings.Join(args, " "), composerTimeout, out)
	}
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("composer %s: %v", strings.Join(args, " "), err)
	}
	return string(out), err
}

// composerEnv is the environment Composer runs in: a fresh COMPOSER_HOME,
// the given cache, and nothing inherited that configures Composer.
func composerEnv(t *testing.T, cache string) []string {
	env := []string{"COMPOSER_HOME=" + t.TempDir(), "COMPOSER_CACHE_DIR=" + cache, "COMPOSER_NO_AUDIT=1", "COMPOSER_ALLOW_SUPERUSER=1", "COLUMNS=1000"}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "COMPOSER") { // no inherited COMPOSER_AUTH and the like
			env = append(env, kv)
		}
	}
	return env
}

// mustRun runs Composer, failing the test when it exits non-zero.
func (p *project) mustRun(t *testing.T, args ...string) string {
	t.Helper()
	out, err := p.run(t, args...)
	if err != nil {
		t.Fatalf("composer %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// wantFailure checks that Composer exited non-zero and that its output
// holds every piece of want.
func (p *project) wantFailure(t *testing.T, out string, err error, want ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("composer succeeded, want a failure mentioning %q\n%s", want, out)
	}
	for _, w := range want {
		if !strings.Contains(out, w) {
			t.Errorf("composer output lacks %q\n%s", w, out)
		}
	}
}

// wantLocked checks composer.lock's packages (name -> version); out is
// Composer's output, shown on failure.
func (p *project) wantLocked(t *testing.T, out string, want map[string]string) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(p.dir, "composer.lock"))
	if err != nil {
		t.Fatalf("composer.lock: %v\n%s", err, out)
	}
	var lock struct {
		Packages []struct{ Name, Version string }
	}
	if err := json.Unmarshal(data, &lock); err != nil {
		t.Fatalf("composer.lock: %v", err)
	}
	got := map[string]string{}
	for _, pkg := range lock.Packages {
		got[pkg.Name] = pkg.Version
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("composer.lock holds %v, want %v\n%s", got, want, out)
	}
}

// wantFiles checks that installed files (path under vendor/) hold the
// given content, so the archive of the right version was installed.
func (p *project) wantFiles(t *testing.T, out string, want map[string]string) {
	t.Helper()
	for name, content := range want {
		data, err := os.ReadFile(filepath.Join(p.dir, "vendor", filepath.FromSlash(name)))
		if err != nil {
			t.Fatalf("not installed: %v\n%s", err, out)
		}
		if !strings.Contains(string(data), content) {
			t.Fatalf("vendor/%s holds %q, want %q\n%s", name, data, content, out)
		}
	}
}

// customer is a customer made for one scenario.
type customer struct {
	s  *testenv.Server
	id string
}

// newCustomer creates a customer granted grants (package -> constraint).
func newCustomer(t *testing.T, s *testenv.Server, grants map[string]string) *customer {
	t.Helper()
	var cu struct{ ID string }
	if err := json.Unmarshal(do(t, s, http.MethodPost, "/api/v1/customers", map[string]any{"name": "Customer of " + t.Name()}, http.StatusCreated), &cu); err != nil {
		t.Fatal(err)
	}
	for pkg, constraint := range grants {
		do(t, s, http.MethodPost, "/api/v1/customers/"+cu.ID+"/packages", map[string]any{"package": pkg, "constraint": constraint}, http.StatusCreated)
	}
	return &customer{s: s, id: cu.ID}
}

// token creates a token of the customer (body: scope, package_scopes, ...;
// scope defaults to download) and returns its secret and id.
func (c *customer) token(t *testing.T, body map[string]any) (string, string) {
	t.Helper()
	in := map[string]any{"name": "e2e", "scope": "download"}
	for k, v := range body {
		in[k] = v
	}
	var out struct {
		PlainToken string `json:"plain_token"`
		Token      struct{ ID string }
	}
	if err := json.Unmarshal(do(t, c.s, http.MethodPost, "/api/v1/customers/"+c.id+"/tokens", in, http.StatusCreated), &out); err != nil || out.PlainToken == "" {
		t.Fatalf("token: %v %+v", err, out)
	}
	return out.PlainToken, out.Token.ID
}

// plainToken is token's secret.
func (c *customer) plainToken(t *testing.T, body map[string]any) string {
	t.Helper()
	secret, _ := c.token(t, body)
	return secret
}

// jwt issues a JWT of the customer.
func (c *customer) jwt(t *testing.T) string {
	t.Helper()
	var out struct{ Token string }
	if err := json.Unmarshal(do(t, c.s, http.MethodPost, "/api/v1/customers/"+c.id+"/jwt", map[string]any{}, http.StatusOK), &out); err != nil || out.Token == "" {
		t.Fatalf("jwt: %v %+v", err, out)
	}
	return out.Token
}

// uploadZip uploads a zip of files (path -> content) as a version of the
// artifact package pkg, through the REST upload route.
func uploadZip(t *testing.T, s *testenv.Server, pkg string, files map[string]string) {
	t.Helper()
	if r := s.UploadZip(t, root, pkg, testenv.Zip(t, files)); r.Status != http.StatusCreated {
		t.Fatalf("upload %s: %d %s", pkg, r.Status, r.Body)
	}
}
