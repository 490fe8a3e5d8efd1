package artifact

import (
	"archive/zip"
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"slices"
	"strings"

	"github.com/cargoman/cargoman/internal/composerjson"
)

// Artifact describes an accepted upload.
type Artifact struct {
	// Manifest is the parsed composer.json; its name is valid.
	Manifest *composerjson.Manifest
	// ComposerJSON is the file as uploaded.
	ComposerJSON []byte
	// Root is the folder holding composer.json: "" when it is at the
	// archive root, else the single top-level folder's name (no slash).
	Root string
	// Files counts the regular files of the package (folders and
	// __MACOSX junk excluded): what Repack writes.
	Files int
	// UncompressedSize adds up those files' sizes.
	UncompressedSize int64
}

// entry is one checked central directory record.
type entry struct {
	f    *zip.File
	name string // cleaned, without trailing slash
	dir  bool
	junk bool
	off  int64 // where the data starts, for files
}

// scan is what both Inspect and Repack need from a checked archive.
type scan struct {
	entries  []entry // in central directory order, root folder entries left out
	root     string
	composer *entry
	reader   *guardedReaderAt
}

// Inspect checks an uploaded zip (see the package comment for every rule) and
// returns its composer.json and layout. r is read with many small ReadAt
// calls and every entry is decompressed once, so spool the upload to a local
// file (or memory) first rather than pass a remote object. opts' zero fields
// take the defaults.
func Inspect(r io.ReaderAt, size int64, opts Options) (*Artifact, error) {
	a, _, err := inspect(r, size, opts.withDefaults())
	return a, err
}

func inspect(r io.ReaderAt, size int64, opts Options) (*Artifact, *scan, error) {
	if size < 0 {
		return nil, nil, fmt.Errorf("artifact: negative archive size %d", size)
	}
	if size > opts.MaxArchiveSize {
		return nil, nil, fmt.Errorf("%w: %s, the limit is %s", ErrArchiveTooLarge, humanSize(size), humanSize(opts.MaxArchiveSize))
	}
	gr := &guardedReaderAt{r: r}

	// archive/zip loads the whole central directory before we can count
	// it; a 64 MiB archive can declare over a million entries. Each entry
	// it loads starts with a directory header signature, so counting those
	// first bounds what it will allocate.
	if n, err := countSignatures(gr, size, opts.MaxFiles); err != nil {
		return nil, nil, fmt.Errorf("artifact: reading the archive: %w", err)
	} else if int64(n) > opts.MaxFiles {
		return nil, nil, fmt.Errorf("%w: more than %d", ErrTooManyFiles, opts.MaxFiles)
	}
	zr, err := zip.NewReader(gr, size)
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		if gr.err != nil {
			return nil, nil, fmt.Errorf("artifact: reading the archive: %w", gr.err)
		}
		return nil, nil, fmt.Errorf("%w (%v)", ErrNotZip, err)
	}
	if int64(len(zr.File)) > opts.MaxFiles {
		return nil, nil, fmt.Errorf("%w: %d, the limit is %d", ErrTooManyFiles, len(zr.File), opts.MaxFiles)
	}

	s, err := checkEntries(zr.File, size, opts)
	if err != nil {
		if gr.err != nil {
			return nil, nil, fmt.Errorf("artifact: reading the archive: %w", gr.err)
		}
		return nil, nil, err
	}
	s.reader = gr
	if err := s.locateComposerJSON(); err != nil {
		return nil, nil, err
	}

	// Decompress everything once: sizes and checksums are only known
	// once read. Reading in data order keeps access sequential.
	a := &Artifact{Root: s.root}
	for _, e := range byOffset(s.entries) {
		var sink io.Writer = io.Discard
		var buf *bytes.Buffer
		if &s.entries[e] == s.composer {
			buf = &bytes.Buffer{}
			sink = buf
		}
		n, err := readEntry(&s.entries[e], sink)
		if err != nil {
			if gr.err != nil {
				return nil, nil, fmt.Errorf("artifact: reading the archive: %w", gr.err)
			}
			return nil, nil, err
		}
		if buf != nil {
			a.ComposerJSON = buf.Bytes()
		}
		if !s.entries[e].junk {
			a.Files++
			a.UncompressedSize += n
		}
	}

	m, err := composerjson.Parse(a.ComposerJSON)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %w", ErrInvalidComposerJSON, err)
	}
	if _, ok := m.Raw("name"); !ok {
		return nil, nil, fmt.Errorf("%w: composer.json has no \"name\"; add the package name, e.g. \"acme/widget\"", ErrInvalidComposerJSON)
	}
	if err := composerjson.CheckName(m.Name()); err != nil {
		return nil, nil, fmt.Errorf("%w: composer.json \"name\": %w", ErrInvalidComposerJSON, err)
	}
	if err := composerjson.CheckServed(m); err != nil {
		return nil, nil, fmt.Errorf("%w: %w", ErrInvalidComposerJSON, err)
	}
	a.Manifest = m
	return a, s, nil
}

// checkEntries applies the per-entry rules to the central directory, which
// costs no decompression.
func checkEntries(files []*zip.File, size int64, opts Options) (*scan, error) {
	s := &scan{entries: make([]entry, 0, len(files))}
	kinds := make(map[string]bool, len(files)) // name -> is a folder
	var total uint64
	for _, f := range files {
		name, dirByName, problem := cleanName(f.Name)
		if problem != "" {
			return nil, entryError(ErrUnsafePath, f.Name, "%s", problem)
		}
		mode := f.Mode()
		switch {
		case mode&fs.ModeSymlink != 0:
			return nil, entryError(ErrSymlink, f.Name, "is a symbolic link; archive the file it points to instead")
		case mode&(fs.ModeDevice|fs.ModeCharDevice|fs.ModeNamedPipe|fs.ModeSocket|fs.ModeIrregular) != 0:
			return nil, entryError(ErrUnsupportedEntry, f.Name, "is not a regular file or folder")
		case f.Flags&0x1 != 0:
			return nil, entryError(ErrUnsupportedEntry, f.Name, "is encrypted; upload an archive without a password")
		}
		dir := dirByName || mode.IsDir()
		if dir {
			if f.UncompressedSize64 > 0 {
				return nil, entryError(ErrUnsupportedEntry, f.Name, "is a folder with content")
			}
		} else {
			if name == "" {
				return nil, entryError(ErrUnsafePath, f.Name, "has an empty file name")
			}
			if f.Method != zip.Store && f.Method != zip.Deflate {
				return nil, entryError(ErrUnsupportedEntry, f.Name, "uses compression method %d; only stored and deflate are supported", f.Method)
			}
			if f.UncompressedSize64 > uint64(opts.MaxFileSize) {
				return nil, entryError(ErrFileTooLarge, f.Name, "is %s uncompressed, the limit is %s", humanSize(clampInt64(f.UncompressedSize64)), humanSize(opts.MaxFileSize))
			}
			total += f.UncompressedSize64
			if total > uint64(opts.MaxTotalUncompressed) {
				return nil, fmt.Errorf("%w: the files add up to more than %s", ErrUncompressedTooLarge, humanSize(opts.MaxTotalUncompressed))
			}
			if f.UncompressedSize64 > ratioMinSize &&
				(f.CompressedSize64 == 0 || f.UncompressedSize64/f.CompressedSize64 > uint64(opts.MaxCompressionRatio)) {
				return nil, entryError(ErrZipBomb, f.Name, "expands from %s to %s, more than %d times", humanSize(clampInt64(f.CompressedSize64)), humanSize(clampInt64(f.UncompressedSize64)), opts.MaxCompressionRatio)
			}
		}
		if name == "" {
			continue // the root folder itself ("./")
		}
		if wasDir, seen := kinds[name]; seen && !(wasDir && dir) {
			return nil, entryError(ErrDuplicateEntry, f.Name, "appears more than once (as %s)", quote(name))
		}
		kinds[name] = dir
		s.entries = append(s.entries, entry{f: f, name: name, dir: dir, junk: isJunk(name)})
	}
	// A path cannot be a file and also hold other entries.
	for _, e := range s.entries {
		for p := e.name; ; {
			i := strings.LastIndexByte(p, '/')
			if i < 0 {
				break
			}
			p = p[:i]
			if isDir, seen := kinds[p]; seen && !isDir {
				return nil, entryError(ErrDuplicateEntry, p, "is a file but also a folder holding %s", quote(e.name))
			}
		}
	}
	if err := checkOverlap(s.entries, size); err != nil {
		return nil, err
	}
	return s, nil
}

// checkOverlap rejects entries whose data lies outside the archive or
// overlaps another entry's: the "better zip bomb" points thousands of
// entries at one highly compressed blob, which the per-entry limits alone
// would let through.
func checkOverlap(entries []entry, size int64) error {
	order := make([]int, 0, len(entries))
	for i := range entries {
		e := &entries[i]
		if e.dir {
			continue
		}
		off, err := e.f.DataOffset()
		if err != nil {
			return entryError(ErrCorrupt, e.f.Name, "has an unreadable local header")
		}
		if e.f.CompressedSize64 > uint64(size) || off+int64(e.f.CompressedSize64) > size {
			return entryError(ErrCorrupt, e.f.Name, "has data past the end of the archive")
		}
		e.off = off
		order = append(order, i)
	}
	sortByOffset(entries, order)
	for k := 1; k < len(order); k++ {
		prev, cur := &entries[order[k-1]], &entries[order[k]]
		if cur.off < prev.off+int64(prev.f.CompressedSize64) {
			return entryError(ErrZipBomb, cur.f.Name, "shares its data with %s", quote(prev.f.Name))
		}
	}
	return nil
}

// locateComposerJSON finds composer.json the way Composer's Zip::locateFile
// does: at the root if present, else in the only top-level folder; more than
// one top-level entry without a root composer.json is an error. __MACOSX
// junk is ignored, as there.
func (s *scan) locateComposerJSON() error {
	files := make(map[string]*entry)
	top := map[string]bool{} // top-level path ("dir/" or "file") -> seen
	for i := range s.entries {
		e := &s.entries[i]
		if e.junk {
			continue
		}
		if !e.dir {
			files[e.name] = e
		}
		first, _, nested := strings.Cut(e.name, "/")
		if nested || e.dir {
			top[first+"/"] = true
		} else {
			top[first] = true
		}
	}
	if e := files["composer.json"]; e != nil {
		s.root, s.composer = "", e
		return nil
	}
	if len(top) == 0 {
		return fmt.Errorf("%w: the archive is empty", ErrNoComposerJSON)
	}
	if len(top) > 1 {
		names := make([]string, 0, len(top))
		for k := range top {
			names = append(names, k)
		}
		slices.Sort(names)
		list := make([]string, 0, 5)
		for _, n := range names[:min(len(names), 5)] {
			list = append(list, quote(n))
		}
		more := ""
		if len(names) > 5 {
			more = fmt.Sprintf(" and %d more", len(names)-5)
		}
		return fmt.Errorf("%w: there is none at the top level, and the archive has %d top-level entries (%s%s) instead of a single package folder",
			ErrNoComposerJSON, len(names), strings.Join(list, ", "), more)
	}
	for k := range top {
		folder, isDir := strings.CutSuffix(k, "/")
		if e := files[folder+"/composer.json"]; isDir && e != nil {
			s.root, s.composer = folder, e
			return nil
		}
		if isDir {
			return fmt.Errorf("%w: neither at the top level nor in the folder %s", ErrNoComposerJSON, quote(k))
		}
	}
	return fmt.Errorf("%w: the archive holds a single file and no composer.json", ErrNoComposerJSON)
}

// byOffset returns the indexes of the file entries in the order of their
// data in the archive (offsets were set by checkOverlap).
func byOffset(entries []entry) []int {
	order := make([]int, 0, len(entries))
	for i, e := range entries {
		if !e.dir {
			order = append(order, i)
		}
	}
	sortByOffset(entries, order)
	return order
}

func sortByOffset(entries []entry, order []int) {
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(entries[a].off, entries[b].off) })
}

func clampInt64(v uint64) int64 {
	if v > 1<<63-1 {
		return 1<<63 - 1
	}
	return int64(v)
}

var errNegativeOffset = errors.New("negative offset")

// guardedReaderAt remembers the first real I/O error of the caller's reader,
// so a failing disk is not reported to the uploader as a corrupt archive.
type guardedReaderAt struct {
	r   io.ReaderAt
	err error
}

func (g *guardedReaderAt) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		// A damaged directory can make archive/zip compute a negative
		// offset: the archive's fault, not the reader's.
		return 0, errNegativeOffset
	}
	n, err := g.r.ReadAt(p, off)
	if err != nil && err != io.EOF && g.err == nil {
		g.err = err
	}
	return n, err
}

// countSignatures counts central directory header signatures ("PK\x01\x02")
// in the archive, stopping once it has seen more than limit.
func countSignatures(r io.ReaderAt, size int64, limit int64) (int, error) {
	sig := []byte("PK\x01\x02")
	buf := make([]byte, 256<<10)
	count := 0
	for off := int64(0); off < size; {
		chunk := buf[:min(int64(len(buf)), size-off)]
		n, err := r.ReadAt(chunk, off)
		count += bytes.Count(chunk[:n], sig)
		switch {
		case err == io.EOF || err == io.ErrUnexpectedEOF:
			return count, nil // the end, or shorter than size: archive/zip will say
		case err != nil:
			return 0, err
		case int64(count) > limit || off+int64(n) >= size:
			return count, nil
		}
		// Overlap by len(sig)-1 so a signature across chunks is seen once.
		off += int64(n - (len(sig) - 1))
	}
	return count, nil
}
