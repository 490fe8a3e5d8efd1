package gitsync_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/cargoman/cargoman/ent"
	"github.com/cargoman/cargoman/internal/app"
	"github.com/cargoman/cargoman/internal/tenancy"
	"github.com/cargoman/cargoman/internal/testenv"
)

// makeTaggedRepo writes a repository with n tagged commits (v1.0.0 ...),
// each changing one of ~50 files, through git fast-import.
func makeTaggedRepo(t testing.TB, n int) string {
	t.Helper()
	dir := t.TempDir()
	run := func(stdin io.Reader, args ...string) {
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		cmd.Stdin = stdin
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	run(nil, "init", "-q", "-b", "main")
	var s bytes.Buffer
	blob := func(content string) {
		fmt.Fprintf(&s, "data %d\n%s\n", len(content), content)
	}
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&s, "commit refs/heads/main\nmark :%d\ncommitter Bench <b@example.com> %d +0000\n", i, 1700000000+i*60)
		blob(fmt.Sprintf("release %d", i))
		if i > 1 {
			fmt.Fprintf(&s, "from :%d\n", i-1)
		}
		if i == 1 {
			fmt.Fprintf(&s, "M 100644 inline composer.json\n")
			blob(`{"name":"bench/lib","description":"Benchmark","license":"MIT","require":{"php":">=8.1"},"autoload":{"psr-4":{"Bench\\":"src/"}}}`)
			for f := 0; f < 50; f++ {
				fmt.Fprintf(&s, "M 100644 inline src/File%02d.php\n", f)
				blob(fmt.Sprintf("<?php\nnamespace Bench;\nclass File%02d { const V = 0; }\n%s", f, bytes.Repeat([]byte("// filler line\n"), 40)))
			}
		}
		fmt.Fprintf(&s, "M 100644 inline src/File%02d.php\n", i%50)
		blob(fmt.Sprintf("<?php\nnamespace Bench;\nclass File%02d { const V = %d; }\n", i%50, i))
		fmt.Fprintf(&s, "reset refs/tags/v1.0.%d\nfrom :%d\n\n", i, i)
	}
	run(&s, "fast-import", "--quiet")
	run(nil, "checkout", "-q", "main")
	return dir
}

// TestSyncSpeed measures, in one run, a full sync of a repository with 500
// tags against plain git (clone --mirror, then git archive of every tag),
// and a re-sync with nothing changed. Run it with
//
//	CARGOMAN_SYNC_BENCH=1 go test -run TestSyncSpeed -v ./internal/gitsync/
func TestSyncSpeed(t *testing.T) {
	if os.Getenv("CARGOMAN_SYNC_BENCH") == "" {
		t.Skip("set CARGOMAN_SYNC_BENCH=1 to measure sync speed")
	}
	const tags = 500
	repo := makeTaggedRepo(t, tags)

	// Baseline: what plain git needs for the same work.
	out := t.TempDir()
	script := fmt.Sprintf(`set -e
git clone -q --mirror %q %q/m.git
cd %q/m.git
for tag in $(git tag); do git archive --format=zip -o %q/$tag.zip "$tag"; done`, repo, out, out, out)
	start := time.Now()
	if b, err := exec.Command("bash", "-c", script).CombinedOutput(); err != nil {
		t.Fatalf("baseline: %v\n%s", err, b)
	}
	baseline := time.Since(start)

	for _, b := range testenv.Backends() {
		db := b.Open(t)
		a, err := app.New(context.Background(), db, app.Config{
			PublicURL: "http://bench.test", DataDir: t.TempDir(), AdminToken: "bench",
			AllowLocalRepositories: true, ServeAPI: true,
		}, slog.New(slog.NewTextHandler(io.Discard, nil)))
		if err != nil {
			t.Fatal(err)
		}
		ctx := tenancy.WithTenant(context.Background(), a.Boot.TenantID)
		pkg, _, err := a.Packages.Create(ctx, createInput(repo))
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		if err := a.Syncer.Sync(ctx, pkg); err != nil {
			t.Fatalf("sync: %v", err)
		}
		full := time.Since(start)
		n, err := db.Client.PackageVersion.Query().Count(ctx)
		if err != nil || n != tags+1 {
			t.Fatalf("%d versions after sync (want %d): %v", n, tags+1, err)
		}
		pkg = reload(t, ctx, db.Client, pkg)
		start = time.Now()
		if err := a.Syncer.Sync(ctx, pkg); err != nil {
			t.Fatalf("re-sync: %v", err)
		}
		again := time.Since(start)
		t.Logf("%s: %d tags: full sync %v, plain git %v, ratio %.2f; re-sync with nothing changed %v",
			b.Name, tags, full.Round(time.Millisecond), baseline.Round(time.Millisecond),
			full.Seconds()/baseline.Seconds(), again.Round(time.Millisecond))
	}
}

func reload(t *testing.T, ctx context.Context, c *ent.Client, p *ent.ComposerPackage) *ent.ComposerPackage {
	t.Helper()
	p, err := c.ComposerPackage.Get(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	return p
}
