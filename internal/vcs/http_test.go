package vcs

import (
	"encoding/pem"
	"errors"
	"net/http"
	"net/http/cgi"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// gitHTTPServer serves the bare repositories under root over HTTPS through
// git-http-backend, requiring "Authorization: <wantAuth>" when it is set. It
// returns the server and a CA bundle that trusts it.
func gitHTTPServer(t *testing.T, root, wantAuth string) (*httptest.Server, string, *[]string) {
	t.Helper()
	out, err := exec.Command("git", "--exec-path").Output()
	if err != nil {
		t.Fatal(err)
	}
	backend := filepath.Join(strings.TrimSpace(string(out)), "git-http-backend")
	if _, err := os.Stat(backend); err != nil {
		t.Skip("git-http-backend not available")
	}
	h := &cgi.Handler{
		Path: backend,
		Env:  []string{"GIT_PROJECT_ROOT=" + root, "GIT_HTTP_EXPORT_ALL=1", "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null"},
	}
	var mu sync.Mutex
	var seen []string
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.Header.Get("Authorization"))
		mu.Unlock()
		if wantAuth != "" && r.Header.Get("Authorization") != wantAuth {
			w.Header().Set("WWW-Authenticate", `Basic realm="git"`)
			http.Error(w, "auth required", http.StatusUnauthorized)
			return
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	ca := filepath.Join(t.TempDir(), "ca.pem")
	must(t, os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o644))
	return srv, ca, &seen
}

// TestSyncHTTPSWithToken runs a real HTTPS clone and fetch with a token and
// checks how the credentials travel.
func TestSyncHTTPSWithToken(t *testing.T) {
	f := getFixture(t)
	f.mirror(t)
	const token = "glpat-0123456789abcdef"
	want := basicAuthHeader("bot", token)
	srv, ca, seen := gitHTTPServer(t, filepath.Dir(f.mirrorDir), want)
	url := srv.URL + "/" + filepath.Base(f.mirrorDir)
	opts := Options{CAFile: ca}
	dir := filepath.Join(t.TempDir(), "m")

	tests := []struct {
		name string
		url  string
		auth Auth
		err  error
	}{
		{"token", url, Auth{Token: token, Username: "bot"}, nil},
		{"fetch with token", url, Auth{Token: token, Username: "bot"}, nil},
		{"credentials in the URL", strings.Replace(url, "https://", "https://bot:"+token+"@", 1), Auth{}, nil},
		{"wrong token", url, Auth{Token: "wrong-token-value", Username: "bot"}, ErrAuthFailed},
		{"no token", url, Auth{}, ErrAuthFailed},
		{"untrusted certificate", url, Auth{Token: token, Username: "bot"}, ErrUnreachable},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := opts
			if tc.err == ErrUnreachable {
				o.CAFile = ""
			}
			repo, err := Sync(t.Context(), dir, tc.url, tc.auth, o)
			if !errors.Is(err, tc.err) {
				t.Fatalf("Sync = %v, want %v", err, tc.err)
			}
			if err != nil {
				t.Logf("%v", err)
				for _, secret := range []string{token, "wrong-token-value"} {
					if strings.Contains(err.Error(), secret) {
						t.Errorf("error leaks the token: %v", err)
					}
				}
				return
			}
			if refs, err := repo.Refs(t.Context()); err != nil || len(refs) != 7 {
				t.Fatalf("Refs: %d, %v", len(refs), err)
			}
		})
	}
	authorized := false
	for _, h := range *seen {
		if h == want {
			authorized = true
		} else if h != "" && !strings.HasPrefix(h, "Basic ") {
			t.Errorf("unexpected Authorization header %q", h)
		}
	}
	if !authorized {
		t.Error("the server never saw the token")
	}
	cfg, err := os.ReadFile(filepath.Join(dir, "config"))
	if err != nil || strings.Contains(string(cfg), token) {
		t.Errorf("mirror config holds the token: %v\n%s", err, cfg)
	}
}
