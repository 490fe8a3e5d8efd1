package artifact

import (
	"archive/zip"
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"slices"
	"strings"
	"testing"
	"time"
)

func repack(t testing.TB, z []byte, prefix string) ([]byte, string, error) {
	t.Helper()
	var out bytes.Buffer
	sum, n, err := Repack(bytes.NewReader(z), int64(len(z)), prefix, &out)
	if err == nil && n != int64(out.Len()) {
		t.Fatalf("Repack reported %d bytes, wrote %d", n, out.Len())
	}
	return out.Bytes(), sum, err
}

// contents lists a zip's entries as name -> body, with modes and order.
func contents(t testing.TB, z []byte) (names []string, bodies map[string]string, modes map[string]fs.FileMode, entries []*zip.File) {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(z), int64(len(z)))
	if err != nil {
		t.Fatal(err)
	}
	bodies, modes = map[string]string{}, map[string]fs.FileMode{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, f.Name)
		bodies[f.Name] = string(b)
		modes[f.Name] = f.Mode()
	}
	return names, bodies, modes, zr.File
}

func TestRepackLayout(t *testing.T) {
	for _, c := range []struct {
		name  string
		files []file
	}{
		{"root composer.json", []file{
			{name: "src/"},
			{name: "src/Widget.php", body: "<?php class Widget {}"},
			{name: "composer.json", body: manifest},
			{name: "bin/widget", body: "#!/usr/bin/env php", mode: 0o755},
			{name: "__MACOSX/._composer.json", body: "junk"},
		}},
		{"single top folder", []file{
			{name: "widget-main/"},
			{name: "widget-main/composer.json", body: manifest},
			{name: "widget-main/src/Widget.php", body: "<?php class Widget {}"},
			{name: "widget-main/bin/widget", body: "#!/usr/bin/env php", mode: 0o755},
			{name: "widget-main/src/"},
			{name: "__MACOSX/widget-main/._src", body: "junk"},
		}},
		{"windows separators", []file{
			{name: `widget\composer.json`, body: manifest},
			{name: `widget\src\Widget.php`, body: "<?php class Widget {}"},
			{name: `widget\bin\widget`, body: "#!/usr/bin/env php", mode: 0o755},
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			out, sum, err := repack(t, build(t, c.files...), "acme-widget-1.2.0")
			if err != nil {
				t.Fatal(err)
			}
			if h := sha1.Sum(out); hex.EncodeToString(h[:]) != sum {
				t.Fatalf("sha1 %s does not match the output", sum)
			}
			names, bodies, modes, entries := contents(t, out)
			want := []string{"acme-widget-1.2.0/bin/widget", "acme-widget-1.2.0/composer.json", "acme-widget-1.2.0/src/Widget.php"}
			if !slices.Equal(names, want) {
				t.Fatalf("names = %q, want %q", names, want)
			}
			if bodies["acme-widget-1.2.0/composer.json"] != manifest || bodies["acme-widget-1.2.0/src/Widget.php"] != "<?php class Widget {}" {
				t.Fatalf("bodies = %q", bodies)
			}
			if modes["acme-widget-1.2.0/bin/widget"] != 0o755 || modes["acme-widget-1.2.0/composer.json"] != 0o644 {
				t.Fatalf("modes = %v", modes)
			}
			for _, f := range entries {
				if !f.Modified.Equal(time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)) || f.Method != zip.Deflate {
					t.Errorf("%s: modified %v method %d", f.Name, f.Modified, f.Method)
				}
			}
			// The dist passes Inspect, with the prefix as its root.
			a, err := inspectBytes(t, out, Options{})
			if err != nil || a.Root != "acme-widget-1.2.0" || a.Files != 3 {
				t.Fatalf("Inspect(dist) = %+v, %v", a, err)
			}
		})
	}
}

func TestRepackDeterministic(t *testing.T) {
	files := []file{
		{name: "pkg/composer.json", body: manifest},
		{name: "pkg/src/A.php", body: strings.Repeat("<?php // a\n", 100)},
		{name: "pkg/src/B.php", body: "<?php // b\n"},
		{name: "pkg/README.md", body: "# Widget\n"},
	}
	z1 := build(t, files...)
	out1, sum1, err := repack(t, z1, "p")
	if err != nil {
		t.Fatal(err)
	}
	out2, sum2, err := repack(t, z1, "p")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out1, out2) || sum1 != sum2 {
		t.Fatal("same input, different output")
	}

	// Another tool's zip of the same files: other order, other times, stored
	// instead of deflated, no top folder, folder entries.
	var other bytes.Buffer
	zw := zip.NewWriter(&other)
	for i, f := range []file{files[3], files[1], files[0], files[2]} {
		h := &zip.FileHeader{Name: strings.TrimPrefix(f.name, "pkg/"), Method: zip.Store, Modified: time.Now().Add(time.Duration(i) * time.Hour)}
		w, _ := zw.CreateHeader(h)
		w.Write([]byte(f.body))
	}
	zw.Create("src/")
	zw.Close()
	out3, sum3, err := repack(t, other.Bytes(), "p")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out1, out3) || sum1 != sum3 {
		t.Fatal("same content from another zip tool gives different output")
	}

	// Repacking a dist with its own prefix is a fixed point.
	out4, _, err := repack(t, out1, "p")
	if err != nil || !bytes.Equal(out1, out4) {
		t.Fatalf("repacking the dist changed it (err %v)", err)
	}

	// A different prefix or content changes the archive.
	if out5, _, _ := repack(t, z1, "q"); bytes.Equal(out1, out5) {
		t.Fatal("prefix not applied")
	}
}

func TestRepackRejects(t *testing.T) {
	good := build(t, file{name: "composer.json", body: manifest})
	for _, c := range []struct {
		name, prefix string
		zip          []byte
		err          error
	}{
		{"empty prefix", "", good, ErrInvalidPrefix},
		{"prefix with slash", "a/b", good, ErrInvalidPrefix},
		{"prefix with backslash", `a\b`, good, ErrInvalidPrefix},
		{"prefix dot-dot", "..", good, ErrInvalidPrefix},
		{"prefix dots", "...", good, ErrInvalidPrefix},
		{"prefix with NUL", "a\x00", good, ErrInvalidPrefix},
		{"prefix with colon", "c:", good, ErrInvalidPrefix},
		{"prefix too long", strings.Repeat("a", 129), good, ErrInvalidPrefix},
		{"zip slip", "p", build(t, file{name: "composer.json", body: manifest}, file{name: "../x", body: "x"}), ErrUnsafePath},
		{"zip bomb", "p", build(t, file{name: "composer.json", body: manifest}, rawDeflated(t, "b", make([]byte, 1<<20), 10)), ErrZipBomb},
		{"no composer.json", "p", build(t, file{name: "a.txt", body: "x"}), ErrNoComposerJSON},
		{"not a zip", "p", []byte("nope"), ErrNotZip},
	} {
		t.Run(c.name, func(t *testing.T) {
			out, sum, err := repack(t, c.zip, c.prefix)
			if !errors.Is(err, c.err) || !IsInvalid(err) {
				t.Fatalf("err = %v, want %v", err, c.err)
			}
			if len(out) != 0 || sum != "" {
				t.Fatalf("wrote %d bytes before rejecting", len(out))
			}
		})
	}
	for _, p := range []string{"a", "acme-widget-1.2.0", "Widget_2.0+build.1~rc", ".hidden"} {
		if _, _, err := repack(t, good, p); err != nil {
			t.Errorf("prefix %q: %v", p, err)
		}
	}
}

type failingWriter struct{ after int }

var errFull = errors.New("no space left on device")

func (f *failingWriter) Write(p []byte) (int, error) {
	if f.after < len(p) {
		n := f.after
		f.after = 0
		return n, errFull
	}
	f.after -= len(p)
	return len(p), nil
}

func TestRepackIOErrors(t *testing.T) {
	z := build(t, file{name: "composer.json", body: manifest}, file{name: "a.txt", body: strings.Repeat("abc", 50000)})
	for _, after := range []int{0, 10, 200} {
		_, _, err := Repack(bytes.NewReader(z), int64(len(z)), "p", &failingWriter{after: after})
		if !errors.Is(err, errFull) || IsInvalid(err) {
			t.Errorf("writer failing after %d bytes: err = %v", after, err)
		}
	}
	_, _, err := Repack(failingReaderAt{bytes.NewReader(z), 100}, int64(len(z)), "p", io.Discard)
	if !errors.Is(err, errDisk) || IsInvalid(err) {
		t.Errorf("reader failure: err = %v", err)
	}
}

func TestRepackWithOptionsAppliesLimits(t *testing.T) {
	z := build(t, file{name: "composer.json", body: manifest}, file{name: "a.txt", body: strings.Repeat("a", 5000)})
	_, _, err := RepackWithOptions(bytes.NewReader(z), int64(len(z)), "p", io.Discard, Options{MaxFileSize: 4096})
	if !errors.Is(err, ErrFileTooLarge) {
		t.Fatalf("err = %v", err)
	}
}
