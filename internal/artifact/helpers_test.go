package artifact

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"encoding/binary"
	"hash/crc32"
	"io/fs"
	"testing"
	"time"
)

const manifest = `{"name": "acme/widget", "description": "Widgets", "require": {"php": ">=8.1"}}`

// file is one entry of a test archive. Zero fields get ordinary values.
type file struct {
	name   string
	body   string
	mode   fs.FileMode // 0: 0644 file (or a folder when name ends in "/")
	method uint16      // 0: deflate, unless store
	store  bool
	flags  uint16 // extra general purpose flags
	// raw, when set, writes the entry with CreateRaw: body is then stored
	// as given (already compressed) with the sizes and CRC below.
	raw          bool
	crc          uint32
	uncompressed uint64
}

// build writes the entries into a zip with archive/zip.
func build(t testing.TB, files ...file) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range files {
		h := &zip.FileHeader{Name: f.name, Method: zip.Deflate, Modified: time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)}
		if f.method != 0 {
			h.Method = f.method
		}
		if f.store {
			h.Method = zip.Store
		}
		if f.mode != 0 {
			h.SetMode(f.mode)
		}
		h.Flags |= f.flags
		if f.raw {
			h.CRC32 = f.crc
			h.CompressedSize64 = uint64(len(f.body))
			h.UncompressedSize64 = f.uncompressed
			w, err := zw.CreateRaw(h)
			if err != nil {
				t.Fatal(err)
			}
			w.Write([]byte(f.body))
			continue
		}
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(f.body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// deflate compresses b as a raw deflate stream, as zip stores it.
func deflate(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	fw, _ := flate.NewWriter(&buf, flate.BestCompression)
	fw.Write(b)
	fw.Close()
	return buf.Bytes()
}

// rawDeflated is a CreateRaw entry holding content deflated, whose header
// declares the given uncompressed size and the CRC of the first declared
// bytes (so only the size lie gives it away).
func rawDeflated(t testing.TB, name string, content []byte, declared uint64) file {
	t.Helper()
	prefix := content
	if uint64(len(prefix)) > declared {
		prefix = prefix[:declared]
	}
	return file{name: name, body: string(deflate(t, content)), raw: true, crc: crc32.ChecksumIEEE(prefix), uncompressed: declared}
}

// centralRecords returns the offsets of the central directory records.
func centralRecords(t testing.TB, z []byte) []int {
	t.Helper()
	eocd := bytes.LastIndex(z, []byte("PK\x05\x06"))
	if eocd < 0 {
		t.Fatal("no end of central directory")
	}
	count := int(binary.LittleEndian.Uint16(z[eocd+10:]))
	off := int(binary.LittleEndian.Uint32(z[eocd+16:]))
	var out []int
	for range count {
		if !bytes.HasPrefix(z[off:], []byte("PK\x01\x02")) {
			t.Fatal("bad central directory record")
		}
		out = append(out, off)
		n := int(binary.LittleEndian.Uint16(z[off+28:]))
		m := int(binary.LittleEndian.Uint16(z[off+30:]))
		k := int(binary.LittleEndian.Uint16(z[off+32:]))
		off += 46 + n + m + k
	}
	return out
}

// pointAtFirst makes every central directory record after the first point
// at the first entry's local header: the overlapping "better zip bomb".
func pointAtFirst(t testing.TB, z []byte) []byte {
	t.Helper()
	z = bytes.Clone(z)
	recs := centralRecords(t, z)
	first := binary.LittleEndian.Uint32(z[recs[0]+42:])
	for _, r := range recs[1:] {
		binary.LittleEndian.PutUint32(z[r+42:], first)
	}
	return z
}

// renameEntry overwrites the name of central record i (same length), to
// produce names archive/zip's writer would not.
func renameEntry(t testing.TB, z []byte, i int, name string) []byte {
	t.Helper()
	z = bytes.Clone(z)
	r := centralRecords(t, z)[i]
	n := int(binary.LittleEndian.Uint16(z[r+28:]))
	if n != len(name) {
		t.Fatalf("rename: length %d != %d", len(name), n)
	}
	copy(z[r+46:], name)
	return z
}

func inspectBytes(t testing.TB, z []byte, opts Options) (*Artifact, error) {
	t.Helper()
	return Inspect(bytes.NewReader(z), int64(len(z)), opts)
}
