package secretbox

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestParseKey(t *testing.T) {
	key := bytes.Repeat([]byte{0xfb, 0xff, 0x3e}, 11)[:KeySize] // exercises +/ vs -_
	std := base64.StdEncoding.EncodeToString(key)
	for _, tc := range []struct {
		name, in string
		ok       bool
	}{
		{"standard", std, true},
		{"standard unpadded", base64.RawStdEncoding.EncodeToString(key), true},
		{"url-safe", base64.URLEncoding.EncodeToString(key), true},
		{"url-safe unpadded", base64.RawURLEncoding.EncodeToString(key), true},
		{"trailing newline", std + "\n", true},
		{"surrounding spaces", "  " + std + "\t", true},
		{"empty", "", false},
		{"blank", " \n", false},
		{"not base64", "this is not a key!!", false},
		{"inner space", std[:10] + " " + std[10:], false},
		{"16 bytes", base64.StdEncoding.EncodeToString(key[:16]), false},
		{"33 bytes", base64.StdEncoding.EncodeToString(append(bytes.Clone(key), 1)), false},
		{"raw 32 bytes", string(bytes.Repeat([]byte("k"), 32)), false},
		{"hex", fmt.Sprintf("%x", key), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseKey(tc.in)
			if tc.ok {
				if err != nil || !bytes.Equal(got, key) {
					t.Fatalf("ParseKey = %x, %v; want %x", got, err, key)
				}
				return
			}
			if err == nil {
				t.Fatalf("ParseKey succeeded with %x", got)
			}
			if s := strings.TrimSpace(tc.in); len(s) > 4 && strings.Contains(err.Error(), s) {
				t.Errorf("error echoes the secret input: %v", err)
			}
		})
	}
}

func TestLoadOrCreateKeyFileCreatesOnceAndReuses(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "data", "keys", "secretbox.key")

	first, err := LoadOrCreateKeyFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(first) != KeySize {
		t.Fatalf("key has %d bytes", len(first))
	}
	if _, err := New(first); err != nil {
		t.Fatalf("created key unusable: %v", err)
	}
	second, err := LoadOrCreateKeyFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(first, second) {
		t.Fatal("second call returned a different key")
	}

	// The file holds the base64 key that ParseKey (configuration) accepts.
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if parsed, err := ParseKey(string(data)); err != nil || !bytes.Equal(parsed, first) {
		t.Errorf("key file content not a ParseKey key: %v", err)
	}

	if runtime.GOOS != "windows" {
		for _, tc := range []struct {
			path string
			want os.FileMode
		}{
			{path, 0o600},
			{filepath.Dir(path), 0o700},
		} {
			st, err := os.Stat(tc.path)
			if err != nil {
				t.Fatal(err)
			}
			if got := st.Mode().Perm(); got&^tc.want != 0 {
				t.Errorf("%s has mode %#o, want at most %#o", tc.path, got, tc.want)
			}
		}
	}
	assertNoTempFiles(t, filepath.Dir(path))
}

func assertNoTempFiles(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("temp file left behind: %s", e.Name())
		}
	}
}

func TestLoadOrCreateKeyFileRacingGoroutines(t *testing.T) {
	for round := range 20 {
		dir := t.TempDir()
		path := filepath.Join(dir, "secretbox.key")
		const n = 8
		keys := make([][]byte, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range n {
			wg.Go(func() {
				<-start
				keys[i], errs[i] = LoadOrCreateKeyFile(path)
			})
		}
		close(start)
		wg.Wait()
		for i := range n {
			if errs[i] != nil {
				t.Fatalf("round %d: caller %d: %v", round, i, errs[i])
			}
			if !bytes.Equal(keys[i], keys[0]) {
				t.Fatalf("round %d: callers disagree on the key", round)
			}
		}
		assertNoTempFiles(t, dir)
	}
}

// TestLoadOrCreateKeyFileRacingProcesses races real processes (this test
// binary re-executed as a helper), which is the case the design is for.
func TestLoadOrCreateKeyFileRacingProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Skip(err)
	}
	for round := range 3 {
		path := filepath.Join(t.TempDir(), "secretbox.key")
		at := time.Now().Add(300 * time.Millisecond).UnixNano()
		const n = 6
		cmds := make([]*exec.Cmd, n)
		outs := make([]*bytes.Buffer, n)
		for i := range n {
			cmd := exec.Command(exe, "-test.run=^TestHelperProcessLoadKey$")
			cmd.Env = append(os.Environ(),
				"SECRETBOX_HELPER_PATH="+path,
				"SECRETBOX_HELPER_AT="+strconv.FormatInt(at, 10))
			outs[i] = new(bytes.Buffer)
			cmd.Stdout, cmd.Stderr = outs[i], outs[i]
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			cmds[i] = cmd
		}
		var first string
		for i, cmd := range cmds {
			if err := cmd.Wait(); err != nil {
				t.Fatalf("round %d: helper %d: %v\n%s", round, i, err, outs[i])
			}
			_, after, ok := strings.Cut(outs[i].String(), "KEY=")
			if !ok {
				t.Fatalf("round %d: helper %d printed no key:\n%s", round, i, outs[i])
			}
			got, _, _ := strings.Cut(after, "\n")
			if i == 0 {
				first = got
			} else if got != first {
				t.Fatalf("round %d: processes disagree on the key", round)
			}
		}
		onDisk, err := LoadOrCreateKeyFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if base64.StdEncoding.EncodeToString(onDisk) != first {
			t.Fatalf("round %d: key on disk differs from the one the processes use", round)
		}
	}
}

// TestHelperProcessLoadKey is the child of TestLoadOrCreateKeyFileRacingProcesses.
func TestHelperProcessLoadKey(t *testing.T) {
	path := os.Getenv("SECRETBOX_HELPER_PATH")
	if path == "" {
		t.Skip("helper process only")
	}
	at, _ := strconv.ParseInt(os.Getenv("SECRETBOX_HELPER_AT"), 10, 64)
	time.Sleep(time.Until(time.Unix(0, at)))
	key, err := LoadOrCreateKeyFile(path)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Printf("KEY=%s\n", base64.StdEncoding.EncodeToString(key))
}

func TestLoadOrCreateKeyFileRefusesBadFiles(t *testing.T) {
	valid := encodeKey(bytes.Repeat([]byte{7}, KeySize))
	for _, tc := range []struct {
		name  string
		setup func(path string) error
		unix  bool // only meaningful where Unix permissions apply
	}{
		{"readable by others", func(p string) error { return os.WriteFile(p, valid, 0o644) }, true},
		{"readable by group", func(p string) error { return os.WriteFile(p, valid, 0o640) }, true},
		{"empty", func(p string) error { return os.WriteFile(p, nil, 0o600) }, false},
		{"malformed", func(p string) error { return os.WriteFile(p, []byte("not a key\n"), 0o600) }, false},
		{"short key", func(p string) error { return os.WriteFile(p, encodeKey(make([]byte, 16)), 0o600) }, false},
		{"too large", func(p string) error { return os.WriteFile(p, bytes.Repeat([]byte("A"), 4096), 0o600) }, false},
		{"directory", func(p string) error { return os.Mkdir(p, 0o700) }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.unix && runtime.GOOS == "windows" {
				t.Skip("no Unix permissions")
			}
			path := filepath.Join(t.TempDir(), "secretbox.key")
			if err := tc.setup(path); err != nil {
				t.Fatal(err)
			}
			before, _ := os.Stat(path)
			var content []byte
			if before.Mode().IsRegular() {
				content, _ = os.ReadFile(path)
			}
			if _, err := LoadOrCreateKeyFile(path); err == nil {
				t.Fatal("LoadOrCreateKeyFile accepted a bad key file")
			}
			// The file must be left alone: replacing it would orphan every
			// secret sealed with the old key.
			after, err := os.Stat(path)
			if err != nil || after.Mode() != before.Mode() {
				t.Fatalf("key file changed: %v", err)
			}
			if after.Mode().IsRegular() {
				if got, _ := os.ReadFile(path); !bytes.Equal(got, content) {
					t.Error("key file content was replaced")
				}
			}
		})
	}
}

func TestLoadOrCreateKeyFileUnwritableDir(t *testing.T) {
	if runtime.GOOS == "windows" || os.Geteuid() == 0 {
		t.Skip("needs Unix permissions enforced (not root)")
	}
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o500); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(dir, 0o700) })
	if _, err := LoadOrCreateKeyFile(filepath.Join(dir, "secretbox.key")); err == nil {
		t.Fatal("created a key file in a read-only directory")
	}
}
