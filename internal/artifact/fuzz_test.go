package artifact

import (
	"archive/zip"
	"bytes"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cargoman/cargoman/internal/composerjson"
)

// FuzzInspect feeds arbitrary bytes to Inspect. It must never panic, reject
// only with validation errors (a bytes.Reader cannot fail), and whatever it
// accepts must repack into a dist that Inspect accepts again with the same
// content, and that repacks to itself.
func FuzzInspect(f *testing.F) {
	ok := file{name: "composer.json", body: manifest}
	for _, files := range [][]file{
		{ok},
		{{name: "pkg/"}, {name: "pkg/composer.json", body: manifest}, {name: "pkg/src/A.php", body: "<?php"}},
		{{name: `pkg\composer.json`, body: manifest, store: true}, {name: "__MACOSX/._x", body: "j"}},
		{ok, {name: "../evil", body: "x"}},
		{ok, {name: "link", body: "/etc", mode: fs.ModeSymlink | 0o777}},
		{ok, rawDeflated(f, "bomb", make([]byte, 1<<16), 10)},
		{ok, ok},
		{{name: "a/composer.json", body: manifest}, {name: "b/x", body: "y"}},
		{{name: "composer.json", body: `{"name": "Bad/Name"}`}},
	} {
		f.Add(build(f, files...))
	}
	f.Add(pointAtFirst(f, build(f, ok, file{name: "b", body: "bbbb"})))
	f.Add([]byte("PK\x05\x06" + string(make([]byte, 18))))

	opts := Options{MaxArchiveSize: 1 << 20, MaxFileSize: 256 << 10, MaxFiles: 200, MaxTotalUncompressed: 1 << 20}
	f.Fuzz(func(t *testing.T, z []byte) {
		a, err := Inspect(bytes.NewReader(z), int64(len(z)), opts)
		if err != nil {
			if a != nil || !IsInvalid(err) {
				t.Fatalf("Inspect = %v, %v: not a validation error", a, err)
			}
			return
		}
		if a.Manifest == nil || !composerjson.ValidName(a.Manifest.Name()) || a.Files < 1 || len(a.ComposerJSON) == 0 {
			t.Fatalf("accepted without a usable composer.json: %+v", a)
		}

		var out bytes.Buffer
		_, n, err := RepackWithOptions(bytes.NewReader(z), int64(len(z)), "dist", &out, opts)
		if err != nil || n != int64(out.Len()) {
			t.Fatalf("Repack of an accepted archive: %v", err)
		}
		b, err := Inspect(bytes.NewReader(out.Bytes()), int64(out.Len()), Options{})
		if err != nil {
			t.Fatalf("Inspect(dist): %v", err)
		}
		if b.Root != "dist" || b.Files != a.Files || b.UncompressedSize != a.UncompressedSize || !bytes.Equal(b.ComposerJSON, a.ComposerJSON) {
			t.Fatalf("dist differs: %+v vs %+v", b, a)
		}
		var again bytes.Buffer
		if _, _, err := Repack(bytes.NewReader(out.Bytes()), int64(out.Len()), "dist", &again); err != nil || !bytes.Equal(again.Bytes(), out.Bytes()) {
			t.Fatalf("repacking the dist changed it (err %v)", err)
		}
	})
}

// FuzzInspectNames builds archives around fuzzed entry names and modes, which
// reach the path rules far more often than raw bytes do. Whatever is accepted
// must repack into names that are local, slash-separated paths under the
// dist folder: no zip slip survives.
func FuzzInspectNames(f *testing.F) {
	for _, names := range [][2]string{
		{"src/A.php", "pkg/composer.json"},
		{`..\x`, "composer.json"},
		{"./composer.json", "a/./b//c"},
		{"C:x", "/abs"},
		{"a/", "a"},
		{"__MACOSX/x", "..."},
	} {
		f.Add(names[0], names[1], uint32(0o644), true)
	}
	f.Fuzz(func(t *testing.T, name1, name2 string, mode uint32, rootManifest bool) {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		add := func(name, body string, mode fs.FileMode) bool {
			h := &zip.FileHeader{Name: name, Method: zip.Deflate}
			h.SetMode(mode)
			w, err := zw.CreateHeader(h)
			if err != nil {
				return false // a name archive/zip refuses to write
			}
			if !strings.HasSuffix(name, "/") {
				w.Write([]byte(body))
			}
			return true
		}
		if !add(name1, "one", fs.FileMode(mode)) || !add(name2, manifest, 0o644) ||
			(rootManifest && !add("composer.json", manifest, 0o644)) || zw.Close() != nil {
			return
		}
		z := buf.Bytes()
		a, err := Inspect(bytes.NewReader(z), int64(len(z)), Options{})
		if err != nil {
			if !IsInvalid(err) {
				t.Fatalf("not a validation error: %v", err)
			}
			return
		}
		var out bytes.Buffer
		if _, _, err := Repack(bytes.NewReader(z), int64(len(z)), "dist", &out); err != nil {
			t.Fatalf("Repack: %v", err)
		}
		names, _, modes, _ := contents(t, out.Bytes())
		if len(names) != a.Files {
			t.Fatalf("%d names for %d files", len(names), a.Files)
		}
		for _, n := range names {
			if !strings.HasPrefix(n, "dist/") || !filepath.IsLocal(n) || strings.ContainsAny(n, "\\\x00") ||
				strings.Contains("/"+n+"/", "/../") || strings.Contains("/"+n+"/", "/./") || strings.Contains(n, "//") {
				t.Fatalf("unsafe name %q in dist", n)
			}
			if m := modes[n]; m != 0o644 && m != 0o755 {
				t.Fatalf("%q has mode %v", n, m)
			}
		}
	})
}
