package artifact

import (
	"bytes"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/cargoman/cargoman/internal/composerjson"
)

func TestInspectAccepts(t *testing.T) {
	for _, c := range []struct {
		name  string
		files []file
		root  string
		count int
		size  int64
	}{
		{"composer.json at the root",
			[]file{{name: "composer.json", body: manifest}, {name: "src/Widget.php", body: "<?php\n"}},
			"", 2, int64(len(manifest) + 6)},
		{"single top-level folder",
			[]file{{name: "widget-1.0/"}, {name: "widget-1.0/composer.json", body: manifest}, {name: "widget-1.0/src/"}, {name: "widget-1.0/src/Widget.php", body: "<?php\n"}},
			"widget-1.0", 2, int64(len(manifest) + 6)},
		{"single top-level folder without folder entries",
			[]file{{name: "pkg/src/Widget.php", body: "<?php\n"}, {name: "pkg/composer.json", body: manifest}},
			"pkg", 2, int64(len(manifest) + 6)},
		{"root composer.json wins over a nested one",
			[]file{{name: "pkg/composer.json", body: `{"name": "other/pkg"}`}, {name: "composer.json", body: manifest}},
			"", 2, int64(len(manifest) + 21)},
		{"deeper composer.json files are ignored",
			[]file{{name: "pkg/composer.json", body: manifest}, {name: "pkg/vendor/x/y/composer.json", body: `{"name": "x/y"}`}},
			"pkg", 2, int64(len(manifest) + 15)},
		{"__MACOSX junk is ignored",
			[]file{{name: "pkg/composer.json", body: manifest}, {name: "__MACOSX/"}, {name: "__MACOSX/pkg/._composer.json", body: "junk"}},
			"pkg", 1, int64(len(manifest))},
		{"Windows separators are normalised",
			[]file{{name: `pkg\composer.json`, body: manifest}, {name: `pkg\src\Widget.php`, body: "<?php\n"}},
			"pkg", 2, int64(len(manifest) + 6)},
		{"./ prefixes are dropped",
			[]file{{name: "./"}, {name: "./composer.json", body: manifest}},
			"", 1, int64(len(manifest))},
		{"stored entries",
			[]file{{name: "composer.json", body: manifest, store: true}, {name: "empty.txt", store: true}},
			"", 2, int64(len(manifest))},
		{"repeated folder entries are harmless",
			[]file{{name: "pkg/"}, {name: "pkg/"}, {name: "pkg/composer.json", body: manifest}},
			"pkg", 1, int64(len(manifest))},
		{"executable and unicode names",
			[]file{{name: "composer.json", body: manifest}, {name: "bin/widget", body: "#!/usr/bin/env php\n", mode: 0o755}, {name: "docs/Größe.md", body: "ü"}},
			"", 3, int64(len(manifest) + 19 + 2)},
	} {
		t.Run(c.name, func(t *testing.T) {
			a, err := inspectBytes(t, build(t, c.files...), Options{})
			if err != nil {
				t.Fatal(err)
			}
			if a.Root != c.root || a.Files != c.count || a.UncompressedSize != c.size {
				t.Errorf("Root %q Files %d Size %d; want %q %d %d", a.Root, a.Files, a.UncompressedSize, c.root, c.count, c.size)
			}
			if a.Manifest == nil || a.Manifest.Name() != "acme/widget" || string(a.ComposerJSON) != manifest {
				t.Errorf("composer.json = %q", a.ComposerJSON)
			}
		})
	}
}

func TestInspectLargeButOrdinaryFile(t *testing.T) {
	// 2 MiB of varied text compresses far less than the ratio guard allows.
	rng := rand.New(rand.NewPCG(1, 2))
	var b strings.Builder
	for b.Len() < 2<<20 {
		fmt.Fprintf(&b, "<?php // %x\n", rng.Uint64())
	}
	z := build(t, file{name: "composer.json", body: manifest}, file{name: "big.php", body: b.String()})
	if _, err := inspectBytes(t, z, Options{}); err != nil {
		t.Fatal(err)
	}
}

func TestInspectRejects(t *testing.T) {
	ok := file{name: "composer.json", body: manifest}
	zeros := make([]byte, 4<<20)
	many := func(n int) []file {
		fs := []file{ok}
		for i := range n - 1 {
			fs = append(fs, file{name: fmt.Sprintf("src/F%d.php", i), body: "<?php"})
		}
		return fs
	}
	valid := build(t, ok, file{name: "README.md", body: "hello"})

	for _, c := range []struct {
		name string
		zip  []byte
		opts Options
		err  error
		msg  string
	}{
		// Not a zip.
		{"empty input", nil, Options{}, ErrNotZip, ""},
		{"plain text", []byte("this is not a zip archive at all, just some text"), Options{}, ErrNotZip, ""},
		{"tar.gz magic", []byte("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03"), Options{}, ErrNotZip, ""},
		{"truncated central directory", valid[:len(valid)-30], Options{}, ErrNotZip, ""},
		{"damaged central directory record", func() []byte {
			z := bytes.Clone(valid)
			z[centralRecords(t, z)[1]+2] = 'X'
			return z
		}(), Options{}, ErrNotZip, ""},
		{"central directory offset shifted", func() []byte {
			z := bytes.Clone(valid)
			copy(z[len(z)-6:], "\x05\x00\x00\x00")
			return z
		}(), Options{}, ErrCorrupt, "unreadable local header"},

		// Limits.
		{"archive too large", valid, Options{MaxArchiveSize: 100}, ErrArchiveTooLarge, "the limit is 100 bytes"},
		{"too many entries", build(t, many(30)...), Options{MaxFiles: 10}, ErrTooManyFiles, "more than 10"},
		{"folders count as entries", build(t, ok, file{name: "a/"}, file{name: "b/"}), Options{MaxFiles: 2}, ErrTooManyFiles, ""},
		{"file over the size limit", build(t, ok, file{name: "big.txt", body: strings.Repeat("x", 2000)}), Options{MaxFileSize: 1000}, ErrFileTooLarge, `"big.txt" is 2 KiB uncompressed, the limit is 1000 bytes`},
		{"total over the limit", build(t, ok, file{name: "a.txt", body: strings.Repeat("a", 600)}, file{name: "b.txt", body: strings.Repeat("b", 600)}), Options{MaxTotalUncompressed: 1000}, ErrUncompressedTooLarge, "more than 1000 bytes"},

		// Zip bombs.
		{"highly compressible large file", build(t, ok, file{name: "zeros.bin", body: string(zeros[:2<<20])}), Options{}, ErrZipBomb, "more than 200 times"},
		{"header lies about the size", build(t, ok, rawDeflated(t, "bomb.txt", zeros, 1000)), Options{}, ErrZipBomb, `"bomb.txt" expands beyond the 1000 bytes its header declares`},
		{"header declares zero bytes", build(t, ok, rawDeflated(t, "bomb.txt", zeros, 0)), Options{}, ErrZipBomb, "expands beyond"},
		{"entries share their data", pointAtFirst(t, build(t, ok, file{name: "a.txt", body: "aaaa"}, file{name: "b.txt", body: "bbbb"})), Options{}, ErrZipBomb, "shares its data"},

		// Damaged data.
		{"header declares more than there is", build(t, ok, rawDeflated(t, "short.txt", []byte("tiny"), 5000)), Options{}, ErrCorrupt, "holds 4 bytes but its header declares 4.9 KiB"},
		{"bad checksum", build(t, ok, file{name: "a.txt", body: "hello", raw: true, method: 0, store: true, crc: 1234, uncompressed: 5}), Options{}, ErrCorrupt, "fails its checksum"},
		{"invalid deflate stream", build(t, ok, file{name: "a.txt", body: "\xff\xff\xff\xff garbage", raw: true, crc: 0, uncompressed: 10}), Options{}, ErrCorrupt, "damaged compressed data"},
		{"data past the end", func() []byte {
			z := build(t, ok, file{name: "a.txt", body: "hello", store: true})
			r := centralRecords(t, z)[1]
			z[r+42] = 0xf0 // local header offset far past the end
			z[r+43] = 0xff
			return z
		}(), Options{}, ErrCorrupt, ""},

		// Unsafe paths (zip slip).
		{"parent folder", build(t, ok, file{name: "../evil.php", body: "x"}), Options{}, ErrUnsafePath, `"../evil.php" contains a ".." segment`},
		{"parent folder in the middle", build(t, ok, file{name: "pkg/../../evil.php", body: "x"}), Options{}, ErrUnsafePath, `".." segment`},
		{"absolute path", build(t, ok, file{name: "/etc/cron.d/evil", body: "x"}), Options{}, ErrUnsafePath, "absolute path"},
		{"backslash parent", build(t, ok, file{name: `..\..\evil.php`, body: "x"}), Options{}, ErrUnsafePath, `".." segment`},
		{"backslash absolute", build(t, ok, file{name: `\Windows\evil.dll`, body: "x"}), Options{}, ErrUnsafePath, "absolute path"},
		{"drive letter", build(t, ok, file{name: "C:/Windows/evil.dll", body: "x"}), Options{}, ErrUnsafePath, "drive letter"},
		{"drive-relative", build(t, ok, file{name: `c:evil.dll`, body: "x"}), Options{}, ErrUnsafePath, "drive letter"},
		{"UNC path", build(t, ok, file{name: `\\server\share\evil`, body: "x"}), Options{}, ErrUnsafePath, "absolute path"},
		{"NUL byte", build(t, ok, file{name: "evil.php\x00.txt", body: "x"}), Options{}, ErrUnsafePath, "NUL byte"},
		{"newline", build(t, ok, file{name: "evil\n.php", body: "x"}), Options{}, ErrUnsafePath, "control characters"},
		{"dots and spaces", build(t, ok, file{name: ".. /evil.php", body: "x"}), Options{}, ErrUnsafePath, "only of dots and spaces"},
		{"three dots", build(t, ok, file{name: ".../evil.php", body: "x"}), Options{}, ErrUnsafePath, "only of dots and spaces"},
		{"invalid UTF-8", build(t, ok, file{name: "caf\xe9.php", body: "x"}), Options{}, ErrUnsafePath, "not valid UTF-8"},
		{"long segment", build(t, ok, file{name: strings.Repeat("a", 256), body: "x"}), Options{}, ErrUnsafePath, "longer than 255 bytes"},
		{"long path", build(t, ok, file{name: strings.Repeat("abcdefgh/", 500) + "x", body: "x"}), Options{}, ErrUnsafePath, "longer than 4096 bytes"},
		{"only dots", build(t, ok, file{name: ".", body: "x"}), Options{}, ErrUnsafePath, "empty file name"},
		{"renamed after writing", renameEntry(t, build(t, ok, file{name: "xx/evil.php", body: "x"}), 1, "../evil.php"), Options{}, ErrUnsafePath, `".." segment`},

		// Entry types.
		{"symlink", build(t, ok, file{name: "link", body: "/etc/passwd", mode: fs.ModeSymlink | 0o777}), Options{}, ErrSymlink, `"link" is a symbolic link`},
		{"symlink to a folder", build(t, ok, file{name: "pkg/vendor", body: "../..", mode: fs.ModeSymlink | 0o777}), Options{}, ErrSymlink, ""},
		{"named pipe", build(t, ok, file{name: "fifo", mode: fs.ModeNamedPipe | 0o644}), Options{}, ErrUnsupportedEntry, "not a regular file"},
		{"device", build(t, ok, file{name: "sda", mode: fs.ModeDevice | 0o644}), Options{}, ErrUnsupportedEntry, "not a regular file"},
		{"encrypted", build(t, ok, file{name: "secret.php", body: "x", raw: true, flags: 0x1, crc: crc32.ChecksumIEEE([]byte("x")), uncompressed: 1, store: true}), Options{}, ErrUnsupportedEntry, "encrypted"},
		{"bzip2", build(t, ok, file{name: "a.txt", body: "BZh9", raw: true, method: 12, uncompressed: 4}), Options{}, ErrUnsupportedEntry, "compression method 12"},
		{"folder with content", build(t, ok, file{name: "dir/", body: "data", raw: true, store: true, crc: crc32.ChecksumIEEE([]byte("data")), uncompressed: 4}), Options{}, ErrUnsupportedEntry, "folder with content"},

		// Duplicates.
		{"same file twice", build(t, ok, file{name: "a.php", body: "1"}, file{name: "a.php", body: "2"}), Options{}, ErrDuplicateEntry, `"a.php" appears more than once`},
		{"composer.json twice", build(t, ok, ok), Options{}, ErrDuplicateEntry, ""},
		{"same after normalising separators", build(t, ok, file{name: "src/a.php", body: "1"}, file{name: `src\a.php`, body: "2"}), Options{}, ErrDuplicateEntry, `(as "src/a.php")`},
		{"same after dropping ./", build(t, ok, file{name: "./composer.json", body: manifest}), Options{}, ErrDuplicateEntry, ""},
		{"file and folder", build(t, ok, file{name: "src", body: "x"}, file{name: "src/a.php", body: "1"}), Options{}, ErrDuplicateEntry, `"src" is a file but also a folder`},
		{"folder then file", build(t, ok, file{name: "src/"}, file{name: "src", body: "x"}), Options{}, ErrDuplicateEntry, ""},

		// composer.json location.
		{"empty archive", build(t), Options{}, ErrNoComposerJSON, "the archive is empty"},
		{"only folders", build(t, file{name: "pkg/"}, file{name: "pkg/src/"}), Options{}, ErrNoComposerJSON, `nor in the folder "pkg/"`},
		{"only junk", build(t, file{name: "__MACOSX/._composer.json", body: "x"}), Options{}, ErrNoComposerJSON, "empty"},
		{"nested too deep", build(t, file{name: "a/b/composer.json", body: manifest}), Options{}, ErrNoComposerJSON, `nor in the folder "a/"`},
		{"two top-level folders", build(t, file{name: "a/composer.json", body: manifest}, file{name: "b/composer.json", body: manifest}), Options{}, ErrNoComposerJSON, `2 top-level entries ("a/", "b/")`},
		{"top-level file beside the folder", build(t, file{name: "README", body: "x"}, file{name: "pkg/composer.json", body: manifest}), Options{}, ErrNoComposerJSON, `("README", "pkg/")`},
		{"single file", build(t, file{name: "README", body: "x"}), Options{}, ErrNoComposerJSON, "single file"},
		{"composer.json is a folder", build(t, file{name: "composer.json/"}, file{name: "composer.json/x", body: "x"}), Options{}, ErrNoComposerJSON, ""},
		{"wrong case", build(t, file{name: "Composer.json", body: manifest}), Options{}, ErrNoComposerJSON, "single file"},
		{"many top-level entries", build(t, many(9)[1:]...), Options{}, ErrNoComposerJSON, ""},

		// composer.json content.
		{"invalid JSON", build(t, file{name: "composer.json", body: `{"name": "acme/widget",}`}), Options{}, ErrInvalidComposerJSON, "composer.json: invalid JSON at line 1"},
		{"not an object", build(t, file{name: "composer.json", body: `[]`}), Options{}, ErrInvalidComposerJSON, "must be an object"},
		{"field of the wrong type", build(t, file{name: "composer.json", body: `{"name": "acme/widget", "require": "php"}`}), Options{}, ErrInvalidComposerJSON, "require"},
		{"no name", build(t, file{name: "composer.json", body: `{"description": "x"}`}), Options{}, ErrInvalidComposerJSON, `has no "name"`},
		{"invalid name", build(t, file{name: "composer.json", body: `{"name": "Acme/Widget"}`}), Options{}, ErrInvalidComposerJSON, "uppercase"},
		{"empty composer.json", build(t, file{name: "composer.json"}), Options{}, ErrInvalidComposerJSON, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			a, err := inspectBytes(t, c.zip, c.opts)
			if !errors.Is(err, c.err) || a != nil {
				t.Fatalf("Inspect = %v, %v; want %v", a, err, c.err)
			}
			if !IsInvalid(err) {
				t.Errorf("IsInvalid(%v) = false", err)
			}
			if !strings.Contains(err.Error(), c.msg) {
				t.Errorf("error %q does not contain %q", err, c.msg)
			}
		})
	}
}

func TestInspectComposerJSONErrorKinds(t *testing.T) {
	_, err := inspectBytes(t, build(t, file{name: "composer.json", body: `{"name": `}), Options{})
	if !errors.Is(err, ErrInvalidComposerJSON) || !errors.Is(err, composerjson.ErrSyntax) {
		t.Fatalf("err = %v; want both ErrInvalidComposerJSON and composerjson.ErrSyntax", err)
	}
	_, err = inspectBytes(t, build(t, file{name: "composer.json", body: `{"name": "a"}`}), Options{})
	if !errors.Is(err, composerjson.ErrInvalidName) {
		t.Fatalf("err = %v; want composerjson.ErrInvalidName", err)
	}
}

func TestInspectLimitsAreInclusive(t *testing.T) {
	z := build(t, file{name: "composer.json", body: manifest}, file{name: "a.txt", body: "12345"})
	opts := Options{MaxArchiveSize: int64(len(z)), MaxFiles: 2, MaxFileSize: int64(len(manifest)), MaxTotalUncompressed: int64(len(manifest) + 5)}
	if _, err := inspectBytes(t, z, opts); err != nil {
		t.Fatal(err)
	}
}

// failingReaderAt fails every read at or after off.
type failingReaderAt struct {
	r   io.ReaderAt
	off int64
}

var errDisk = errors.New("disk on fire")

func (f failingReaderAt) ReadAt(p []byte, off int64) (int, error) {
	if off+int64(len(p)) > f.off {
		return 0, errDisk
	}
	return f.r.ReadAt(p, off)
}

func TestInspectIOErrorsAreNotValidationErrors(t *testing.T) {
	z := build(t, file{name: "composer.json", body: manifest}, file{name: "a.txt", body: strings.Repeat("a", 1000)})
	for _, off := range []int64{0, 10, int64(len(z) - 10)} {
		_, err := Inspect(failingReaderAt{bytes.NewReader(z), off}, int64(len(z)), Options{})
		if !errors.Is(err, errDisk) || IsInvalid(err) {
			t.Errorf("fail at %d: err = %v; want the I/O error, not a validation error", off, err)
		}
	}
}

func TestCleanName(t *testing.T) {
	for _, c := range []struct {
		in, name string
		dir      bool
		bad      bool
	}{
		{in: "a/b.php", name: "a/b.php"},
		{in: "a/", name: "a", dir: true},
		{in: `a\b\c.php`, name: "a/b/c.php"},
		{in: `a\`, name: "a", dir: true},
		{in: "./a//b/./c", name: "a/b/c"},
		{in: "./", name: "", dir: true},
		{in: "..a/b..", name: "..a/b.."},
		{in: ".gitattributes", name: ".gitattributes"},
		{in: "a b/c d.php", name: "a b/c d.php"},
		{in: "", name: ""},
		{in: "..", bad: true},
		{in: "a/..", bad: true},
		{in: `a\..\..\b`, bad: true},
		{in: "/a", bad: true},
		{in: "//a", bad: true},
		{in: "Z:a", bad: true},
		{in: "a/ ", bad: true},
		{in: "a/. .", bad: true},
		{in: "a\x7f", bad: true},
		{in: "a\tb", bad: true},
	} {
		name, dir, problem := cleanName(c.in)
		if (problem != "") != c.bad || (!c.bad && (name != c.name || dir != c.dir)) {
			t.Errorf("cleanName(%q) = %q, %v, %q", c.in, name, dir, problem)
		}
	}
}

func TestHumanSize(t *testing.T) {
	for n, want := range map[int64]string{0: "0 bytes", 1023: "1023 bytes", 1024: "1 KiB", 1536: "1.5 KiB", 32 << 20: "32 MiB", 1<<40 + 1<<39: "1.5 TiB"} {
		if got := humanSize(n); got != want {
			t.Errorf("humanSize(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestIsInvalid(t *testing.T) {
	if IsInvalid(nil) || IsInvalid(io.ErrUnexpectedEOF) || IsInvalid(errDisk) {
		t.Error("IsInvalid accepts non-validation errors")
	}
	if !IsInvalid(fmt.Errorf("wrapped: %w", ErrZipBomb)) {
		t.Error("IsInvalid rejects a wrapped sentinel")
	}
}

func TestCountSignatures(t *testing.T) {
	const chunk = 256 << 10
	data := make([]byte, 3*chunk)
	// One signature inside a chunk, one across each chunk boundary.
	for _, at := range []int{100, chunk - 2, 2*chunk - 1, 3*chunk - 4} {
		copy(data[at:], "PK\x01\x02")
	}
	if n, err := countSignatures(bytes.NewReader(data), int64(len(data)), 100); n != 4 || err != nil {
		t.Fatalf("countSignatures = %d, %v; want 4", n, err)
	}
	if n, _ := countSignatures(bytes.NewReader(data), int64(len(data)), 1); n != 2 {
		t.Fatalf("stops after the limit: got %d, want 2", n)
	}
	// A size larger than the data is left to archive/zip to report.
	if n, err := countSignatures(bytes.NewReader(data[:200]), 1000, 100); n != 1 || err != nil {
		t.Fatalf("short reader: %d, %v", n, err)
	}
}
