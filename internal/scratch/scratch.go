// Package scratch owns the server's temporary files. Each running instance
// gets its own directory under DATA_DIR/tmp, locked for the life of the
// process, so temporary files never land in the system's /tmp, never mix
// with another instance's, and what a crashed instance left behind is swept
// when the next one starts.
package scratch

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// StaleAge is how old an entry of the root must be before Open sweeps it
// when no lock says whether its instance still runs (an entry without a
// lock file, or a platform without file locks).
const StaleAge = time.Hour

// lockSuffix names an instance's lock file, beside its directory.
const lockSuffix = ".lock"

// Dir is one instance's scratch directory.
type Dir struct {
	path   string
	unlock func()
}

// Open sweeps stale instance directories under root (DATA_DIR/tmp) and
// creates and locks a fresh one for this instance. Close removes it.
func Open(root string) (*Dir, error) {
	if err := os.MkdirAll(root, 0o700); err != nil {
		return nil, fmt.Errorf("scratch: create %s: %w", root, err)
	}
	if err := sweep(root, time.Now()); err != nil {
		return nil, err
	}
	id := strings.ToLower(rand.Text())
	// The lock is taken before the directory exists, so a sweeping
	// instance never sees a directory whose owner has not locked it yet.
	unlock, err := lock(filepath.Join(root, id+lockSuffix))
	if err != nil {
		return nil, fmt.Errorf("scratch: lock instance directory: %w", err)
	}
	path := filepath.Join(root, id)
	if err := os.Mkdir(path, 0o700); err != nil {
		unlock()
		return nil, fmt.Errorf("scratch: create instance directory: %w", err)
	}
	return &Dir{path: path, unlock: func() {
		_ = os.Remove(filepath.Join(root, id+lockSuffix))
		unlock()
	}}, nil
}

// Path is the instance's directory.
func (d *Dir) Path() string { return d.path }

// Close removes the directory with whatever is left in it and releases
// the lock.
func (d *Dir) Close() error {
	err := os.RemoveAll(d.path)
	d.unlock()
	if err != nil {
		return fmt.Errorf("scratch: remove %s: %w", d.path, err)
	}
	return nil
}

// MkdirTemp creates a new directory in d (as os.MkdirTemp); the caller
// removes it.
func (d *Dir) MkdirTemp(pattern string) (string, error) {
	p, err := os.MkdirTemp(d.path, pattern)
	if err != nil {
		return "", fmt.Errorf("scratch: %w", err)
	}
	return p, nil
}

// File is a temporary file that disappears when closed.
type File struct {
	*os.File
}

// Close closes and removes the file.
func (f *File) Close() error {
	err := f.File.Close()
	if rerr := os.Remove(f.Name()); rerr != nil && !errors.Is(rerr, fs.ErrNotExist) && err == nil {
		err = rerr
	}
	return err
}

// CreateTemp creates a new file in d (as os.CreateTemp) that is removed
// when closed.
func (d *Dir) CreateTemp(pattern string) (*File, error) {
	f, err := os.CreateTemp(d.path, pattern)
	if err != nil {
		return nil, fmt.Errorf("scratch: %w", err)
	}
	return &File{File: f}, nil
}

// ErrDisk marks errors of the scratch directory itself (creating, writing,
// rewinding a file), as opposed to errors of the reader being spooled.
var ErrDisk = errors.New("scratch: disk error")

// Spool copies r into a new temporary file and rewinds it, so a reader that
// must seek (a zip) gets random access without holding the data in memory.
// On error nothing is left behind. Errors of r come back as they are (so
// callers can tell a body over its limit from a broken one); errors of the
// disk match ErrDisk.
func (d *Dir) Spool(r io.Reader, pattern string) (*File, int64, error) {
	f, err := d.CreateTemp(pattern)
	if err != nil {
		return nil, 0, fmt.Errorf("%w: %w", ErrDisk, err)
	}
	n, err := io.Copy(diskWriter{f.File}, r)
	if err == nil {
		if _, serr := f.Seek(0, io.SeekStart); serr != nil {
			err = fmt.Errorf("%w: %w", ErrDisk, serr)
		}
	}
	if err != nil {
		_ = f.Close()
		return nil, 0, err
	}
	return f, n, nil
}

// diskWriter marks write errors with ErrDisk. It hides ReadFrom, so
// io.Copy reads and writes in turn and each error has a clear side.
type diskWriter struct{ f *os.File }

func (w diskWriter) Write(p []byte) (int, error) {
	n, err := w.f.Write(p)
	if err != nil {
		err = fmt.Errorf("%w: %w", ErrDisk, err)
	}
	return n, err
}

// sweep removes what dead instances left under root: directories whose lock
// file no live process holds, and entries without a lock older than
// StaleAge at now.
func sweep(root string, now time.Time) error {
	entries, err := os.ReadDir(root)
	if err != nil {
		return fmt.Errorf("scratch: read %s: %w", root, err)
	}
	var errs []error
	for _, e := range entries {
		name := e.Name()
		if strings.HasSuffix(name, lockSuffix) {
			// A lock file goes with its directory; an orphan one (its
			// directory already removed) goes once nobody holds it.
			if _, err := os.Lstat(filepath.Join(root, strings.TrimSuffix(name, lockSuffix))); errors.Is(err, fs.ErrNotExist) {
				if unlock, ok := tryLock(filepath.Join(root, name)); ok {
					_ = os.Remove(filepath.Join(root, name))
					unlock()
				}
			}
			continue
		}
		path := filepath.Join(root, name)
		lockPath := path + lockSuffix
		if _, err := os.Stat(lockPath); err == nil {
			unlock, ok := tryLock(lockPath)
			if !ok {
				continue // a live instance's
			}
			if err := os.RemoveAll(path); err != nil {
				errs = append(errs, err)
			}
			_ = os.Remove(lockPath)
			unlock()
			continue
		}
		info, err := e.Info()
		if err != nil || now.Sub(info.ModTime()) < StaleAge {
			continue
		}
		if err := os.RemoveAll(path); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("scratch: sweep %s: %w", root, err)
	}
	return nil
}
