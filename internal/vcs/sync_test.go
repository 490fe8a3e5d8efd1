package vcs

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

func refsByName(refs []Ref) map[string]Ref {
	m := map[string]Ref{}
	for _, r := range refs {
		m[r.Kind.String()+":"+r.Name] = r
	}
	return m
}

func TestSyncAndRefs(t *testing.T) {
	f := getFixture(t)
	repo, err := Sync(t.Context(), filepath.Join(t.TempDir(), "m"), f.srcURL, Auth{}, Options{AllowLocal: true})
	if err != nil {
		t.Fatal(err)
	}
	refs, err := repo.Refs(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	got := refsByName(refs)
	want := []struct {
		key, commit string
	}{
		{"tag:v1.0.0", f.c1},
		{"tag:v1.1.0", f.c2}, // annotated: peeled
		{"tag:nested", f.c2}, // a tag of a tag: peeled twice
		{"tag:2.0.0-beta1", f.c3},
		{"tag:mono-1", f.c4},
		{"branch:main", f.c4},
		{"branch:feature/x", f.c3},
	}
	for _, w := range want {
		r, ok := got[w.key]
		if !ok {
			t.Errorf("missing ref %s in %v", w.key, refs)
			continue
		}
		if r.Commit != w.commit {
			t.Errorf("%s: commit %s, want %s", w.key, r.Commit, w.commit)
		}
		if !r.Time.Equal(f.commitTimes[w.commit]) || r.Time.Location() != time.UTC {
			t.Errorf("%s: time %v, want %v (UTC)", w.key, r.Time, f.commitTimes[w.commit])
		}
	}
	if len(refs) != len(want) {
		t.Errorf("got %d refs, want %d: %v", len(refs), len(want), refs)
	}
	br, err := repo.DefaultBranch(t.Context())
	if err != nil || br != "main" {
		t.Errorf("DefaultBranch = %q, %v; want main", br, err)
	}
	// Only branches and tags are mirrored.
	if _, err := os.Stat(filepath.Join(repo.Dir(), "hooks")); err == nil {
		t.Error("mirror has a hooks directory")
	}
}

func TestSyncFollowsUpstreamChanges(t *testing.T) {
	f := getFixture(t)
	src := f.cloneSource(t)
	dir := filepath.Join(t.TempDir(), "m")
	opts := Options{AllowLocal: true}
	if _, err := Sync(t.Context(), dir, src.dir, Auth{}, opts); err != nil {
		t.Fatal(err)
	}

	// Move v1.0.0 (force-retag), delete 2.0.0-beta1 and feature/x, add a
	// branch and make it the default.
	src.git("tag", "-f", "v1.0.0", f.c2)
	src.git("tag", "-d", "2.0.0-beta1")
	src.git("branch", "-D", "feature/x")
	src.git("checkout", "-q", "-b", "develop")
	c5 := src.commit("c5")
	src.git("tag", "v3.0.0")

	repo, err := Sync(t.Context(), dir, src.dir, Auth{}, opts)
	if err != nil {
		t.Fatal(err)
	}
	refs, err := repo.Refs(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	got := refsByName(refs)
	tests := []struct {
		key    string
		commit string // "" = must be gone
	}{
		{"tag:v1.0.0", f.c2},
		{"tag:2.0.0-beta1", ""},
		{"branch:feature/x", ""},
		{"branch:develop", c5},
		{"tag:v3.0.0", c5},
		{"branch:main", f.c4},
	}
	for _, tc := range tests {
		r, ok := got[tc.key]
		switch {
		case tc.commit == "" && ok:
			t.Errorf("%s still present after upstream deleted it", tc.key)
		case tc.commit != "" && !ok:
			t.Errorf("%s missing", tc.key)
		case ok && r.Commit != tc.commit:
			t.Errorf("%s: commit %s, want %s", tc.key, r.Commit, tc.commit)
		}
	}
	if br, err := repo.DefaultBranch(t.Context()); err != nil || br != "develop" {
		t.Errorf("DefaultBranch = %q, %v; want develop (upstream HEAD moved)", br, err)
	}
}

func TestSyncRecoversBrokenMirror(t *testing.T) {
	f := getFixture(t)
	tests := []struct {
		name   string
		break_ func(t *testing.T, dir string)
	}{
		{"empty directory", func(t *testing.T, dir string) {
			must(t, os.MkdirAll(dir, 0o755))
		}},
		{"garbage", func(t *testing.T, dir string) {
			must(t, os.MkdirAll(dir, 0o755))
			must(t, os.WriteFile(filepath.Join(dir, "HEAD"), []byte("garbage"), 0o644))
		}},
		{"half-written clone", func(t *testing.T, dir string) {
			must(t, os.MkdirAll(filepath.Join(dir, "objects", "pack"), 0o755))
			must(t, os.WriteFile(filepath.Join(dir, "HEAD"), []byte("ref: refs/heads/main\n"), 0o644))
		}},
		{"objects missing", func(t *testing.T, dir string) {
			if _, err := Sync(t.Context(), dir, f.srcURL, Auth{}, Options{AllowLocal: true}); err != nil {
				t.Fatal(err)
			}
			must(t, os.RemoveAll(filepath.Join(dir, "objects")))
			must(t, os.MkdirAll(filepath.Join(dir, "objects"), 0o755))
		}},
		{"leftovers of an interrupted sync", func(t *testing.T, dir string) {
			must(t, os.MkdirAll(filepath.Join(filepath.Dir(dir), ".m.tmp-123", "objects"), 0o755))
			must(t, os.MkdirAll(filepath.Join(filepath.Dir(dir), ".m.old-456"), 0o755))
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "m")
			tc.break_(t, dir)
			repo, err := Sync(t.Context(), dir, f.srcURL, Auth{}, Options{AllowLocal: true})
			if err != nil {
				t.Fatalf("Sync did not recover: %v", err)
			}
			refs, err := repo.Refs(t.Context())
			if err != nil || len(refs) != 7 {
				t.Fatalf("Refs after recovery: %d refs, %v", len(refs), err)
			}
			entries, _ := os.ReadDir(filepath.Dir(dir))
			for _, e := range entries {
				if strings.Contains(e.Name(), ".tmp-") || strings.Contains(e.Name(), ".old-") {
					t.Errorf("leftover %s", e.Name())
				}
			}
		})
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestSyncRefusesURLs(t *testing.T) {
	f := getFixture(t)
	tests := []struct {
		url  string
		want error
	}{
		{f.srcURL, ErrLocalNotAllowed},
		{"file://" + f.srcURL, ErrLocalNotAllowed},
		{"./relative/repo", ErrLocalNotAllowed},
		{"repo", ErrLocalNotAllowed},
		{"http://github.com/acme/lib.git", ErrUnsupportedURL},
		{"ftp://example.com/x.git", ErrUnsupportedURL},
		{"ext::sh -c touch% /tmp/pwned", ErrUnsupportedURL},
		{"fd::17", ErrUnsupportedURL},
		{"-oProxyCommand=touch /tmp/pwned", ErrUnsupportedURL},
		{"ssh://-oProxyCommand=touch%20x/y", ErrUnsupportedURL},
		{"-oProxyCommand=x:y", ErrUnsupportedURL},
		{"https://github.com/acme/lib\n.git", ErrUnsupportedURL},
		{"", ErrUnsupportedURL},
	}
	for _, tc := range tests {
		t.Run(tc.url, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "m")
			_, err := Sync(t.Context(), dir, tc.url, Auth{}, Options{})
			if !errors.Is(err, tc.want) {
				t.Fatalf("Sync(%q) = %v, want %v", tc.url, err, tc.want)
			}
			if _, err := os.Stat(dir); err == nil {
				t.Error("refused Sync created the mirror directory")
			}
		})
	}
}

func TestSyncErrorsCarryNoCredentials(t *testing.T) {
	port := closedPort(t)
	const token = "ghp_T0pSecretToken1234567890"
	const urlPass = "url-pa55word-secret"
	url := fmt.Sprintf("https://deploy:%s@127.0.0.1:%d/acme/lib.git", urlPass, port)
	_, err := Sync(t.Context(), filepath.Join(t.TempDir(), "m"), url, Auth{Token: token, Username: "bot"}, Options{Timeout: 30 * time.Second})
	if err == nil {
		t.Fatal("Sync of a closed port succeeded")
	}
	var ge *Error
	if !errors.As(err, &ge) {
		t.Fatalf("error %T %v is not a *vcs.Error", err, err)
	}
	msg := err.Error() + "\n" + ge.Stderr
	for _, secret := range []string{token, urlPass, base64.StdEncoding.EncodeToString([]byte("bot:" + token))} {
		if strings.Contains(msg, secret) {
			t.Errorf("error leaks %q: %s", secret, msg)
		}
	}
	wantPrefix := fmt.Sprintf("git clone of https://127.0.0.1:%d/acme/lib.git failed: ", port)
	if !strings.HasPrefix(err.Error(), wantPrefix) {
		t.Errorf("error %q does not start with %q", err, wantPrefix)
	}
	if !errors.Is(err, ErrUnreachable) {
		t.Errorf("error %v is not ErrUnreachable", err)
	}
}

func TestScrub(t *testing.T) {
	header := basicAuthHeader("bot", "tok-secret-1")
	secrets := secretsOf(Auth{Token: "tok-secret-1", SSHKey: []byte("-----BEGIN KEY-----\nAAAAB3NzaC1yc2EAAAADAQABAAABAQ\n-----END KEY-----\n")},
		header, &remote{pass: "p@ss word"})
	tests := []struct{ in, leak string }{
		{"fatal: unable to access 'https://bot:tok-secret-1@host/x/'", "tok-secret-1"},
		{"Authorization: " + header, strings.TrimPrefix(header, "Basic ")},
		{"url https://u:other-pass@host/x", "other-pass"},
		{"encoded p%40ss+word and p%40ss%20word", "p%40ss"},
		{"key line AAAAB3NzaC1yc2EAAAADAQABAAABAQ", "AAAAB3NzaC1yc2EAAAADAQABAAABAQ"},
		{"authorization: bearer xyz.abc", "xyz.abc"},
	}
	for _, tc := range tests {
		if got := scrub(tc.in, secrets); strings.Contains(got, tc.leak) {
			t.Errorf("scrub(%q) = %q still contains %q", tc.in, got, tc.leak)
		}
	}
}

// hangingServer accepts TCP connections and never answers, so git blocks in
// the TLS handshake until it is killed.
func hangingServer(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var conns []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			conns = append(conns, c)
		}
	}()
	t.Cleanup(func() {
		l.Close()
		<-done
		for _, c := range conns {
			c.Close()
		}
	})
	return l.Addr().(*net.TCPAddr).Port
}

// procsWith lists live (non-zombie) processes whose command line contains s.
func procsWith(t *testing.T, s string) map[int]string {
	return procsWithParent(t, s, 0)
}

// procsWithParent is procsWith limited to children of ppid (0: any).
func procsWithParent(t *testing.T, s string, ppid int) map[int]string {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		t.Skip("no /proc")
	}
	found := map[int]string{}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		cmdline, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err != nil || !strings.Contains(string(cmdline), s) {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		i := strings.LastIndexByte(string(stat), ')')
		if i < 0 || len(stat) < i+2 {
			continue
		}
		fields := strings.Fields(string(stat[i+1:])) // state ppid ...
		if len(fields) < 2 || fields[0] == "Z" {
			continue
		}
		if parent, _ := strconv.Atoi(fields[1]); ppid != 0 && parent != ppid {
			continue
		}
		found[pid] = strings.ReplaceAll(string(cmdline), "\x00", " ")
	}
	return found
}

func waitFor(cond func() bool, d time.Duration) bool {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if cond() {
			return true
		}
		time.Sleep(20 * time.Millisecond)
	}
	return cond()
}

func TestSyncCancelKillsGit(t *testing.T) {
	port := hangingServer(t)
	marker := fmt.Sprintf("127.0.0.1:%d", port)
	const token = "tok-never-in-argv-42"
	ctx, cancel := context.WithCancel(t.Context())
	errc := make(chan error, 1)
	go func() {
		_, err := Sync(ctx, filepath.Join(t.TempDir(), "m"), "https://"+marker+"/acme/lib.git", Auth{Token: token}, Options{})
		errc <- err
	}()
	var procs map[int]string
	if !waitFor(func() bool { procs = procsWith(t, marker); return len(procs) >= 2 }, 10*time.Second) {
		t.Fatalf("git and its https helper did not start: %v", procs)
	}
	for pid, cmd := range procs {
		if strings.Contains(cmd, token) {
			t.Errorf("process %d has the token in argv: %s", pid, cmd)
		}
	}
	start := time.Now()
	cancel()
	select {
	case err := <-errc:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Sync error = %v, want context.Canceled", err)
		}
		if time.Since(start) > 3*time.Second {
			t.Errorf("Sync took %v to return after cancel", time.Since(start))
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Sync did not return after cancel")
	}
	if !waitFor(func() bool { return len(procsWith(t, marker)) == 0 }, 3*time.Second) {
		t.Errorf("git processes survive cancellation: %v", procsWith(t, marker))
	}
}

func TestSyncTimeout(t *testing.T) {
	port := hangingServer(t)
	marker := fmt.Sprintf("127.0.0.1:%d", port)
	_, err := Sync(t.Context(), filepath.Join(t.TempDir(), "m"), "https://"+marker+"/x.git", Auth{}, Options{Timeout: 500 * time.Millisecond})
	if !errors.Is(err, ErrTimeout) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Sync error = %v, want ErrTimeout and DeadlineExceeded", err)
	}
	if !strings.Contains(err.Error(), "timed out after 500ms") {
		t.Errorf("message %q does not say it timed out", err)
	}
	if !waitFor(func() bool { return len(procsWith(t, marker)) == 0 }, 3*time.Second) {
		t.Errorf("git processes survive the timeout: %v", procsWith(t, marker))
	}
}

func TestGitEnvironment(t *testing.T) {
	t.Setenv("GIT_DIR", "/somewhere/else")
	t.Setenv("GIT_SSH_COMMAND", "evil")
	t.Setenv("GIT_ASKPASS", "/bin/evil")
	t.Setenv("SSH_AUTH_SOCK", "/tmp/agent")
	t.Setenv("HTTPS_PROXY", "http://evil:3128")
	t.Setenv("no_proxy", "*")
	env := buildEnv("/private/home", "https", "", []envConfig{{"http.https://h/.extraHeader", "Authorization: Basic x"}})
	has := func(kv string) bool {
		for _, e := range env {
			if e == kv {
				return true
			}
		}
		return false
	}
	for _, want := range []string{"GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=" + os.DevNull, "GIT_TERMINAL_PROMPT=0",
		"GIT_ALLOW_PROTOCOL=https", "HOME=/private/home"} {
		if !has(want) {
			t.Errorf("env lacks %s", want)
		}
	}
	for _, e := range env {
		for _, bad := range []string{"GIT_DIR=", "GIT_SSH_COMMAND=", "GIT_ASKPASS=", "SSH_AUTH_SOCK=", "HTTPS_PROXY=", "no_proxy="} {
			if strings.HasPrefix(e, bad) {
				t.Errorf("env keeps %s", e)
			}
		}
	}
	if env := buildEnv("/h", "file", "", nil); !strings.Contains(strings.Join(env, "\n"), "GIT_ALLOW_PROTOCOL=file\n") {
		t.Error("a local remote does not allow the file protocol")
	}
}

func TestOpenMirror(t *testing.T) {
	f := getFixture(t)
	f.mirror(t)
	if _, err := OpenMirror(f.mirrorDir); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenMirror(t.TempDir()); !errors.Is(err, ErrNotFound) {
		t.Fatalf("OpenMirror(empty dir) = %v, want ErrNotFound", err)
	}
	if _, err := OpenMirror(""); !errors.Is(err, ErrInvalidArgument) {
		t.Fatalf("OpenMirror(\"\") = %v, want ErrInvalidArgument", err)
	}
}

func TestSyncConcurrentSameDir(t *testing.T) {
	f := getFixture(t)
	dir := filepath.Join(t.TempDir(), "m")
	errs := make(chan error, 4)
	for i := 0; i < 4; i++ {
		go func() {
			_, err := Sync(t.Context(), dir, f.srcURL, Auth{}, Options{AllowLocal: true})
			errs <- err
		}()
	}
	for i := 0; i < 4; i++ {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	repo, err := OpenMirror(dir)
	if err != nil {
		t.Fatal(err)
	}
	if refs, err := repo.Refs(t.Context()); err != nil || len(refs) != 7 {
		t.Fatalf("Refs: %d, %v", len(refs), err)
	}
}
