package blob

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

func newStore(t testing.TB) (*FS, string) {
	t.Helper()
	dir := t.TempDir()
	s, err := NewFS(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, dir
}

func randomBytes(t testing.TB, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return b
}

func readAll(t testing.TB, s Store, key string) ([]byte, Info) {
	t.Helper()
	o, err := s.Open(context.Background(), key)
	if err != nil {
		t.Fatalf("Open(%q): %v", key, err)
	}
	defer o.Close()
	b, err := io.ReadAll(o)
	if err != nil {
		t.Fatalf("read %q: %v", key, err)
	}
	return b, o.Info()
}

// tempFiles lists leftovers of Puts in the store's temp directory.
func tempFiles(t testing.TB, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(dir, tmpDir))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func TestValidateKey(t *testing.T) {
	for _, tc := range []struct {
		key string
		ok  bool
	}{
		{"a", true},
		{"dists/pkg_x/ver_y.zip", true},
		{"uploads/2024-01-01/A-b_c.1.tar.gz", true},
		{"a.", true},
		{strings.Repeat("a", MaxSegmentLen), true},
		{strings.Repeat("a/", MaxKeyLen/2-1) + "ab", true},
		{"", false},
		{"/abs", false},
		{"trailing/", false},
		{"a//b", false},
		{"..", false},
		{"a/../b", false},
		{"../escape", false},
		{".", false},
		{"./a", false},
		{".hidden", false},
		{"a/.tmp/x", false},
		{`a\b`, false},
		{`..\x`, false},
		{"a b", false},
		{"a:b", false},
		{"a\x00b", false},
		{"ä", false},
		{"a?b", false},
		{"a%2fb", false},
		{strings.Repeat("a", MaxSegmentLen+1), false},
		{strings.Repeat("a/", MaxKeyLen/2) + "a", false},
	} {
		err := ValidateKey(tc.key)
		if tc.ok && err != nil {
			t.Errorf("ValidateKey(%q) = %v, want nil", tc.key, err)
		}
		if !tc.ok && !errors.Is(err, ErrInvalidKey) {
			t.Errorf("ValidateKey(%q) = %v, want ErrInvalidKey", tc.key, err)
		}
	}
}

func TestRoundTrip(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	for _, tc := range []struct {
		name, key string
		data      []byte
	}{
		{"empty", "empty.zip", nil},
		{"small top level", "a.txt", []byte("hello")},
		{"nested", "dists/pkg_x/ver_y.zip", []byte("zip bytes")},
		{"large", "dists/pkg_x/big.zip", randomBytes(t, 3<<20+17)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := time.Now().Add(-time.Second)
			info, err := s.Put(ctx, tc.key, bytes.NewReader(tc.data))
			if err != nil {
				t.Fatal(err)
			}
			s1, s256 := sha1.Sum(tc.data), sha256.Sum256(tc.data)
			if info.Size != int64(len(tc.data)) || info.SHA1 != hex.EncodeToString(s1[:]) || info.SHA256 != hex.EncodeToString(s256[:]) {
				t.Errorf("Put info = %+v, want size %d sha1 %x sha256 %x", info, len(tc.data), s1, s256)
			}
			if info.ModTime.Before(before) {
				t.Errorf("ModTime %v is before the Put", info.ModTime)
			}

			got, oinfo := readAll(t, s, tc.key)
			if !bytes.Equal(got, tc.data) {
				t.Errorf("read back %d bytes, want %d", len(got), len(tc.data))
			}
			if oinfo.Size != info.Size || !oinfo.ModTime.Equal(info.ModTime) {
				t.Errorf("Object.Info = %+v, want size/modtime of %+v", oinfo, info)
			}

			sinfo, err := s.Stat(ctx, tc.key)
			if err != nil {
				t.Fatal(err)
			}
			if sinfo.Size != info.Size || !sinfo.ModTime.Equal(info.ModTime) {
				t.Errorf("Stat = %+v, want size/modtime of %+v", sinfo, info)
			}
		})
	}
}

func TestPutReplaces(t *testing.T) {
	s, dir := newStore(t)
	ctx := context.Background()
	for _, v := range []string{"one", "second version", "3"} {
		if _, err := s.Put(ctx, "k/v", strings.NewReader(v)); err != nil {
			t.Fatal(err)
		}
		if got, _ := readAll(t, s, "k/v"); string(got) != v {
			t.Fatalf("got %q, want %q", got, v)
		}
	}
	if tmp := tempFiles(t, dir); len(tmp) != 0 {
		t.Errorf("temp files left: %v", tmp)
	}
}

func TestOpenIsSeekableForServeContent(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	data := []byte("0123456789abcdefghij")
	if _, err := s.Put(ctx, "r.zip", bytes.NewReader(data)); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		o, err := s.Open(r.Context(), "r.zip")
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		defer o.Close()
		http.ServeContent(w, r, "r.zip", o.Info().ModTime, o)
	}))
	defer srv.Close()

	for _, tc := range []struct {
		rng, want string
		status    int
	}{
		{"", string(data), http.StatusOK},
		{"bytes=5-9", "56789", http.StatusPartialContent},
		{"bytes=-3", "hij", http.StatusPartialContent},
	} {
		req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
		if tc.rng != "" {
			req.Header.Set("Range", tc.rng)
		}
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.status || string(body) != tc.want {
			t.Errorf("Range %q: %d %q, want %d %q", tc.rng, resp.StatusCode, body, tc.status, tc.want)
		}
	}
}

// failingReader yields n bytes and then fails.
type failingReader struct {
	n   int
	err error
}

func (f *failingReader) Read(p []byte) (int, error) {
	if f.n == 0 {
		return 0, f.err
	}
	k := min(len(p), f.n)
	clear(p[:k])
	f.n -= k
	return k, nil
}

func TestPutAtomicOnFailure(t *testing.T) {
	errBoom := errors.New("boom")
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	for _, tc := range []struct {
		name     string
		existing string // content present before the failing Put, if any
		ctx      context.Context
		r        io.Reader
		wantErr  error
	}{
		{"new key, reader fails midway", "", context.Background(), &failingReader{n: 1 << 20, err: errBoom}, errBoom},
		{"existing key, reader fails midway", "old", context.Background(), &failingReader{n: 1 << 20, err: errBoom}, errBoom},
		{"reader fails immediately", "", context.Background(), &failingReader{err: errBoom}, errBoom},
		{"context cancelled", "old", cancelled, strings.NewReader("new"), context.Canceled},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, dir := newStore(t)
			const key = "dists/p/v.zip"
			if tc.existing != "" {
				if _, err := s.Put(context.Background(), key, strings.NewReader(tc.existing)); err != nil {
					t.Fatal(err)
				}
			}
			_, err := s.Put(tc.ctx, key, tc.r)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("Put error = %v, want %v", err, tc.wantErr)
			}
			if tc.existing == "" {
				if _, err := s.Stat(context.Background(), key); !errors.Is(err, ErrNotFound) {
					t.Errorf("Stat after failed Put = %v, want ErrNotFound", err)
				}
			} else if got, _ := readAll(t, s, key); string(got) != tc.existing {
				t.Errorf("after failed Put got %q, want old %q", got, tc.existing)
			}
			if tmp := tempFiles(t, dir); len(tmp) != 0 {
				t.Errorf("temp files left: %v", tmp)
			}
		})
	}
}

func TestContextCancelledMidPut(t *testing.T) {
	s, dir := newStore(t)
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		_, err := s.Put(ctx, "slow.zip", pr)
		done <- err
	}()
	if _, err := pw.Write(make([]byte, 1000)); err != nil {
		t.Fatal(err)
	}
	cancel()
	// Ending the stream lets Put finish reading; it must still notice the
	// cancellation (in its reader or just before the rename) and back out.
	pw.Close()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Put = %v, want context.Canceled", err)
	}
	if _, err := s.Stat(context.Background(), "slow.zip"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Stat = %v, want ErrNotFound", err)
	}
	if tmp := tempFiles(t, dir); len(tmp) != 0 {
		t.Errorf("temp files left: %v", tmp)
	}
}

func TestBadKeysRejectedEverywhere(t *testing.T) {
	s, dir := newStore(t)
	ctx := context.Background()
	for _, key := range []string{"", "/etc/passwd", "../outside", "a/../../outside", `a\..\b`, "a//b", "a/", ".tmp/x", "sp ace"} {
		if _, err := s.Put(ctx, key, strings.NewReader("x")); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("Put(%q) = %v, want ErrInvalidKey", key, err)
		}
		if _, err := s.Open(ctx, key); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("Open(%q) = %v, want ErrInvalidKey", key, err)
		}
		if _, err := s.Stat(ctx, key); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("Stat(%q) = %v, want ErrInvalidKey", key, err)
		}
		if err := s.Delete(ctx, key); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("Delete(%q) = %v, want ErrInvalidKey", key, err)
		}
	}
	for _, prefix := range []string{"/", "../", "a//", ".tmp", "a/../"} {
		err := s.List(ctx, prefix, func(string, Info) error { return nil })
		if !errors.Is(err, ErrInvalidKey) {
			t.Errorf("List(%q) = %v, want ErrInvalidKey", prefix, err)
		}
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(dir), "outside")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a file was created outside the store: %v", err)
	}
}

func TestSymlinkCannotEscape(t *testing.T) {
	s, dir := newStore(t)
	ctx := context.Background()
	outside := t.TempDir()
	if err := os.WriteFile(filepath.Join(outside, "secret"), []byte("secret"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(dir, "link")); err != nil {
		t.Skip("symlinks not supported:", err)
	}
	if _, err := s.Open(ctx, "link/secret"); err == nil {
		t.Error("Open through a symlink leading outside succeeded")
	}
	if _, err := s.Put(ctx, "link/planted", strings.NewReader("x")); err == nil {
		t.Error("Put through a symlink leading outside succeeded")
	}
	if _, err := os.Stat(filepath.Join(outside, "planted")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Put wrote outside the store: %v", err)
	}
}

func TestNotFound(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	if _, err := s.Put(ctx, "file", strings.NewReader("x")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Put(ctx, "dir/obj", strings.NewReader("x")); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"missing", "missing/deeper", "file/below", "dir"} {
		if _, err := s.Open(ctx, key); !errors.Is(err, ErrNotFound) {
			t.Errorf("Open(%q) = %v, want ErrNotFound", key, err)
		}
		if _, err := s.Stat(ctx, key); !errors.Is(err, ErrNotFound) {
			t.Errorf("Stat(%q) = %v, want ErrNotFound", key, err)
		}
	}
}

func TestDelete(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name      string
		put       []string
		del       string
		wantKeys  []string
		wantGone  []string // directories expected to have been pruned
		wantStays []string // directories expected to remain
	}{
		{"missing key", nil, "nope/never", nil, nil, nil},
		{"only object prunes parents", []string{"a/b/c.zip"}, "a/b/c.zip", nil, []string{"a/b", "a"}, nil},
		{"sibling keeps parent", []string{"a/b/c.zip", "a/b/d.zip"}, "a/b/c.zip", []string{"a/b/d.zip"}, nil, []string{"a/b"}},
		{"cousin keeps grandparent", []string{"a/b/c.zip", "a/x.zip"}, "a/b/c.zip", []string{"a/x.zip"}, []string{"a/b"}, []string{"a"}},
		{"prefix directory is not an object", []string{"a/b/c.zip"}, "a/b", []string{"a/b/c.zip"}, nil, []string{"a/b"}},
		{"top level", []string{"top.zip", "other.zip"}, "top.zip", []string{"other.zip"}, nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, dir := newStore(t)
			for _, k := range tc.put {
				if _, err := s.Put(ctx, k, strings.NewReader(k)); err != nil {
					t.Fatal(err)
				}
			}
			if err := s.Delete(ctx, tc.del); err != nil {
				t.Fatalf("Delete(%q) = %v", tc.del, err)
			}
			if err := s.Delete(ctx, tc.del); err != nil {
				t.Fatalf("second Delete(%q) = %v", tc.del, err)
			}
			if got := listAll(t, s, ""); !slices.Equal(got, tc.wantKeys) {
				t.Errorf("keys after delete = %v, want %v", got, tc.wantKeys)
			}
			for _, d := range tc.wantGone {
				if _, err := os.Stat(filepath.Join(dir, d)); !errors.Is(err, os.ErrNotExist) {
					t.Errorf("directory %q not pruned: %v", d, err)
				}
			}
			for _, d := range tc.wantStays {
				if _, err := os.Stat(filepath.Join(dir, d)); err != nil {
					t.Errorf("directory %q should remain: %v", d, err)
				}
			}
			if _, err := os.Stat(filepath.Join(dir, tmpDir)); err != nil {
				t.Errorf("temp directory removed: %v", err)
			}
		})
	}
}

func listAll(t testing.TB, s Store, prefix string) []string {
	t.Helper()
	var keys []string
	err := s.List(context.Background(), prefix, func(key string, info Info) error {
		keys = append(keys, key)
		return nil
	})
	if err != nil {
		t.Fatalf("List(%q): %v", prefix, err)
	}
	slices.Sort(keys)
	return keys
}

func TestList(t *testing.T) {
	s, dir := newStore(t)
	ctx := context.Background()
	keys := []string{"top.zip", "dists/a/1.zip", "dists/a/2.zip", "dists/ab/1.zip", "dists/b/1.zip", "uploads/x"}
	for _, k := range keys {
		if _, err := s.Put(ctx, k, strings.NewReader(k)); err != nil {
			t.Fatal(err)
		}
	}
	// An in-progress Put must not show up.
	if err := os.WriteFile(filepath.Join(dir, tmpDir, "pending.part"), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		prefix string
		want   []string
	}{
		{"", []string{"dists/a/1.zip", "dists/a/2.zip", "dists/ab/1.zip", "dists/b/1.zip", "top.zip", "uploads/x"}},
		{"dists/", []string{"dists/a/1.zip", "dists/a/2.zip", "dists/ab/1.zip", "dists/b/1.zip"}},
		{"dists", []string{"dists/a/1.zip", "dists/a/2.zip", "dists/ab/1.zip", "dists/b/1.zip"}},
		{"dists/a", []string{"dists/a/1.zip", "dists/a/2.zip", "dists/ab/1.zip"}},
		{"dists/a/", []string{"dists/a/1.zip", "dists/a/2.zip"}},
		{"dists/a/1", []string{"dists/a/1.zip"}},
		{"dists/a/1.zip", []string{"dists/a/1.zip"}},
		{"t", []string{"top.zip"}},
		{"top.zip/", nil},
		{"missing/", nil},
		{"missing/deeper/x", nil},
	} {
		if got := listAll(t, s, tc.prefix); !slices.Equal(got, tc.want) {
			t.Errorf("List(%q) = %v, want %v", tc.prefix, got, tc.want)
		}
	}

	// Info carries size and modtime.
	err := s.List(ctx, "uploads/", func(key string, info Info) error {
		if info.Size != int64(len(key)) || info.ModTime.IsZero() {
			t.Errorf("List info for %q = %+v", key, info)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	// fn's error stops the walk and is returned as is.
	errStop := errors.New("enough")
	calls := 0
	err = s.List(ctx, "", func(string, Info) error {
		calls++
		return errStop
	})
	if err != errStop || calls != 1 {
		t.Errorf("List with failing fn = %v after %d calls, want %v after 1", err, calls, errStop)
	}

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if err := s.List(cancelled, "", func(string, Info) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Errorf("List with cancelled ctx = %v", err)
	}
}

func TestNewFSRemovesStaleTemp(t *testing.T) {
	dir := t.TempDir()
	s, err := NewFS(dir)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	stale := filepath.Join(dir, tmpDir, "stale.part")
	fresh := filepath.Join(dir, tmpDir, "fresh.part")
	for _, p := range []string{stale, fresh} {
		if err := os.WriteFile(p, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	old := time.Now().Add(-2 * staleTemp)
	if err := os.Chtimes(stale, old, old); err != nil {
		t.Fatal(err)
	}
	s, err = NewFS(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got := tempFiles(t, dir); !slices.Equal(got, []string{"fresh.part"}) {
		t.Errorf("temp files after NewFS = %v, want only fresh.part", got)
	}
}

func TestPermissions(t *testing.T) {
	s, dir := newStore(t)
	if _, err := s.Put(context.Background(), "p/q.zip", strings.NewReader("x")); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		rel  string
		mask os.FileMode
	}{
		{"p/q.zip", 0o077},
		{"p", 0o077},
	} {
		st, err := os.Stat(filepath.Join(dir, tc.rel))
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm()&tc.mask != 0 {
			t.Errorf("%s has mode %v, want no group/other access", tc.rel, st.Mode().Perm())
		}
	}
}

// TestConcurrentPutsAndReads has writers replace one key while readers read
// it: every read must see exactly one whole version.
func TestConcurrentPutsAndReads(t *testing.T) {
	s, dir := newStore(t)
	ctx := context.Background()
	const key = "dists/hot/v.zip"
	const writers, puts, readers, size = 4, 10, 4, 256 << 10

	versions := make(map[string]bool) // sha256 of every version ever written
	contents := make([][]byte, writers*puts)
	for i := range contents {
		b := bytes.Repeat([]byte{byte(i)}, size)
		copy(b, fmt.Sprintf("version %d;", i))
		contents[i] = b
		sum := sha256.Sum256(b)
		versions[hex.EncodeToString(sum[:])] = true
	}
	if _, err := s.Put(ctx, key, bytes.NewReader(contents[0])); err != nil {
		t.Fatal(err)
	}

	var wg sync.WaitGroup
	stop := make(chan struct{})
	errs := make(chan error, writers+readers)
	for w := range writers {
		wg.Go(func() {
			for p := range puts {
				if _, err := s.Put(ctx, key, bytes.NewReader(contents[w*puts+p])); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	var rwg sync.WaitGroup
	for range readers {
		rwg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				o, err := s.Open(ctx, key)
				if err != nil {
					errs <- err
					return
				}
				h := sha256.New()
				n, err := io.Copy(h, o)
				size := o.Info().Size
				o.Close()
				if err != nil {
					errs <- err
					return
				}
				if n != size || !versions[hex.EncodeToString(h.Sum(nil))] {
					errs <- fmt.Errorf("read a torn object: %d bytes (info says %d)", n, size)
					return
				}
			}
		})
	}
	wg.Wait()
	close(stop)
	rwg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if tmp := tempFiles(t, dir); len(tmp) != 0 {
		t.Errorf("temp files left: %v", tmp)
	}
}

// TestConcurrentPutAndDeleteSiblings races Puts against Deletes that prune
// the shared parent directory.
func TestConcurrentPutAndDeleteSiblings(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 2*50)
	for i := range 50 {
		wg.Go(func() {
			if _, err := s.Put(ctx, fmt.Sprintf("shared/deep/put%d", i), strings.NewReader("x")); err != nil {
				errs <- err
			}
		})
		wg.Go(func() {
			k := fmt.Sprintf("shared/deep/del%d", i)
			if _, err := s.Put(ctx, k, strings.NewReader("x")); err != nil {
				errs <- err
				return
			}
			if err := s.Delete(ctx, k); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if got := listAll(t, s, "shared/"); len(got) != 50 {
		t.Errorf("%d keys left, want 50: %v", len(got), got)
	}
}

func BenchmarkOpenRead1MiB(b *testing.B) {
	s, _ := newStore(b)
	ctx := context.Background()
	data := randomBytes(b, 1<<20)
	if _, err := s.Put(ctx, "dists/bench/v.zip", bytes.NewReader(data)); err != nil {
		b.Fatal(err)
	}
	buf := make([]byte, 128<<10)
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for b.Loop() {
		o, err := s.Open(ctx, "dists/bench/v.zip")
		if err != nil {
			b.Fatal(err)
		}
		n, err := io.CopyBuffer(io.Discard, struct{ io.Reader }{o}, buf)
		o.Close()
		if err != nil || n != int64(len(data)) {
			b.Fatalf("read %d bytes: %v", n, err)
		}
	}
}
