package artifact

import (
	"archive/zip"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// distTime is every entry's modification time in a repacked dist: the zip
// epoch, as reproducible-build tools use, so identical content gives an
// identical archive whatever the uploader's clock said.
func distTime() time.Time { return time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC) }

// Repack is RepackWithOptions with the default limits.
func Repack(r io.ReaderAt, size int64, prefix string, w io.Writer) (sha1sum string, n int64, err error) {
	return RepackWithOptions(r, size, prefix, w, Options{})
}

// RepackWithOptions checks the upload exactly as Inspect does (pass the same
// opts) and writes it to w as a Composer dist: a zip whose only top-level
// entry is the folder prefix/, holding the package root (the archive root,
// or its single top-level folder). It returns the hex SHA-1 of what it wrote
// (the "shasum" of Composer's dist metadata) and the number of bytes.
//
// The output is deterministic: files sorted by path, folder entries,
// __MACOSX junk and version-control folders (.git/, .svn/ ...) dropped, every entry deflated with the same timestamp
// (1980-01-01) and mode 0644, or 0755 when any execute bit was set. The same
// input therefore gives byte-identical output with the same Go release (a
// future compress/flate may compress differently, so store the returned
// SHA-1 rather than expect it to be recomputable forever). Nothing else is
// changed: composer.json's "archive.exclude" is not applied, because an
// uploaded artifact is already the dist its author built, which Composer's
// artifact repository serves unmodified too.
//
// All checks run before the first byte is written, so a rejected upload
// leaves w untouched; an I/O error while writing can leave partial output.
func RepackWithOptions(r io.ReaderAt, size int64, prefix string, w io.Writer, opts Options) (sha1sum string, n int64, err error) {
	if problem := validPrefix(prefix); problem != "" {
		return "", 0, fmt.Errorf("%w: %s %s", ErrInvalidPrefix, quote(prefix), problem)
	}
	_, s, err := inspect(r, size, opts.withDefaults())
	if err != nil {
		return "", 0, err
	}

	type file struct {
		rel string
		e   *entry
	}
	files := make([]file, 0, len(s.entries))
	for i := range s.entries {
		e := &s.entries[i]
		if e.dir || e.junk {
			continue
		}
		rel := e.name
		if s.root != "" {
			rel = strings.TrimPrefix(rel, s.root+"/")
		}
		files = append(files, file{rel, e})
	}
	slices.SortFunc(files, func(a, b file) int { return strings.Compare(a.rel, b.rel) })

	hash := sha1.New()
	counted := &countingWriter{w: io.MultiWriter(w, hash)}
	zw := zip.NewWriter(counted)
	for _, f := range files {
		h := &zip.FileHeader{Name: prefix + "/" + f.rel, Method: zip.Deflate, Modified: distTime()}
		mode := f.e.f.Mode()
		if mode&0o111 != 0 {
			h.SetMode(0o755)
		} else {
			h.SetMode(0o644)
		}
		fw, err := zw.CreateHeader(h)
		if err != nil {
			return "", counted.n, fmt.Errorf("artifact: writing the repacked archive: %w", err)
		}
		if _, err := readEntry(f.e, fw); err != nil {
			if s.reader.err != nil {
				return "", counted.n, fmt.Errorf("artifact: reading the archive: %w", s.reader.err)
			}
			if IsInvalid(err) {
				// The reader changed between the two passes.
				return "", counted.n, err
			}
			return "", counted.n, fmt.Errorf("artifact: writing the repacked archive: %w", err)
		}
	}
	if err := zw.Close(); err != nil {
		return "", counted.n, fmt.Errorf("artifact: writing the repacked archive: %w", err)
	}
	return hex.EncodeToString(hash.Sum(nil)), counted.n, nil
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
