package vcs

import (
	"archive/tar"
	"bufio"
	"bytes"
	"errors"
	"io"
	"os/exec"
	"testing"
)

// TestTarReaderMatchesArchiveTar parses git's real output with tarReader and
// with archive/tar and compares every entry.
func TestTarReaderMatchesArchiveTar(t *testing.T) {
	f := getFixture(t)
	repo := f.mirror(t)
	for _, args := range [][]string{{f.c1}, {f.c2}, {f.c3}, {f.c4}, {f.c4, "--", "packages/a"}} {
		cmd := exec.Command("git", append([]string{"archive", "--format=tar"}, args...)...)
		cmd.Env = repo.run.env
		data, err := cmd.Output()
		if err != nil {
			t.Fatal(err)
		}
		std := tar.NewReader(bytes.NewReader(data))
		ours := newTarReader(bufio.NewReader(bytes.NewReader(data)))
		n := 0
		for {
			want, werr := std.Next()
			var got tarEntry
			gerr := ours.next(&got)
			if werr == io.EOF || gerr == io.EOF {
				if werr != gerr {
					t.Fatalf("%v: end of archive: archive/tar %v, tarReader %v", args, werr, gerr)
				}
				break
			}
			if werr != nil || gerr != nil {
				t.Fatalf("%v: archive/tar %v, tarReader %v", args, werr, gerr)
			}
			if want.Typeflag == tar.TypeXGlobalHeader {
				// archive/tar reports only the records of a global header.
				if got.typ != tarGlobal || got.mtime != f.commitTimes[args[0]].Unix() {
					t.Fatalf("%v: global header %+v", args, got)
				}
				continue
			}
			if got.name != want.Name || got.linkname != want.Linkname || got.typ != want.Typeflag ||
				got.size != want.Size || got.mode != want.Mode || got.mtime != want.ModTime.Unix() {
				t.Fatalf("%v: entry %d: got %+v, archive/tar says %q %q %c %d %o %d", args, n, got,
					want.Name, want.Linkname, want.Typeflag, want.Size, want.Mode, want.ModTime.Unix())
			}
			wb, _ := io.ReadAll(std)
			gb, err := io.ReadAll(ours)
			if err != nil || !bytes.Equal(wb, gb) {
				t.Fatalf("%v: %s: content differs (%v)", args, got.name, err)
			}
			n++
		}
		if n < 3 {
			t.Fatalf("%v: only %d entries", args, n)
		}
	}
}

func TestTarReaderRejectsDamage(t *testing.T) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	tw.WriteHeader(&tar.Header{Name: "a.txt", Mode: 0o644, Size: 5, Typeflag: tar.TypeReg})
	tw.Write([]byte("hello"))
	tw.Close()
	good := buf.Bytes()

	read := func(data []byte) error {
		tr := newTarReader(bufio.NewReader(bytes.NewReader(data)))
		for {
			var e tarEntry
			if err := tr.next(&e); err != nil {
				if err == io.EOF {
					return nil
				}
				return err
			}
			if _, err := io.ReadAll(tr); err != nil {
				return err
			}
		}
	}
	if err := read(good); err != nil {
		t.Fatalf("good archive: %v", err)
	}
	bad := append([]byte(nil), good...)
	bad[0] = 'b' // checksum no longer matches
	if err := read(bad); !errors.Is(err, errTarFormat) {
		t.Errorf("bad checksum: %v", err)
	}
	if err := read(good[:512+3]); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("truncated content: %v", err)
	}
	if err := read(good[:100]); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("truncated header: %v", err)
	}
	if err := read(nil); err != nil {
		t.Errorf("empty stream: %v", err)
	}
}

func TestTarNumber(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"0000644\x00", 0o644, true},
		{"00000000012 ", 10, true},
		{"   12 \x00", 10, true},
		{"\x00\x00\x00", 0, true},
		{"\x80\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x00", 1 << 32, true},
		{"\xff\xff", 0, false},
		{"12a", 0, false},
		{"\x80\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff", 0, false},
	}
	for _, tc := range tests {
		got, err := tarNumber([]byte(tc.in))
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("tarNumber(%q) = %d, %v; want %d, ok %v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}
