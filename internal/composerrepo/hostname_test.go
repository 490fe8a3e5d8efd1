package composerrepo_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cargoman/cargoman/internal/testenv"
)

// hosts are the two names a local server is reached by: with PUBLIC_URL
// unset, each must get URLs naming itself.
func hosts(t *testing.T, s *testenv.Server) []string {
	u, err := url.Parse(s.URL)
	if err != nil {
		t.Fatal(err)
	}
	return []string{"http://127.0.0.1:" + u.Port(), "http://localhost:" + u.Port()}
}

// at sends a request to base (a host name of the server) with the root
// token, or with password as Composer's Basic credentials when set.
func at(t *testing.T, base, method, path, password string, body any, header map[string]string) (*http.Response, []byte) {
	t.Helper()
	var in io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		in = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, base+path, in)
	if err != nil {
		t.Fatal(err)
	}
	if password != "" {
		req.SetBasicAuth("token", password)
	} else {
		req.Header.Set("Authorization", "Bearer "+root)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, data
}

// composerAuth is the composer_auth of a token or JWT answer.
type composerAuth struct {
	Username              string                                  `json:"username"`
	Password              string                                  `json:"password"`
	RepositoryURL         string                                  `json:"repository_url"`
	AuthJSON              map[string]map[string]map[string]string `json:"auth_json"`
	ComposerConfigCommand string                                  `json:"composer_config_command"`
}

// TestDistURLsNameTheRequestHost: with PUBLIC_URL unset, every absolute
// URL names the host the request was sent to: dist URLs in p2 documents
// (from one cached view), the repository URL, auth.json and config command
// of token and JWT answers, and REST Link headers. X-Forwarded-Host from
// an untrusted peer changes nothing.
func TestDistURLsNameTheRequestHost(t *testing.T) {
	testenv.ForEach(t, func(t *testing.T, b testenv.Backend) {
		f := setup(t, b, testenv.WithoutPublicURL())
		cu := newCustomer(t, f.s, map[string]string{"acme/lib": "^1.0"})
		for range 2 {
			newCustomer(t, f.s, nil) // three customers: the list pages
		}
		for _, base := range hosts(t, f.s) {
			host := strings.TrimPrefix(base, "http://")
			t.Run(host, func(t *testing.T) {
				var tok struct {
					PlainToken   string       `json:"plain_token"`
					ComposerAuth composerAuth `json:"composer_auth"`
				}
				resp, body := at(t, base, http.MethodPost, "/api/v1/customers/"+cu.id+"/tokens", "", map[string]any{"name": "by " + host, "scope": "download"}, nil)
				if resp.StatusCode != http.StatusCreated || json.Unmarshal(body, &tok) != nil {
					t.Fatalf("create token: %d %s", resp.StatusCode, body)
				}
				wantAuth(t, tok.ComposerAuth, base, tok.PlainToken)
				var jwt struct {
					Token        string       `json:"token"`
					ComposerAuth composerAuth `json:"composer_auth"`
				}
				resp, body = at(t, base, http.MethodPost, "/api/v1/customers/"+cu.id+"/jwt", "", map[string]any{}, nil)
				if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &jwt) != nil {
					t.Fatalf("issue JWT: %d %s", resp.StatusCode, body)
				}
				wantAuth(t, jwt.ComposerAuth, base, jwt.Token)

				for _, header := range []map[string]string{nil, {"X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "https"}} {
					resp, body = at(t, base, http.MethodGet, "/p2/acme/lib.json", tok.PlainToken, nil, header)
					if resp.StatusCode != http.StatusOK {
						t.Fatalf("p2: %d %s", resp.StatusCode, body)
					}
					var doc struct {
						Packages map[string][]struct {
							Dist struct{ URL string } `json:"dist"`
						} `json:"packages"`
					}
					if err := json.Unmarshal(body, &doc); err != nil || len(doc.Packages["acme/lib"]) != 2 {
						t.Fatalf("p2: %v %s", err, body)
					}
					for _, v := range doc.Packages["acme/lib"] {
						if !strings.HasPrefix(v.Dist.URL, base+"/dists/acme/lib/") {
							t.Errorf("dist URL %q does not name %s", v.Dist.URL, base)
						}
						resp, body := at(t, v.Dist.URL, http.MethodGet, "", tok.PlainToken, nil, nil)
						if resp.StatusCode != http.StatusOK {
							t.Errorf("download %s: %d %s", v.Dist.URL, resp.StatusCode, body)
						}
					}
				}

				resp, body = at(t, base, http.MethodGet, "/api/v1/customers?per_page=1", "", nil, nil)
				if resp.StatusCode != http.StatusOK {
					t.Fatalf("list customers: %d %s", resp.StatusCode, body)
				}
				if link := resp.Header.Get("Link"); !strings.Contains(link, "<"+base+"/api/v1/customers?") || strings.Count(link, base) != strings.Count(link, "<") {
					t.Errorf("Link %q does not name %s", link, base)
				}
			})
		}
	})
}

// wantAuth checks a composer_auth answer for a request sent to base.
func wantAuth(t *testing.T, got composerAuth, base, secret string) {
	t.Helper()
	host := strings.TrimPrefix(base, "http://")
	if got.Username != "token" || got.Password != secret || got.RepositoryURL != base {
		t.Errorf("composer_auth = %+v, want token/secret at %s", got, base)
	}
	want := map[string]map[string]map[string]string{"http-basic": {host: {"username": "token", "password": secret}}}
	if g, _ := json.Marshal(got.AuthJSON); string(g) != string(mustJSON(t, want)) {
		t.Errorf("auth_json = %s, want %s", g, mustJSON(t, want))
	}
	if cmd := "composer config --auth http-basic." + host + " token " + secret; got.ComposerConfigCommand != cmd {
		t.Errorf("composer_config_command = %q, want %q", got.ComposerConfigCommand, cmd)
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestComposerInstallsByEitherHostName runs the real Composer against a
// server with PUBLIC_URL unset, through http://127.0.0.1:PORT and
// http://localhost:PORT, each project with credentials for its own host
// only. Dist URLs naming another host than the repository's made Composer
// download without credentials: "URL required authentication (HTTP 401)".
// The auth.json and composer config command of token answers install as
// pasted.
func TestComposerInstallsByEitherHostName(t *testing.T) {
	bin := composerCLI(t)
	testenv.ForEach(t, func(t *testing.T, b testenv.Backend) {
		f := setup(t, b, testenv.WithoutPublicURL())
		lib := map[string]string{"acme/lib": "^1.0"}
		cu := newCustomer(t, f.s, lib)
		secret := cu.plainToken(t, nil)
		installed := map[string]string{"acme/lib/src/Lib.php": "<?php // 1.1.0"}
		for _, base := range hosts(t, f.s) {
			host := strings.TrimPrefix(base, "http://")
			t.Run(host, func(t *testing.T) {
				p := newProject(t, bin, base, secret, lib)
				out := p.mustRun(t, "install")
				p.wantLocked(t, out, map[string]string{"acme/lib": "1.1.0"})
				p.wantFiles(t, out, installed)
			})
			t.Run(host+"/auth_json as pasted", func(t *testing.T) {
				var tok struct {
					ComposerAuth composerAuth `json:"composer_auth"`
				}
				resp, body := at(t, base, http.MethodPost, "/api/v1/customers/"+cu.id+"/tokens", "", map[string]any{"name": "pasted", "scope": "download"}, nil)
				if resp.StatusCode != http.StatusCreated || json.Unmarshal(body, &tok) != nil {
					t.Fatalf("create token: %d %s", resp.StatusCode, body)
				}
				p := newProject(t, bin, tok.ComposerAuth.RepositoryURL, "unused", lib)
				var raw struct {
					ComposerAuth struct {
						AuthJSON json.RawMessage `json:"auth_json"`
					} `json:"composer_auth"`
				}
				if err := json.Unmarshal(body, &raw); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(p.dir, "auth.json"), raw.ComposerAuth.AuthJSON, 0o644); err != nil {
					t.Fatal(err)
				}
				out := p.mustRun(t, "install")
				p.wantFiles(t, out, installed)
			})
			t.Run(host+"/composer_config_command as pasted", func(t *testing.T) {
				var jwt struct {
					ComposerAuth composerAuth `json:"composer_auth"`
				}
				resp, body := at(t, base, http.MethodPost, "/api/v1/customers/"+cu.id+"/jwt", "", map[string]any{}, nil)
				if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &jwt) != nil {
					t.Fatalf("issue JWT: %d %s", resp.StatusCode, body)
				}
				// The project is set up as README's steps say, each command
				// as a shell runs it, with this Composer first on PATH.
				p := &project{bin: bin, dir: t.TempDir()}
				p.write(t, "composer.json", map[string]any{"name": "test/project", "require": lib})
				for _, command := range []string{
					"composer config repositories.acme composer " + jwt.ComposerAuth.RepositoryURL,
					"composer config repo.packagist false",
					"composer config secure-http false",
					jwt.ComposerAuth.ComposerConfigCommand,
				} {
					cmd := exec.Command("sh", "-c", command)
					cmd.Dir = p.dir
					cmd.Env = append(composerEnv(t, t.TempDir()), "PATH="+filepath.Dir(bin)+string(os.PathListSeparator)+os.Getenv("PATH"))
					if out, err := cmd.CombinedOutput(); err != nil {
						t.Fatalf("%s: %v\n%s", command, err, out)
					}
				}
				out := p.mustRun(t, "install")
				p.wantFiles(t, out, installed)
			})
		}
	})
}
