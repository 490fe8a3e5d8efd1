package vcs

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// gitRepo is a repository with a work tree that tests build with the git CLI.
type gitRepo struct {
	tb   testing.TB
	dir  string
	home string
	when time.Time // next commit time
}

func newGitRepo(tb testing.TB, dir string) *gitRepo {
	tb.Helper()
	home := filepath.Join(dir, ".test-home")
	if err := os.MkdirAll(home, 0o755); err != nil {
		tb.Fatal(err)
	}
	r := &gitRepo{tb: tb, dir: filepath.Join(dir, "work"), home: home, when: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)}
	if err := os.MkdirAll(r.dir, 0o755); err != nil {
		tb.Fatal(err)
	}
	r.git("init", "-q", "-b", "main")
	return r
}

func (r *gitRepo) env() []string {
	date := fmt.Sprintf("%d +0200", r.when.Unix())
	return append(os.Environ(),
		"HOME="+r.home, "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null",
		"GIT_AUTHOR_NAME=Tester", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_AUTHOR_DATE="+date,
		"GIT_COMMITTER_NAME=Tester", "GIT_COMMITTER_EMAIL=t@example.com", "GIT_COMMITTER_DATE="+date,
	)
}

func (r *gitRepo) git(args ...string) string {
	r.tb.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = r.dir
	cmd.Env = r.env()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		r.tb.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return strings.TrimSpace(string(out))
}

func (r *gitRepo) write(path, content string) {
	r.tb.Helper()
	p := filepath.Join(r.dir, filepath.FromSlash(path))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		r.tb.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		r.tb.Fatal(err)
	}
}

func (r *gitRepo) symlink(path, target string) {
	r.tb.Helper()
	p := filepath.Join(r.dir, filepath.FromSlash(path))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		r.tb.Fatal(err)
	}
	if err := os.Symlink(target, p); err != nil {
		r.tb.Fatal(err)
	}
}

// commit commits everything and returns the commit id; each commit is one
// hour after the previous one.
func (r *gitRepo) commit(msg string) string {
	r.tb.Helper()
	r.git("add", "-A")
	r.git("commit", "-q", "--allow-empty", "-m", msg)
	r.when = r.when.Add(time.Hour)
	return r.git("rev-parse", "HEAD")
}

func (r *gitRepo) commitTime(commit string) time.Time {
	r.tb.Helper()
	var sec int64
	fmt.Sscan(r.git("show", "-s", "--format=%ct", commit), &sec)
	return time.Unix(sec, 0).UTC()
}

// bigContent is larger than smallFile, so it takes the streaming path.
func bigContent() string {
	var b strings.Builder
	for i := 0; b.Len() <= smallFile+1000; i++ {
		fmt.Fprintf(&b, "line %d: %x\n", i, i*i*2654435761)
	}
	return b.String()
}

var longPath = strings.Repeat("a-rather-long-directory-name/", 12) + "file.txt"

const weirdName = `weird name ü #1 (copy) 'q' "dq" $x;&[a]*.txt`

// fixture is the shared test repository:
//
//	main:      c1 (v1.0.0) - c2 (v1.1.0 annotated, nested -> tag of it) - c4 monorepo (mono-1)
//	feature/x: c2 - c3 (2.0.0-beta1)
type fixture struct {
	src              *gitRepo
	c1, c2, c3, c4   string
	rootExclude      []string
	aExclude         []string
	tagObjectOfV110  string
	commitTimes      map[string]time.Time
	tempRoot, srcURL string
	mirrorOnce       sync.Once
	mirrorDir        string
	mirrorErr        error
}

var (
	fixtureOnce sync.Once
	fix         *fixture
	fixtureRoot string
)

func TestMain(m *testing.M) {
	code := m.Run()
	if fixtureRoot != "" {
		_ = os.RemoveAll(fixtureRoot)
	}
	for _, h := range homes {
		_ = os.RemoveAll(h)
	}
	os.Exit(code)
}

func getFixture(t testing.TB) *fixture {
	t.Helper()
	fixtureOnce.Do(func() {
		root, err := os.MkdirTemp("", "vcs-fixture-")
		if err != nil {
			t.Fatal(err)
		}
		fixtureRoot = root
		fix = buildFixture(t, root)
	})
	if fix == nil {
		t.Fatal("fixture failed to build")
	}
	return fix
}

func buildFixture(t testing.TB, root string) *fixture {
	r := newGitRepo(t, root)
	f := &fixture{src: r, tempRoot: root, commitTimes: map[string]time.Time{}}
	f.rootExclude = []string{"/docs-internal", "*.dist", "!/keep.dist", "build/", "/src/Generated*"}
	r.write("composer.json", `{"name": "acme/lib", "archive": {"exclude": ["/docs-internal", "*.dist", "!/keep.dist", "build/", "/src/Generated*"]}}`+"\n")
	r.write("src/Lib.php", "<?php // v1\n")
	r.write("src/GeneratedFoo.php", "<?php\n")
	r.write("src/build", "a file named build: kept, 'build/' is for directories\n")
	r.write("src/nested/phpunit.xml.dist", "excluded at any depth\n")
	r.write("README.md", "# lib\n")
	r.write(".gitattributes", "/tests export-ignore\n/.github export-ignore\n*.bak export-ignore\n/packages/a/IGNORED.md export-ignore\n")
	r.write("tests/LibTest.php", "<?php\n")
	r.write(".github/workflows/ci.yml", "on: push\n")
	r.write("docs-internal/notes.md", "secret notes\n")
	r.write("phpunit.xml.dist", "<phpunit/>\n")
	r.write("keep.dist", "kept by negation\n")
	r.write("build/out.txt", "build output\n")
	r.write("only-ignored/x.bak", "export-ignored, so the directory vanishes\n")
	r.write(weirdName, "unusual characters\n")
	r.write("bin/tool", "#!/bin/sh\necho tool\n")
	if err := os.Chmod(filepath.Join(r.dir, "bin/tool"), 0o755); err != nil {
		t.Fatal(err)
	}
	r.write("empty.txt", "")
	r.write("lib/CVS/Entries", "version-control metadata: left out like Composer does\n")
	r.write("lib/keep.php", "<?php\n")
	r.write(longPath, "a path longer than ustar's 100+155 bytes: git writes a pax header\n")
	r.symlink("long-link", longPath)
	r.symlink("link-inside", "src/Lib.php")
	r.symlink("src/link-up", "../README.md")
	r.symlink("link-dir", "src")
	r.symlink("link-through", "link-dir/Lib.php")
	r.symlink("link-outside", "../../etc/passwd")
	r.symlink("link-abs", "/etc/passwd")
	if err := os.MkdirAll(filepath.Join(r.dir, "empty-dir"), 0o755); err != nil {
		t.Fatal(err)
	}
	f.c1 = r.commit("c1")
	r.git("tag", "v1.0.0")

	r.write("src/Lib.php", "<?php // v1.1\n")
	f.c2 = r.commit("c2")
	r.git("tag", "-a", "v1.1.0", "-m", "release 1.1.0")
	r.git("tag", "-a", "nested", "-m", "a tag of a tag", "v1.1.0")
	f.tagObjectOfV110 = r.git("rev-parse", "v1.1.0")

	r.git("checkout", "-q", "-b", "feature/x")
	r.write("feature.php", "<?php // feature\n")
	f.c3 = r.commit("c3")
	r.git("tag", "2.0.0-beta1")
	r.git("checkout", "-q", "main")

	r.write("packages/a/composer.json", `{"name": "acme/a", "archive": {"exclude": ["/docs"]}}`+"\n")
	r.write("packages/a/src/A.php", "<?php // a\n")
	r.write("packages/a/tests/ATest.php", "<?php\n")
	r.write("packages/a/docs/a.md", "excluded by a's archive.exclude\n")
	r.write("packages/a/IGNORED.md", "export-ignored by the root .gitattributes\n")
	r.write("packages/a/.gitattributes", "/tests export-ignore\n")
	r.symlink("packages/a/link-sibling", "../b/src/B.php")
	r.symlink("packages/a/link-own", "src/A.php")
	r.write("packages/b/composer.json", `{"name": "acme/b"}`+"\n")
	r.write("packages/b/src/B.php", "<?php // b\n")
	r.write("packages/b/data/big.txt", bigContent())
	f.aExclude = []string{"/docs"}
	f.c4 = r.commit("c4")
	r.git("tag", "mono-1")

	for _, c := range []string{f.c1, f.c2, f.c3, f.c4} {
		f.commitTimes[c] = r.commitTime(c)
	}
	f.srcURL = r.dir
	return f
}

// mirror is a Sync of the fixture shared by read-only tests.
func (f *fixture) mirror(t testing.TB) *Repo {
	t.Helper()
	f.mirrorOnce.Do(func() {
		f.mirrorDir = filepath.Join(f.tempRoot, "mirrors", "shared")
		_, f.mirrorErr = Sync(context.Background(), f.mirrorDir, f.srcURL, Auth{}, Options{AllowLocal: true})
	})
	if f.mirrorErr != nil {
		t.Fatal(f.mirrorErr)
	}
	repo, err := OpenMirror(f.mirrorDir)
	if err != nil {
		t.Fatal(err)
	}
	return repo
}

// cloneSource makes a private copy of the fixture's source repository for
// tests that change it.
func (f *fixture) cloneSource(t *testing.T) *gitRepo {
	t.Helper()
	dir := t.TempDir()
	r := &gitRepo{tb: t, dir: filepath.Join(dir, "work"), home: filepath.Join(dir, "home"), when: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
	if err := os.MkdirAll(r.home, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("git", "clone", "-q", "--no-local", f.srcURL, r.dir)
	cmd.Env = r.env()
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("clone fixture: %v\n%s", err, out)
	}
	// Local branches and tags as in the fixture.
	r.git("fetch", "-q", "origin", "+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*", "--update-head-ok")
	r.git("remote", "remove", "origin")
	return r
}
