package rest_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/cgi"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cargoman/cargoman/internal/testenv"
)

// gitHTTPServer serves the repositories under root over plain http with
// git's own smart-http server (git http-backend, run as CGI). Requests to
// paths under /private/ are refused as unauthenticated.
func gitHTTPServer(t *testing.T, root string) *httptest.Server {
	t.Helper()
	out, err := exec.Command("git", "--exec-path").Output()
	if err != nil {
		t.Fatalf("git --exec-path: %v", err)
	}
	backend := &cgi.Handler{
		Path:   filepath.Join(strings.TrimSpace(string(out)), "git-http-backend"),
		Env:    []string{"GIT_PROJECT_ROOT=" + root, "GIT_HTTP_EXPORT_ALL=1"},
		Stderr: io.Discard,
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/private/") {
			w.Header().Set("WWW-Authenticate", `Basic realm="git"`)
			http.Error(w, "authentication required", http.StatusUnauthorized)
			return
		}
		backend.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestCreatePlainHTTPPackage: an http:// repository URL is refused when the
// package is saved (not at every sync), naming the setting that allows it;
// with ALLOW_INSECURE_GIT_HTTP it is accepted. git:// and hosts outside
// ALLOWED_GIT_HOSTS are refused at create as they are at sync.
func TestCreatePlainHTTPPackage(t *testing.T) {
	testenv.ForEach(t, func(t *testing.T, b testenv.Backend) {
		tests := []struct {
			name   string
			opts   []testenv.Option
			url    string
			status int
			want   string
		}{
			{"http refused", nil, "http://git.internal/acme/lib.git", http.StatusBadRequest, "ALLOW_INSECURE_GIT_HTTP"},
			{"http allowed", []testenv.Option{testenv.WithInsecureGitHTTP()}, "http://git.internal/acme/lib.git", http.StatusCreated, ""},
			{"git protocol refused", []testenv.Option{testenv.WithInsecureGitHTTP()}, "git://github.com/acme/lib.git", http.StatusBadRequest, "git://"},
			{"host not allowed", []testenv.Option{testenv.WithAllowedGitHosts("github.com")}, "https://gitlab.com/acme/lib.git", http.StatusBadRequest, "ALLOWED_GIT_HOSTS"},
			{"scp host not allowed", []testenv.Option{testenv.WithAllowedGitHosts("github.com")}, "git@gitlab.com:acme/lib.git", http.StatusBadRequest, "ALLOWED_GIT_HOSTS"},
			{"allowed host", []testenv.Option{testenv.WithAllowedGitHosts("github.com")}, "git@github.com:acme/lib.git", http.StatusCreated, ""},
			{"scp-like without user or dotted host", nil, "javascript:alert(1)", http.StatusBadRequest, "not a git URL"},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				s := testenv.StartServer(t, b, tc.opts...)
				r := s.Do(t, http.MethodPost, "/api/v1/packages", root, map[string]any{"name": "acme/lib", "type": "git", "repository_url": tc.url})
				if r.Status != tc.status {
					t.Fatalf("create %s: %d %s, want %d", tc.url, r.Status, r.Body, tc.status)
				}
				if tc.status == http.StatusBadRequest {
					var e struct {
						Error struct {
							Code    string `json:"code"`
							Message string `json:"message"`
							Field   string `json:"field"`
						} `json:"error"`
					}
					if err := json.Unmarshal(r.Body, &e); err != nil {
						t.Fatalf("error body %s: %v", r.Body, err)
					}
					if e.Error.Code != "VALIDATION_ERROR" || e.Error.Field != "repository_url" || !strings.Contains(e.Error.Message, tc.want) {
						t.Fatalf("error = %s, want VALIDATION_ERROR mentioning %q", r.Body, tc.want)
					}
				}
				// An update is held to the same rules.
				if tc.status == http.StatusCreated {
					r = s.Do(t, http.MethodPatch, "/api/v1/packages/acme/lib", root, map[string]any{"repository_url": "git://github.com/acme/lib.git"})
					if r.Status != http.StatusBadRequest || !strings.Contains(string(r.Body), "VALIDATION_ERROR") {
						t.Fatalf("update to git://: %d %s", r.Status, r.Body)
					}
				}
			})
		}
	})
}

// TestSyncPlainHTTP: with ALLOW_INSECURE_GIT_HTTP a package on a plain-http
// git server syncs, through the network gate like https.
func TestSyncPlainHTTP(t *testing.T) {
	testenv.ForEach(t, func(t *testing.T, b testenv.Backend) {
		repo := testenv.NewGitRepo(t)
		repo.Commit("1.0.0", map[string]string{"composer.json": testenv.ComposerJSON("acme/plain", ""), "src/A.php": "<?php"})
		repo.Git("tag", "v1.0.0")
		srv := gitHTTPServer(t, filepath.Dir(repo.Dir))

		s := testenv.StartServer(t, b, testenv.WithInsecureGitHTTP())
		start := time.Now()
		url := srv.URL + "/" + filepath.Base(repo.Dir)
		if r := s.Do(t, http.MethodPost, "/api/v1/packages", root, map[string]any{"name": "acme/plain", "type": "git", "repository_url": url}); r.Status != http.StatusCreated {
			t.Fatalf("create: %d %s", r.Status, r.Body)
		}
		p := waitSynced(t, s, "acme/plain", start)
		if p.SyncError != nil {
			t.Fatalf("sync error: %s", *p.SyncError)
		}
		if got := strings.Join(versionNames(p, true), ","); got != "1.0.0,dev-main" {
			t.Fatalf("versions = %s", got)
		}

		// The fetch went through the gate: with private networks denied,
		// the same server (on 127.0.0.1) is refused at connect time.
		gated := testenv.StartServer(t, b, testenv.WithInsecureGitHTTP(), testenv.WithDenyPrivateNetworks())
		if r := gated.Do(t, http.MethodPost, "/api/v1/packages", root, map[string]any{"name": "acme/plain", "type": "git", "repository_url": url}); r.Status != http.StatusCreated {
			t.Fatalf("create: %d %s", r.Status, r.Body)
		}
		if task := waitTaskFinished(t, gated); task.Status != "failed" || task.Error == nil || !strings.Contains(*task.Error, "DENY_PRIVATE_NETWORKS") {
			t.Fatalf("sync of a private address: %+v", task)
		}
	})
}

// TestUnfixableSyncErrorsArePermanent: a sync that fails for a reason no
// retry can fix (repository not found, authentication refused, a URL the
// server no longer allows) fails its task at once, with the reason on the
// package; it is not retried five times.
func TestUnfixableSyncErrorsArePermanent(t *testing.T) {
	testenv.ForEach(t, func(t *testing.T, b testenv.Backend) {
		repo := testenv.NewGitRepo(t)
		repo.Commit("init", map[string]string{"composer.json": testenv.ComposerJSON("acme/x", "")})
		srv := gitHTTPServer(t, filepath.Dir(repo.Dir))
		tests := []struct {
			name, url, want string
		}{
			{"repository not found", srv.URL + "/no-such-repository", "not found"},
			{"authentication refused", srv.URL + "/private/" + filepath.Base(repo.Dir), "authentication"},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				s := testenv.StartServer(t, b, testenv.WithInsecureGitHTTP())
				if r := s.Do(t, http.MethodPost, "/api/v1/packages", root, map[string]any{"name": "acme/x", "type": "git", "repository_url": tc.url}); r.Status != http.StatusCreated {
					t.Fatalf("create: %d %s", r.Status, r.Body)
				}
				task := waitTaskFinished(t, s)
				if task.Status != "failed" || task.Attempts != 1 {
					t.Fatalf("task = %+v, want failed after 1 attempt", task)
				}
				var p packageJSON
				s.Do(t, http.MethodGet, "/api/v1/packages/acme/x", root, nil).JSON(t, &p)
				if p.SyncError == nil || !strings.Contains(strings.ToLower(*p.SyncError), tc.want) {
					t.Fatalf("sync_error = %v, want it to mention %q", p.SyncError, tc.want)
				}
			})
		}
	})
}

type taskJSON struct {
	Status   string  `json:"status"`
	Attempts int     `json:"attempts"`
	Error    *string `json:"error"`
}

// waitTaskFinished waits for the server's one package sync to have run at
// least once and returns it.
func waitTaskFinished(t *testing.T, s *testenv.Server) taskJSON {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		var tasks []taskJSON
		s.Do(t, http.MethodGet, "/api/v1/tasks?kind=package_sync", root, nil).JSON(t, &tasks)
		if len(tasks) == 1 && tasks[0].Attempts > 0 && tasks[0].Status != "running" {
			return tasks[0]
		}
		if time.Now().After(deadline) {
			t.Fatalf("the sync did not run: %+v", tasks)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
