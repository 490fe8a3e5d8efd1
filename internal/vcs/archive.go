package vcs

import (
	"archive/zip"
	"bufio"
	"bytes"
	"compress/flate"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"path"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/cargoman/cargoman/internal/composer/exclude"
)

// Archive writes to w a zip of the tree of commit (or of its subdir, for a
// monorepo child) with every entry under the single top folder prefix + "/",
// and returns the sha1 and size of the bytes written.
//
// Content is what `git archive` produces: .gitattributes export-ignore is
// honoured (attributes of the repository root and of subdirectories both
// apply to a subdir archive) and export-subst is expanded. Composer's
// archive.exclude patterns (see internal/composer/exclude) are applied on top, on paths
// relative to subdir. git's tar stream is converted to zip on the fly, with
// no temporary files.
//
// The zip is deterministic: entries in git's tree order, every time stamp
// the commit time (UTC), modes normalised (0644, 0755 for executables,
// directories 0755), so one commit with the same arguments gives the same
// bytes on every run and every instance built with the same Go version
// (compress/flate output may change between Go releases). Exception: files
// with export-subst placeholders that depend on refs (%d, %D, describe) change
// when refs change, as they do in GitHub's archives.
//
// Files up to 1 MiB are deflated in memory (level 1 up to 8 KiB, level 6
// above) and stored instead when that does not make them smaller; larger
// files are streamed at level 6.
//
// Symlinks are kept as symlinks only when their target stays inside the
// archive without passing through another symlink; absolute and escaping
// links are dropped. Directory entries are written only for directories that
// end up with content.
//
// commit must be a full hex id; subdir empty or a clean relative path;
// prefix one path element. A commit or subdir missing from the mirror gives
// an error matching ErrNotFound.
func (r *Repo) Archive(ctx context.Context, commit, subdir, prefix string, excludes []string, w io.Writer) (ArchiveInfo, error) {
	if err := checkCommit(commit); err != nil {
		return ArchiveInfo{}, err
	}
	if subdir != "" {
		if err := checkRelPath("subdir", subdir); err != nil {
			return ArchiveInfo{}, err
		}
	}
	if err := checkPrefix(prefix); err != nil {
		return ArchiveInfo{}, err
	}
	args := []string{"archive", "--format=tar", commit}
	if subdir != "" {
		args = append(args, "--", subdir)
	}
	g := r.run.command(ctx, "archive", true, args...)
	// The subdir is a path, not a pattern.
	g.cmd.Env = append(g.cmd.Env[:len(g.cmd.Env):len(g.cmd.Env)], "GIT_LITERAL_PATHSPECS=1")
	stdout, err := g.cmd.StdoutPipe()
	if err != nil {
		g.cancel()
		return ArchiveInfo{}, err
	}
	if err := g.cmd.Start(); err != nil {
		g.cancel()
		return ArchiveInfo{}, g.errorFor(err)
	}

	bufs := archivePool.Get().(*archiveBuffers)
	defer archivePool.Put(bufs)
	bufs.in.Reset(stdout)
	bufs.out.Reset(w)
	defer bufs.out.Reset(nil) // do not keep the caller's writer alive
	cw := &countingWriter{w: bufs.out, h: sha1.New()}
	c := &tarToZip{
		zw:     zip.NewWriter(cw),
		prefix: prefix + "/",
		subdir: subdir,
		ex:     exclude.New(excludes),
		dirs:   map[string]bool{},
		links:  map[string]bool{},
		bufs:   bufs,
	}
	convErr := c.convert(newTarReader(bufs.in))
	if convErr == nil {
		_, _ = io.Copy(io.Discard, bufs.in) // tar padding; let git exit cleanly
		if err := bufs.out.Flush(); err != nil && cw.err == nil {
			cw.err = err
		}
	} else {
		g.cancel() // stop git if it is still writing
	}
	bufs.in.Reset(nil)
	waitErr := g.wait()

	switch {
	case cw.err != nil:
		return ArchiveInfo{}, cw.err
	case convErr != nil && errors.Is(convErr, ErrUnsafeTree):
		return ArchiveInfo{}, convErr
	case waitErr != nil:
		var ge *Error
		if errors.As(waitErr, &ge) && strings.Contains(ge.Stderr, "did not match any files") {
			ge.Kind = ErrNotFound
		}
		return ArchiveInfo{}, notFoundIfBadCommit(waitErr)
	case convErr != nil:
		return ArchiveInfo{}, fmt.Errorf("vcs: archive %s: %w", commit, convErr)
	}
	return ArchiveInfo{SHA1: hex.EncodeToString(cw.h.Sum(nil)), Size: cw.n, Files: c.files}, nil
}

// archiveBuffers are the buffers of one Archive call, pooled because a
// registry archives hundreds of versions in a row.
type archiveBuffers struct {
	in      *bufio.Reader // git's tar stream
	out     *bufio.Writer // to the caller: one write per 64 KiB
	copy    []byte        // streaming large files
	content []byte        // a small file
	packed  bytes.Buffer  // a small file, deflated
}

var archivePool = sync.Pool{New: func() any {
	return &archiveBuffers{
		in:   bufio.NewReaderSize(nil, 64<<10),
		out:  bufio.NewWriterSize(nil, 64<<10),
		copy: make([]byte, 32<<10),
	}
}}

// checkPrefix accepts one path element: the dist's top folder.
func checkPrefix(p string) error {
	if p == "" || p == "." || p == ".." || len(p) > 255 || strings.ContainsAny(p, "/\\\x00") {
		return fmt.Errorf("vcs: prefix %q: want one path element: %w", trunc(p), ErrInvalidArgument)
	}
	for i := 0; i < len(p); i++ {
		if p[i] < 0x20 || p[i] == 0x7f {
			return fmt.Errorf("vcs: prefix %q: control character: %w", trunc(p), ErrInvalidArgument)
		}
	}
	return nil
}

// countingWriter hashes and counts what reaches w and remembers w's error,
// so a failing destination is reported as such rather than as a git error.
type countingWriter struct {
	w   io.Writer
	h   hash.Hash
	n   int64
	err error
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.h.Write(p[:n])
	c.n += int64(n)
	if err != nil && c.err == nil {
		c.err = err
	}
	return n, err
}

type tarToZip struct {
	zw     *zip.Writer
	prefix string // "top/"
	subdir string
	ex     *exclude.Rules
	mtime  time.Time
	dirs   map[string]bool // directories written ("" is the top folder)
	links  map[string]bool // every symlink in the tree, for linkInside
	queued []pendingLink
	files  int
	bufs   *archiveBuffers
}

type pendingLink struct{ rel, target string }

func (c *tarToZip) convert(tr *tarReader) error {
	var (
		hdr        tarEntry
		globalTime int64
	)
	for {
		err := tr.next(&hdr)
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		if hdr.typ == tarGlobal {
			globalTime = hdr.mtime
			continue
		}
		if c.mtime.IsZero() {
			c.mtime = time.Unix(hdr.mtime, 0).UTC()
		}
		name := strings.TrimSuffix(hdr.name, "/")
		if err := checkTreePath(name); err != nil {
			return err
		}
		rel := name
		if c.subdir != "" {
			var ok bool
			if rel, ok = strings.CutPrefix(name, c.subdir+"/"); !ok {
				continue // the subdir itself and its parents
			}
		}
		if exclude.InVCSDir(rel) {
			continue
		}
		switch hdr.typ {
		case tarReg, tarRegA:
			if c.ex.Excluded(rel, false) {
				continue
			}
			if err := c.file(rel, &hdr, tr); err != nil {
				return err
			}
		case tarSymlink:
			c.links[rel] = true
			c.queued = append(c.queued, pendingLink{rel, hdr.linkname})
		}
		// Directories are written when something is put in them;
		// submodules (empty directories in git archive) vanish.
	}
	if c.mtime.IsZero() && globalTime != 0 {
		c.mtime = time.Unix(globalTime, 0).UTC()
	}
	// Symlinks last: deciding whether one is safe needs the full set.
	for _, l := range c.queued {
		if c.ex.Excluded(l.rel, false) || !linkInside(l.rel, l.target, c.links) {
			continue
		}
		if err := c.symlink(l.rel, l.target); err != nil {
			return err
		}
	}
	if !c.dirs[""] {
		if err := c.dir(""); err != nil {
			return err
		}
	}
	return c.zw.Close()
}

// checkTreePath refuses names no honest git tree holds.
func checkTreePath(name string) error {
	if !cleanRelPath(name) {
		return fmt.Errorf("vcs: %q: %w", trunc(name), ErrUnsafeTree)
	}
	return nil
}

// cleanRelPath reports whether p is a relative slash path without a
// leading '/' and without empty, "." or ".." elements.
func cleanRelPath(p string) bool {
	if p == "" || p[0] == '/' {
		return false
	}
	for _, el := range strings.Split(p, "/") {
		if el == "" || el == "." || el == ".." {
			return false
		}
	}
	return true
}

func (c *tarToZip) time() time.Time {
	if c.mtime.IsZero() {
		return time.Unix(0, 0).UTC()
	}
	return c.mtime
}

// parents writes the directory entries above rel that are not written yet.
func (c *tarToZip) parents(rel string) error {
	d := path.Dir(rel)
	if d == "." {
		d = ""
	}
	if c.dirs[d] {
		return nil
	}
	if d != "" {
		if err := c.parents(d); err != nil {
			return err
		}
	}
	return c.dir(d)
}

func (c *tarToZip) dir(rel string) error {
	c.dirs[rel] = true
	name := c.prefix
	if rel != "" {
		name += rel + "/"
	}
	fh := &zip.FileHeader{Name: name, Method: zip.Store}
	fh.SetMode(fs.ModeDir | 0o755)
	_, err := c.zw.CreateRaw(c.rawHeader(fh))
	return err
}

// rawHeader completes fh for zip.Writer.CreateRaw the way CreateHeader would
// (time stamps, UTF-8 flag, versions); CreateRaw writes fh as given.
func (c *tarToZip) rawHeader(fh *zip.FileHeader) *zip.FileHeader {
	t := c.time()
	fh.Modified = t
	fh.ModifiedDate = uint16(t.Day() + int(t.Month())<<5 + (t.Year()-1980)<<9)
	fh.ModifiedTime = uint16(t.Second()/2 + t.Minute()<<5 + t.Hour()<<11)
	// Extended timestamp (0x5455): flags 1 (mtime), seconds since 1970.
	mt := uint32(t.Unix())
	fh.Extra = append(fh.Extra, 0x55, 0x54, 5, 0, 1, byte(mt), byte(mt>>8), byte(mt>>16), byte(mt>>24))
	if needsUTF8Flag(fh.Name) {
		fh.Flags |= 0x800
	}
	fh.CreatorVersion = fh.CreatorVersion&0xff00 | 20
	fh.ReaderVersion = 20
	return fh
}

// needsUTF8Flag mirrors archive/zip: names that are valid UTF-8 and not
// plain CP-437-compatible ASCII get the UTF-8 flag.
func needsUTF8Flag(s string) bool {
	require := false
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		if r < 0x20 || r > 0x7d || r == 0x5c {
			if r == utf8.RuneError && size == 1 {
				return false
			}
			require = true
		}
	}
	return require
}

func (c *tarToZip) file(rel string, hdr *tarEntry, r io.Reader) error {
	if err := c.parents(rel); err != nil {
		return err
	}
	fh := &zip.FileHeader{Name: c.prefix + rel, Method: zip.Deflate}
	mode := fs.FileMode(0o644)
	if hdr.mode&0o111 != 0 {
		mode = 0o755
	}
	fh.SetMode(mode)
	if hdr.size <= smallFile {
		return c.smallFile(fh, hdr.size, r)
	}
	fh.Modified = c.time()
	fw, err := c.zw.CreateHeader(fh)
	if err != nil {
		return err
	}
	if _, err := io.CopyBuffer(fw, r, c.bufs.copy); err != nil {
		return err
	}
	c.files++
	return nil
}

// smallFile is the size up to which a file is compressed in memory: it is
// then stored as is when deflate does not make it smaller (as git does), and
// its sizes go in the local header instead of a trailing data descriptor.
// Most files of a PHP package are small; larger ones are streamed.
const smallFile = 1 << 20

// Deflate levels: level 1 for files up to tinyFile, level 6 (git's and
// zlib's default) above. compress/flate clears 640 KiB of tables per file at
// levels 2-9, which costs more than compressing a few KiB; level 1 resets
// cheaply and is only a few percent larger on such files. On larger files
// level 6 is worth its cost (10-20% smaller).
const tinyFile = 8 << 10

var flaters [2]sync.Pool // [0]: level 1, [1]: level 6

func (c *tarToZip) smallFile(fh *zip.FileHeader, size int64, r io.Reader) error {
	b := c.bufs
	if int64(cap(b.content)) < size {
		b.content = make([]byte, size)
	}
	data := b.content[:size]
	if _, err := io.ReadFull(r, data); err != nil {
		return err
	}
	fh.CRC32 = crc32.ChecksumIEEE(data)
	fh.UncompressedSize64 = uint64(size)
	out := data
	fh.Method = zip.Store
	if size > 0 {
		b.packed.Reset()
		pool, level := &flaters[0], flate.BestSpeed
		if size > tinyFile {
			pool, level = &flaters[1], flate.DefaultCompression
		}
		fw, _ := pool.Get().(*flate.Writer)
		if fw == nil {
			fw, _ = flate.NewWriter(&b.packed, level)
		} else {
			fw.Reset(&b.packed)
		}
		_, err := fw.Write(data)
		if err == nil {
			err = fw.Close()
		}
		pool.Put(fw)
		if err != nil {
			return err
		}
		if b.packed.Len() < len(data) {
			out, fh.Method = b.packed.Bytes(), zip.Deflate
		}
	}
	fh.CompressedSize64 = uint64(len(out))
	w, err := c.zw.CreateRaw(c.rawHeader(fh))
	if err != nil {
		return err
	}
	if _, err := w.Write(out); err != nil {
		return err
	}
	c.files++
	return nil
}

func (c *tarToZip) symlink(rel, target string) error {
	if err := c.parents(rel); err != nil {
		return err
	}
	fh := &zip.FileHeader{Name: c.prefix + rel, Method: zip.Store}
	fh.SetMode(os.ModeSymlink | 0o777)
	fh.CRC32 = crc32.ChecksumIEEE([]byte(target))
	fh.CompressedSize64 = uint64(len(target))
	fh.UncompressedSize64 = uint64(len(target))
	fw, err := c.zw.CreateRaw(c.rawHeader(fh))
	if err != nil {
		return err
	}
	if _, err := io.WriteString(fw, target); err != nil {
		return err
	}
	c.files++
	return nil
}

// linkInside reports whether the symlink rel -> target, resolved lexically
// from rel's directory, stays inside the archive root without ever leaving
// it and without passing through another symlink (whose own target could
// lead anywhere once extracted). Absolute targets and backslashes (a path
// separator on Windows) are refused.
func linkInside(rel, target string, links map[string]bool) bool {
	if target == "" || target[0] == '/' || strings.ContainsAny(target, "\\\x00") {
		return false
	}
	var stack []string
	if d := path.Dir(rel); d != "." {
		stack = strings.Split(d, "/")
	}
	parts := strings.Split(target, "/")
	for i, p := range parts {
		switch p {
		case "", ".":
			continue
		case "..":
			if len(stack) == 0 {
				return false
			}
			stack = stack[:len(stack)-1]
			continue
		}
		stack = append(stack, p)
		if links[strings.Join(stack, "/")] {
			last := true
			for _, q := range parts[i+1:] {
				if q != "" && q != "." {
					last = false
				}
			}
			if !last || strings.HasSuffix(target, "/") || strings.HasSuffix(target, "/.") {
				return false
			}
		}
	}
	return true
}
