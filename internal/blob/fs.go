package blob

import (
	"context"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"strings"
	"syscall"
	"time"
)

// tmpDir holds in-progress Puts. Keys cannot start a segment with a dot, so
// it can never collide with an object, and List skips it.
const tmpDir = ".tmp"

// staleTemp is how old a temp file must be before NewFS removes it as the
// leftover of a crashed Put. Generous, so that a slow upload still being
// written by another process sharing the directory is left alone.
const staleTemp = 24 * time.Hour

// Permissions: dist archives of private packages are readable by the
// server's user only.
const (
	dirPerm  = 0o700
	filePerm = 0o600
)

// renameAttempts bounds retries of the final rename when a concurrent Delete
// prunes the freshly created parent directory.
const renameAttempts = 10

// FS is a Store in a local directory. Each object is a file at its key's
// path below the directory; writes go to a temp file in dir/.tmp that is
// fsynced and then renamed into place, so readers never see partial data.
//
// All access goes through an os.Root, so even a symlink planted inside the
// directory cannot lead outside it.
//
// Limits of the file system layout: a key cannot be both an object and a
// prefix directory of another key ("a/b" and "a/b/c"); such a Put fails.
// Atomic replacement relies on POSIX rename semantics.
type FS struct {
	root *os.Root
}

var _ Store = (*FS)(nil)

// NewFS opens (creating it if needed) the store directory dir. It also
// removes temp files older than a day left by Puts that crashed. Call Close
// when done.
func NewFS(dir string) (*FS, error) {
	if dir == "" {
		return nil, errors.New("blob: NewFS: empty directory")
	}
	if err := os.MkdirAll(dir, dirPerm); err != nil {
		return nil, fmt.Errorf("blob: create store directory: %w", err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("blob: open store directory: %w", err)
	}
	if err := root.MkdirAll(tmpDir, dirPerm); err != nil {
		root.Close()
		return nil, fmt.Errorf("blob: create temp directory: %w", err)
	}
	s := &FS{root: root}
	if err := s.removeStaleTemp(time.Now().Add(-staleTemp)); err != nil {
		root.Close()
		return nil, err
	}
	return s, nil
}

// Close releases the directory handle. The FS must not be used afterwards;
// Objects already open stay readable.
func (s *FS) Close() error {
	if err := s.root.Close(); err != nil {
		return fmt.Errorf("blob: close store: %w", err)
	}
	return nil
}

func (s *FS) removeStaleTemp(before time.Time) error {
	entries, err := fs.ReadDir(s.root.FS(), tmpDir)
	if err != nil {
		return fmt.Errorf("blob: read temp directory: %w", err)
	}
	for _, e := range entries {
		info, err := e.Info()
		if err != nil || !info.ModTime().Before(before) {
			continue // vanished meanwhile, or possibly still being written
		}
		if err := s.root.Remove(path.Join(tmpDir, e.Name())); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("blob: remove stale temp file: %w", err)
		}
	}
	return nil
}

// Put implements Store.
func (s *FS) Put(ctx context.Context, key string, r io.Reader) (info Info, err error) {
	if err := ValidateKey(key); err != nil {
		return Info{}, err
	}
	if err := ctx.Err(); err != nil {
		return Info{}, fmt.Errorf("blob: put %q: %w", key, err)
	}

	tmp := path.Join(tmpDir, rand.Text()+".part")
	f, err := s.root.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, filePerm)
	if err != nil {
		return Info{}, fmt.Errorf("blob: put %q: create temp file: %w", key, err)
	}
	closed, committed := false, false
	defer func() {
		if !closed {
			f.Close()
		}
		if !committed {
			s.root.Remove(tmp)
		}
	}()

	h1, h256 := sha1.New(), sha256.New()
	buf := make([]byte, 128<<10)
	n, err := io.CopyBuffer(io.MultiWriter(f, h1, h256), ctxReader{ctx, r}, buf)
	if err != nil {
		return Info{}, fmt.Errorf("blob: put %q: write: %w", key, err)
	}
	if err := f.Sync(); err != nil {
		return Info{}, fmt.Errorf("blob: put %q: sync: %w", key, err)
	}
	st, err := f.Stat()
	if err != nil {
		return Info{}, fmt.Errorf("blob: put %q: stat temp file: %w", key, err)
	}
	closed = true
	if err := f.Close(); err != nil {
		return Info{}, fmt.Errorf("blob: put %q: close temp file: %w", key, err)
	}
	// Last chance to back out before the object becomes visible.
	if err := ctx.Err(); err != nil {
		return Info{}, fmt.Errorf("blob: put %q: %w", key, err)
	}
	if err := s.rename(tmp, key); err != nil {
		return Info{}, fmt.Errorf("blob: put %q: %w", key, err)
	}
	committed = true
	s.syncDir(path.Dir(key))

	return Info{
		Size:    n,
		ModTime: st.ModTime(),
		SHA1:    hex.EncodeToString(h1.Sum(nil)),
		SHA256:  hex.EncodeToString(h256.Sum(nil)),
	}, nil
}

// rename moves the finished temp file to key, creating parent directories.
// A concurrent Delete may prune an empty parent between MkdirAll and Rename,
// so a missing parent is retried a few times.
func (s *FS) rename(tmp, key string) error {
	dir := path.Dir(key)
	var err error
	for range renameAttempts {
		if dir != "." {
			if err = s.root.MkdirAll(dir, dirPerm); err != nil {
				err = fmt.Errorf("create directory: %w", err)
				if errors.Is(err, fs.ErrNotExist) {
					continue
				}
				return err
			}
		}
		if err = s.root.Rename(tmp, key); err == nil {
			return nil
		}
		err = fmt.Errorf("rename into place: %w", err)
		if !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	return err
}

// syncDir makes a rename durable. It is best effort: the object is already
// visible, and some file systems do not support fsync on directories.
func (s *FS) syncDir(dir string) {
	d, err := s.root.Open(dir)
	if err != nil {
		return
	}
	_ = d.Sync()
	d.Close()
}

// Open implements Store. The returned Object wraps an *os.File, so
// http.ServeContent can use sendfile for it.
func (s *FS) Open(ctx context.Context, key string) (Object, error) {
	if err := ValidateKey(key); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("blob: open %q: %w", key, err)
	}
	f, err := s.root.Open(key)
	if err != nil {
		return nil, fmt.Errorf("blob: open %q: %w", key, notFound(err))
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("blob: open %q: stat: %w", key, err)
	}
	if !st.Mode().IsRegular() {
		f.Close()
		return nil, fmt.Errorf("blob: open %q: %w", key, ErrNotFound)
	}
	return &fileObject{File: f, info: Info{Size: st.Size(), ModTime: st.ModTime()}}, nil
}

// fileObject embeds *os.File (rather than hiding it) so that its
// SyscallConn method stays visible to net's sendfile path.
type fileObject struct {
	*os.File
	info Info
}

func (o *fileObject) Info() Info { return o.info }

// Stat implements Store.
func (s *FS) Stat(ctx context.Context, key string) (Info, error) {
	if err := ValidateKey(key); err != nil {
		return Info{}, err
	}
	if err := ctx.Err(); err != nil {
		return Info{}, fmt.Errorf("blob: stat %q: %w", key, err)
	}
	st, err := s.root.Stat(key)
	if err != nil {
		return Info{}, fmt.Errorf("blob: stat %q: %w", key, notFound(err))
	}
	if !st.Mode().IsRegular() {
		return Info{}, fmt.Errorf("blob: stat %q: %w", key, ErrNotFound)
	}
	return Info{Size: st.Size(), ModTime: st.ModTime()}, nil
}

// Delete implements Store. It also removes parent directories left empty,
// up to the store root.
func (s *FS) Delete(ctx context.Context, key string) error {
	if err := ValidateKey(key); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("blob: delete %q: %w", key, err)
	}
	st, err := s.root.Lstat(key)
	if err != nil {
		if errors.Is(notFound(err), ErrNotFound) {
			return nil
		}
		return fmt.Errorf("blob: delete %q: %w", key, err)
	}
	if st.IsDir() {
		return nil // a prefix of other keys, not an object
	}
	if err := s.root.Remove(key); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("blob: delete %q: %w", key, err)
	}
	// Prune empty parents; Remove fails on the first non-empty one.
	for dir := path.Dir(key); dir != "."; dir = path.Dir(dir) {
		if s.root.Remove(dir) != nil {
			break
		}
	}
	return nil
}

// List implements Store.
func (s *FS) List(ctx context.Context, prefix string, fn func(key string, info Info) error) error {
	if err := validatePrefix(prefix); err != nil {
		return err
	}
	// Walk only the deepest directory the prefix fully names.
	start := "."
	if i := strings.LastIndexByte(prefix, '/'); i >= 0 {
		start = prefix[:i]
	}
	errStop := errors.New("stop") // distinguishes fn's error from walk errors
	var fnErr error
	err := fs.WalkDir(s.root.FS(), start, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(notFound(err), ErrNotFound) {
				return nil // start missing, or pruned by a concurrent Delete
			}
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if p == "." {
			return nil
		}
		if strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return fs.SkipDir // the temp directory
			}
			return nil
		}
		if d.IsDir() {
			if strings.HasPrefix(p+"/", prefix) || strings.HasPrefix(prefix, p+"/") {
				return nil
			}
			return fs.SkipDir
		}
		if !d.Type().IsRegular() || !strings.HasPrefix(p, prefix) {
			return nil
		}
		st, err := d.Info()
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil // deleted meanwhile
			}
			return err
		}
		if err := fn(p, Info{Size: st.Size(), ModTime: st.ModTime()}); err != nil {
			fnErr = err
			return errStop
		}
		return nil
	})
	if fnErr != nil {
		return fnErr
	}
	if err != nil {
		return fmt.Errorf("blob: list %q: %w", prefix, err)
	}
	return nil
}

// notFound maps "no such file" (including a path through a regular file,
// ENOTDIR) to ErrNotFound and leaves other errors alone.
func notFound(err error) error {
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
		return ErrNotFound
	}
	return err
}

// ctxReader stops a copy once ctx is done.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
