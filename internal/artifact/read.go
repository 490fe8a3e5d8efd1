package artifact

import (
	"archive/zip"
	"compress/flate"
	"hash/crc32"
	"io"
)

// readEntry decompresses a file entry into w and returns its size. It reads
// the raw data and inflates it itself (rather than File.Open) so it can stop
// one byte past the declared size, tell a size lie (a bomb) from a short or
// damaged entry, and check the CRC from the central directory. The declared
// size was already held to the limits, so at most that much is produced.
func readEntry(e *entry, w io.Writer) (int64, error) {
	f := e.f
	raw, err := f.OpenRaw()
	if err != nil {
		return 0, entryError(ErrCorrupt, f.Name, "cannot be read")
	}
	var src io.Reader = raw
	if f.Method == zip.Deflate {
		fr := flate.NewReader(raw)
		defer fr.Close()
		src = fr
	}
	want := int64(f.UncompressedSize64) // <= MaxFileSize
	sum := crc32.NewIEEE()
	out := &trackedWriter{w: w}
	n, err := io.Copy(io.MultiWriter(out, sum), io.LimitReader(src, want+1))
	switch {
	case out.err != nil:
		return n, out.err
	case err != nil:
		return n, entryError(ErrCorrupt, f.Name, "has damaged compressed data")
	case n > want:
		return n, entryError(ErrZipBomb, f.Name, "expands beyond the %s its header declares", humanSize(want))
	case n < want:
		return n, entryError(ErrCorrupt, f.Name, "holds %s but its header declares %s", humanSize(n), humanSize(want))
	case sum.Sum32() != f.CRC32:
		return n, entryError(ErrCorrupt, f.Name, "fails its checksum")
	}
	return n, nil
}

// trackedWriter keeps the first error of the destination, so a failing
// output is reported as such and not as a damaged entry.
type trackedWriter struct {
	w   io.Writer
	err error
}

func (t *trackedWriter) Write(p []byte) (int, error) {
	n, err := t.w.Write(p)
	if err != nil && t.err == nil {
		t.err = err
	}
	return n, err
}
