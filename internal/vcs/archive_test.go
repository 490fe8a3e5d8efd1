package vcs

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

type zipEntry struct {
	mode    fs.FileMode
	content string
}

// readZip reads an archive back and checks what every entry must satisfy:
// under prefix/, time = commit time.
func readZip(t *testing.T, data []byte, prefix string, f *fixture, commit string) map[string]zipEntry {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatalf("zip does not read back: %v", err)
	}
	entries := map[string]zipEntry{}
	for _, zf := range zr.File {
		if !strings.HasPrefix(zf.Name, prefix+"/") {
			t.Errorf("entry %q is not under %s/", zf.Name, prefix)
		}
		if !zf.Modified.Equal(f.commitTimes[commit]) {
			t.Errorf("entry %q time %v, want commit time %v", zf.Name, zf.Modified, f.commitTimes[commit])
		}
		rc, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatalf("%s: %v", zf.Name, err)
		}
		rel := strings.TrimPrefix(zf.Name, prefix+"/")
		if _, dup := entries[rel]; dup {
			t.Errorf("duplicate entry %q", zf.Name)
		}
		entries[rel] = zipEntry{zf.Mode(), string(b)}
	}
	if _, ok := entries[""]; !ok {
		t.Errorf("no top folder entry %s/", prefix)
	}
	return entries
}

func archive(t *testing.T, repo *Repo, commit, subdir, prefix string, exclude []string) ([]byte, ArchiveInfo) {
	t.Helper()
	var buf bytes.Buffer
	info, err := repo.Archive(t.Context(), commit, subdir, prefix, exclude, &buf)
	if err != nil {
		t.Fatalf("Archive(%s, %q): %v", commit, subdir, err)
	}
	sum := sha1.Sum(buf.Bytes())
	if info.SHA1 != hex.EncodeToString(sum[:]) || info.Size != int64(buf.Len()) {
		t.Errorf("ArchiveInfo %+v does not describe the %d bytes written (sha1 %x)", info, buf.Len(), sum)
	}
	return buf.Bytes(), info
}

func TestArchive(t *testing.T) {
	f := getFixture(t)
	repo := f.mirror(t)
	tests := []struct {
		name    string
		commit  string
		subdir  string
		exclude []string
		want    map[string]string // rel path -> content ("" for any); dirs end in "/"
		absent  []string
	}{
		{
			name: "root package", commit: f.c1, exclude: f.rootExclude,
			want: map[string]string{
				"composer.json": "", "src/": "", "src/Lib.php": "<?php // v1\n", "README.md": "# lib\n",
				".gitattributes": "", "keep.dist": "kept by negation\n", weirdName: "unusual characters\n",
				"bin/": "", "bin/tool": "", "empty.txt": "", "src/build": "",
				"link-inside": "src/Lib.php", "src/link-up": "../README.md", "link-dir": "src",
				longPath: "", "long-link": longPath, "lib/keep.php": "",
			},
			absent: []string{
				"tests/", "tests/LibTest.php", ".github/", ".github/workflows/ci.yml", // export-ignore
				"only-ignored/", "only-ignored/x.bak", // dir emptied by export-ignore
				"empty-dir/",                               // never in git
				"docs-internal/", "docs-internal/notes.md", // "/docs-internal"
				"phpunit.xml.dist", "src/nested/phpunit.xml.dist", // "*.dist" at any depth
				"build/", "build/out.txt", "src/GeneratedFoo.php", // "build/", "/src/Generated*"
				"link-outside", "link-abs", "link-through", // unsafe symlinks
				"lib/CVS/", "lib/CVS/Entries", // VCS metadata
			},
		},
		{
			name: "no excludes", commit: f.c1,
			want:   map[string]string{"phpunit.xml.dist": "", "build/out.txt": "", "docs-internal/notes.md": ""},
			absent: []string{"tests/LibTest.php", ".github/workflows/ci.yml"},
		},
		{
			name: "second version", commit: f.c2, exclude: f.rootExclude,
			want: map[string]string{"src/Lib.php": "<?php // v1.1\n"},
		},
		{
			name: "monorepo child a", commit: f.c4, subdir: "packages/a", exclude: f.aExclude,
			want: map[string]string{"composer.json": `{"name": "acme/a", "archive": {"exclude": ["/docs"]}}` + "\n",
				"src/A.php": "<?php // a\n", ".gitattributes": "", "link-own": "src/A.php"},
			absent: []string{"tests/ATest.php", // packages/a/.gitattributes
				"IGNORED.md",        // root .gitattributes
				"docs/a.md",         // a's archive.exclude
				"link-sibling",      // leaves the child package
				"packages/", "../b", // nothing outside the subdir
			},
		},
		{
			name: "monorepo child b", commit: f.c4, subdir: "packages/b",
			want:   map[string]string{"composer.json": "", "src/B.php": "<?php // b\n", "data/big.txt": bigContent()},
			absent: []string{"src/A.php", "composer.lock"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			data, info := archive(t, repo, tc.commit, tc.subdir, "acme-lib-abc", tc.exclude)
			entries := readZip(t, data, "acme-lib-abc", f, tc.commit)
			files := 0
			for rel, e := range entries {
				if !e.mode.IsDir() {
					files++
				} else if rel != "" && !strings.HasSuffix(rel, "/") {
					t.Errorf("directory entry %q without trailing slash", rel)
				}
			}
			if files != info.Files {
				t.Errorf("ArchiveInfo.Files = %d, zip has %d", info.Files, files)
			}
			for rel, content := range tc.want {
				e, ok := entries[rel]
				if !ok {
					t.Errorf("missing %q; have %v", rel, keys(entries))
					continue
				}
				if content != "" && e.content != content {
					t.Errorf("%q = %q, want %q", rel, e.content, content)
				}
			}
			for _, rel := range tc.absent {
				if _, ok := entries[rel]; ok {
					t.Errorf("%q must not be in the archive", rel)
				}
			}
		})
	}
}

func keys[V any](m map[string]V) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

func TestArchiveModesAndLinks(t *testing.T) {
	f := getFixture(t)
	repo := f.mirror(t)
	data, _ := archive(t, repo, f.c1, "", "p", nil)
	entries := readZip(t, data, "p", f, f.c1)
	tests := []struct {
		rel  string
		mode fs.FileMode
	}{
		{"", fs.ModeDir | 0o755},
		{"src/", fs.ModeDir | 0o755},
		{"README.md", 0o644},
		{"bin/tool", 0o755},
		{"link-inside", fs.ModeSymlink | 0o777},
		{"link-dir", fs.ModeSymlink | 0o777},
	}
	for _, tc := range tests {
		if e := entries[tc.rel]; e.mode != tc.mode {
			t.Errorf("%q: mode %v, want %v", tc.rel, e.mode, tc.mode)
		}
	}
}

func TestArchiveDeterministic(t *testing.T) {
	f := getFixture(t)
	repo := f.mirror(t)
	a, infoA := archive(t, repo, f.c1, "", "p", f.rootExclude)
	b, infoB := archive(t, repo, f.c1, "", "p", f.rootExclude)
	if !bytes.Equal(a, b) || infoA != infoB {
		t.Fatal("two archives of the same commit differ")
	}
	// A different mirror of the same repository (another instance, a
	// re-sync from scratch) gives the same bytes.
	other, err := Sync(t.Context(), filepath.Join(t.TempDir(), "other"), "file://"+f.srcURL, Auth{}, Options{AllowLocal: true})
	if err != nil {
		t.Fatal(err)
	}
	var c bytes.Buffer
	infoC, err := other.Archive(t.Context(), f.c1, "", "p", f.rootExclude, &c)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, c.Bytes()) || infoC != infoA {
		t.Fatal("archives from two mirrors differ")
	}
	// Other arguments, other bytes.
	if d, _ := archive(t, repo, f.c1, "", "q", f.rootExclude); bytes.Equal(a, d) {
		t.Error("prefix does not change the archive")
	}
}

// TestArchiveExtracts checks that real unzip tools accept the archive.
func TestArchiveExtracts(t *testing.T) {
	unzip, err := exec.LookPath("unzip")
	if err != nil {
		t.Skip("unzip not installed")
	}
	f := getFixture(t)
	repo := f.mirror(t)
	data, _ := archive(t, repo, f.c1, "", "pkg", f.rootExclude)
	dir := t.TempDir()
	zipPath := filepath.Join(dir, "a.zip")
	must(t, os.WriteFile(zipPath, data, 0o644))
	out, err := exec.Command(unzip, "-q", zipPath, "-d", filepath.Join(dir, "x")).CombinedOutput()
	if err != nil {
		t.Fatalf("unzip: %v\n%s", err, out)
	}
	got, err := os.ReadFile(filepath.Join(dir, "x", "pkg", weirdName))
	if err != nil || string(got) != "unusual characters\n" {
		t.Errorf("extracted %q: %q, %v", weirdName, got, err)
	}
	if target, err := os.Readlink(filepath.Join(dir, "x", "pkg", "link-inside")); err != nil || target != "src/Lib.php" {
		t.Errorf("extracted symlink: %q, %v", target, err)
	}
	if fi, err := os.Stat(filepath.Join(dir, "x", "pkg", "bin", "tool")); err != nil || fi.Mode().Perm()&0o100 == 0 {
		t.Errorf("bin/tool not executable after extraction: %v", err)
	}
}

type failingWriter struct{ n int }

var errWrite = errors.New("disk full")

func (w *failingWriter) Write(p []byte) (int, error) {
	if w.n -= len(p); w.n < 0 {
		return 0, errWrite
	}
	return len(p), nil
}

func TestArchiveErrors(t *testing.T) {
	f := getFixture(t)
	repo := f.mirror(t)
	missing := strings.Repeat("ab", 20)
	tests := []struct {
		name                   string
		commit, subdir, prefix string
		w                      io.Writer
		want                   error
	}{
		{"short commit", f.c1[:12], "", "p", io.Discard, ErrInvalidArgument},
		{"ref name", "HEAD", "", "p", io.Discard, ErrInvalidArgument},
		{"option", "--output=/tmp/x" + strings.Repeat("a", 25), "", "p", io.Discard, ErrInvalidArgument},
		{"dotdot subdir", f.c4, "packages/../..", "p", io.Discard, ErrInvalidArgument},
		{"absolute subdir", f.c4, "/etc", "p", io.Discard, ErrInvalidArgument},
		{"dot subdir", f.c4, ".", "p", io.Discard, ErrInvalidArgument},
		{"trailing slash subdir", f.c4, "packages/a/", "p", io.Discard, ErrInvalidArgument},
		{"pathspec magic is literal", f.c4, ":(glob)packages/*", "p", io.Discard, ErrNotFound},
		{"nested prefix", f.c1, "", "a/b", io.Discard, ErrInvalidArgument},
		{"dotdot prefix", f.c1, "", "..", io.Discard, ErrInvalidArgument},
		{"empty prefix", f.c1, "", "", io.Discard, ErrInvalidArgument},
		{"missing subdir", f.c1, "packages/a", "p", io.Discard, ErrNotFound},
		{"missing commit", missing, "", "p", io.Discard, ErrNotFound},
		{"writer fails", f.c1, "", "p", &failingWriter{n: 100}, errWrite},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := repo.Archive(t.Context(), tc.commit, tc.subdir, tc.prefix, nil, tc.w)
			if !errors.Is(err, tc.want) {
				t.Fatalf("Archive = %v, want %v", err, tc.want)
			}
		})
	}
}

func TestArchiveCancel(t *testing.T) {
	f := getFixture(t)
	repo := f.mirror(t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := repo.Archive(ctx, f.c1, "", "p", nil, io.Discard); !errors.Is(err, context.Canceled) {
		t.Fatalf("Archive with cancelled context = %v", err)
	}
}

func TestLinkInside(t *testing.T) {
	links := map[string]bool{"d": true, "sub/l": true}
	tests := []struct {
		rel, target string
		want        bool
	}{
		{"a", "b", true},
		{"a", "sub/x", true},
		{"sub/a", "../b", true},
		{"sub/a", "../../b", false},
		{"a", "..", false},
		{"a", "../a", false}, // leaves and comes back: refused
		{"a", "/etc/passwd", false},
		{"a", "", false},
		{"a", `..\..\x`, false},
		{"a", "d", true},     // a link to a link
		{"a", "d/x", false},  // through a link
		{"a", "d/", false},   // through a link
		{"a", "d/.", false},  // through a link
		{"a", "sub/l", true}, // a link to a link
		{"x/y/z", "../../d/../q", false},
		{"x/y/z", "../../q/../d", true},
		{"a", "./././b", true},
	}
	for _, tc := range tests {
		if got := linkInside(tc.rel, tc.target, links); got != tc.want {
			t.Errorf("linkInside(%q -> %q) = %v, want %v", tc.rel, tc.target, got, tc.want)
		}
	}
}

func TestBlobReader(t *testing.T) {
	f := getFixture(t)
	repo := f.mirror(t)
	br, err := repo.NewReader(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer br.Close()
	tests := []struct {
		name, commit, path string
		want               string
		found              bool
		err                error
	}{
		{"composer.json", f.c1, "composer.json", "", true, nil},
		{"content at v1.0.0", f.c1, "src/Lib.php", "<?php // v1\n", true, nil},
		{"content at v1.1.0", f.c2, "src/Lib.php", "<?php // v1.1\n", true, nil},
		{"monorepo child", f.c4, "packages/b/composer.json", `{"name": "acme/b"}` + "\n", true, nil},
		{"unusual name", f.c1, weirdName, "unusual characters\n", true, nil},
		{"empty file", f.c1, "empty.txt", "", true, nil},
		{"missing file", f.c1, "nope.json", "", false, nil},
		{"not yet added", f.c1, "packages/a/composer.json", "", false, nil},
		{"directory", f.c1, "src", "", false, nil},
		{"missing commit", strings.Repeat("0", 40), "composer.json", "", false, nil},
		{"bad commit", "v1.0.0", "composer.json", "", false, ErrInvalidArgument},
		{"dotdot path", f.c1, "../x", "", false, ErrInvalidArgument},
		{"absolute path", f.c1, "/composer.json", "", false, ErrInvalidArgument},
		{"newline path", f.c1, "a\nb", "", false, ErrInvalidArgument},
		{"still works after errors", f.c2, "README.md", "# lib\n", true, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			data, found, err := br.Read(tc.commit, tc.path)
			if !errors.Is(err, tc.err) || found != tc.found {
				t.Fatalf("Read = found %v, err %v; want %v, %v", found, err, tc.found, tc.err)
			}
			if tc.want != "" && string(data) != tc.want {
				t.Errorf("Read = %q, want %q", data, tc.want)
			}
		})
	}

	br.MaxSize = 5
	if _, _, err := br.Read(f.c1, "README.md"); !errors.Is(err, ErrBlobTooLarge) {
		t.Errorf("oversized read: %v", err)
	}
	br.MaxSize = DefaultMaxBlobSize
	if data, _, err := br.Read(f.c1, "README.md"); err != nil || string(data) != "# lib\n" {
		t.Errorf("read after oversized: %q, %v", data, err)
	}
}

// TestBlobReaderOneProcess reads many files concurrently and checks that
// they all went through a single git process.
func TestBlobReaderOneProcess(t *testing.T) {
	f := getFixture(t)
	repo := f.mirror(t)
	before := len(procsWithParent(t, "cat-file", os.Getpid()))
	br, err := repo.NewReader(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 8)
	for g := 0; g < 8; g++ {
		go func() {
			for i := 0; i < 50; i++ {
				for _, c := range []string{f.c1, f.c2, f.c3, f.c4} {
					if _, found, err := br.Read(c, "composer.json"); err != nil || !found {
						errs <- err
						return
					}
				}
			}
			errs <- nil
		}()
	}
	for g := 0; g < 8; g++ {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if n := len(procsWithParent(t, "cat-file", os.Getpid())) - before; n != 1 {
		t.Errorf("%d cat-file processes for 1600 reads, want 1", n)
	}
	if err := br.Close(); err != nil {
		t.Fatal(err)
	}
	if _, _, err := br.Read(f.c1, "composer.json"); err == nil {
		t.Error("Read after Close succeeded")
	}
}

func TestBlobReaderCancel(t *testing.T) {
	f := getFixture(t)
	repo := f.mirror(t)
	ctx, cancel := context.WithCancel(t.Context())
	br, err := repo.NewReader(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer br.Close()
	if _, found, err := br.Read(f.c1, "composer.json"); err != nil || !found {
		t.Fatal(found, err)
	}
	cancel()
	if _, _, err := br.Read(f.c1, "composer.json"); !errors.Is(err, context.Canceled) {
		t.Fatalf("Read after cancel = %v, want context.Canceled", err)
	}
}

func TestListFiles(t *testing.T) {
	f := getFixture(t)
	repo := f.mirror(t)
	composerJSON := func(p string) bool { return p == "composer.json" || strings.HasSuffix(p, "/composer.json") }
	tests := []struct {
		name   string
		commit string
		match  func(string) bool
		want   []string
	}{
		{"monorepo", f.c4, composerJSON, []string{"composer.json", "packages/a/composer.json", "packages/b/composer.json"}},
		{"before the monorepo", f.c1, composerJSON, []string{"composer.json"}},
		{"no symlinks", f.c1, func(p string) bool { return strings.HasPrefix(p, "link") }, nil},
		{"unusual name", f.c1, func(p string) bool { return strings.HasPrefix(p, "weird") }, []string{weirdName}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := repo.ListFiles(t.Context(), tc.commit, tc.match)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(got, "|") != strings.Join(tc.want, "|") {
				t.Errorf("ListFiles = %q, want %q", got, tc.want)
			}
		})
	}
	all, err := repo.ListFiles(t.Context(), f.c1, nil)
	if err != nil || len(all) < 15 {
		t.Errorf("ListFiles(nil) = %d files, %v", len(all), err)
	}
	if _, err := repo.ListFiles(t.Context(), "main", nil); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("ListFiles(main) = %v", err)
	}
	if _, err := repo.ListFiles(t.Context(), strings.Repeat("1", 40), nil); !errors.Is(err, ErrNotFound) {
		t.Errorf("ListFiles(missing) = %v", err)
	}
}

func TestBlobReaderTimeout(t *testing.T) {
	f := getFixture(t)
	repo := f.mirror(t)
	repo.opts.Timeout = 1 // nanosecond: the kill wins every race
	br, err := repo.NewReader(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer br.Close()
	br.Read(f.c1, "composer.json") // may or may not beat the timer
	if _, _, err := br.Read(f.c1, "composer.json"); !errors.Is(err, ErrTimeout) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Read after timeout = %v, want ErrTimeout", err)
	}
}

// TestArchiveSameInOtherTimeZone re-runs the test binary with another TZ:
// instances configured differently must produce the same bytes.
func TestArchiveSameInOtherTimeZone(t *testing.T) {
	f := getFixture(t)
	repo := f.mirror(t)
	_, info := archive(t, repo, f.c1, "", "p", f.rootExclude)
	if os.Getenv("VCS_TZ_CHILD") != "" {
		fmt.Println("SHA1=" + info.SHA1)
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestArchiveSameInOtherTimeZone$", "-test.v")
	cmd.Env = append(os.Environ(), "VCS_TZ_CHILD=1", "TZ=Pacific/Chatham")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "SHA1="+info.SHA1) {
		t.Fatalf("archive differs under TZ=Pacific/Chatham: want SHA1=%s\n%s", info.SHA1, out)
	}
}
