package scratch

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"
	"time"
)

// Open sweeps what dead instances left and keeps what live ones hold.
func TestStaleTempFilesSweptAtStart(t *testing.T) {
	root := t.TempDir()
	live, err := Open(root)
	if err != nil {
		t.Fatal(err)
	}
	defer live.Close()
	liveFile, err := live.CreateTemp("upload-*")
	if err != nil {
		t.Fatal(err)
	}
	defer liveFile.Close()

	old := time.Now().Add(-2 * StaleAge)
	write := func(path string, mtime time.Time) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(path, mtime, mtime); err != nil {
			t.Fatal(err)
		}
	}
	// A dead instance (lock file nobody holds), however young.
	write(filepath.Join(root, "dead", "cargoman-git-home-1", "x"), time.Now())
	write(filepath.Join(root, "dead.lock"), time.Now())
	// An orphan lock file.
	write(filepath.Join(root, "orphan.lock"), time.Now())
	// Leftovers without a lock: old ones go, young ones stay.
	write(filepath.Join(root, "multipart-123"), old)
	write(filepath.Join(root, "young-456"), time.Now())
	oldDir := filepath.Join(root, "nolock")
	write(filepath.Join(oldDir, "f"), old)
	if err := os.Chtimes(oldDir, old, old); err != nil {
		t.Fatal(err)
	}

	d, err := Open(root)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	for name, want := range map[string]bool{
		"dead": false, "dead.lock": false, "orphan.lock": false, "multipart-123": false, "nolock": false,
		"young-456": true, filepath.Base(live.Path()): true, filepath.Base(live.Path()) + ".lock": true,
		filepath.Base(d.Path()): true,
	} {
		_, err := os.Stat(filepath.Join(root, name))
		if got := err == nil; got != want {
			t.Errorf("%s: present %v, want %v", name, got, want)
		}
	}
	if _, err := os.Stat(liveFile.Name()); err != nil {
		t.Errorf("the live instance's file was swept: %v", err)
	}
}

// Close removes the instance directory with its files and its lock.
func TestCloseRemovesEverything(t *testing.T) {
	root := t.TempDir()
	d, err := Open(root)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.CreateTemp("a-*"); err != nil {
		t.Fatal(err)
	}
	if _, err := d.MkdirTemp("git-"); err != nil {
		t.Fatal(err)
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	if entries, _ := os.ReadDir(root); len(entries) != 0 {
		t.Fatalf("left in %s: %v", root, entries)
	}
}

// A failed spool leaves nothing; reader errors come back as they are,
// disk errors as ErrDisk.
func TestSpool(t *testing.T) {
	d, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	f, n, err := d.Spool(strings.NewReader("hello"), "s-*")
	if err != nil || n != 5 {
		t.Fatalf("spool: %d, %v", n, err)
	}
	buf := make([]byte, 5)
	if _, err := f.ReadAt(buf, 0); err != nil || string(buf) != "hello" {
		t.Fatalf("read back %q, %v", buf, err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	broken := errors.New("connection reset")
	if _, _, err := d.Spool(iotest.ErrReader(broken), "s-*"); !errors.Is(err, broken) || errors.Is(err, ErrDisk) {
		t.Fatalf("reader error: %v", err)
	}
	if entries, _ := os.ReadDir(d.Path()); len(entries) != 0 {
		t.Fatalf("left: %v", entries)
	}
}
