package composerrepo_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/cargoman/cargoman/internal/testenv"
)

const root = testenv.RootToken

// fixture is a server with acme/lib synced from a git repository (tags
// 1.0.0, 1.1.0, 2.0.0, branch main), an ungranted artifact package
// acme/other, and a customer holding acme/lib ^1.0 with tokens.
type fixture struct {
	s          *testenv.Server
	customerID string
	download   string // download-scope token
	downloadID string
	webhook    string // webhook-scope token
	jwt        string // download-scope JWT
	scopedJWT  string // JWT whose package scopes miss acme/lib
	refs       map[string]string
}

func do(t *testing.T, s *testenv.Server, method, path string, body any, want int) []byte {
	t.Helper()
	resp := s.Do(t, method, path, root, body)
	if resp.Status != want {
		t.Fatalf("%s %s: %d %s", method, path, resp.Status, resp.Body)
	}
	return resp.Body
}

func setup(t *testing.T, b testenv.Backend, opts ...testenv.Option) *fixture {
	s := testenv.StartServer(t, b, append([]testenv.Option{testenv.WithJWT()}, opts...)...)
	repo := testenv.NewGitRepo(t)
	f := &fixture{s: s, refs: map[string]string{}}
	for _, v := range []string{"1.0.0", "1.1.0", "2.0.0"} {
		f.refs[v] = repo.Commit(v, map[string]string{
			"composer.json": testenv.ComposerJSON("acme/lib", `"require":{"php":">=8.1"}`),
			"src/Lib.php":   "<?php // " + v,
		})
		repo.Git("tag", "v"+v)
	}
	f.refs["dev-main"] = f.refs["2.0.0"]

	do(t, s, http.MethodPost, "/api/v1/packages", map[string]any{"name": "acme/lib", "repository_url": repo.Dir, "type": "git"}, http.StatusCreated)
	do(t, s, http.MethodPost, "/api/v1/packages", map[string]any{"name": "acme/other", "type": "artifact"}, http.StatusCreated)
	deadline := time.Now().Add(60 * time.Second)
	for {
		var p struct {
			Versions []struct{ Version string } `json:"versions"`
		}
		if err := json.Unmarshal(do(t, s, http.MethodGet, "/api/v1/packages/acme/lib", nil, http.StatusOK), &p); err != nil {
			t.Fatal(err)
		}
		if len(p.Versions) >= 4 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("acme/lib did not sync: %+v", p)
		}
		time.Sleep(50 * time.Millisecond)
	}

	var cu struct{ ID string }
	if err := json.Unmarshal(do(t, s, http.MethodPost, "/api/v1/customers", map[string]any{"name": "Acme Corp"}, http.StatusCreated), &cu); err != nil {
		t.Fatal(err)
	}
	f.customerID = cu.ID
	base := "/api/v1/customers/" + cu.ID
	do(t, s, http.MethodPost, base+"/packages", map[string]any{"package": "acme/lib", "constraint": "^1.0"}, http.StatusCreated)
	token := func(scope string, extra map[string]any) (string, string) {
		body := map[string]any{"name": scope + " token", "scope": scope}
		for k, v := range extra {
			body[k] = v
		}
		var out struct {
			PlainToken string `json:"plain_token"`
			Token      struct{ ID string }
		}
		if err := json.Unmarshal(do(t, s, http.MethodPost, base+"/tokens", body, http.StatusCreated), &out); err != nil {
			t.Fatal(err)
		}
		return out.PlainToken, out.Token.ID
	}
	f.download, f.downloadID = token("download", nil)
	f.webhook, _ = token("webhook", nil)
	jwt := func(body map[string]any) string {
		var out struct{ Token string }
		if err := json.Unmarshal(do(t, s, http.MethodPost, base+"/jwt", body, http.StatusOK), &out); err != nil || out.Token == "" {
			t.Fatalf("jwt: %v %+v", err, out)
		}
		return out.Token
	}
	f.jwt = jwt(map[string]any{})
	f.scopedJWT = jwt(map[string]any{"package_scopes": []string{"vendor/*"}})
	return f
}

// get sends a GET with the token as HTTP Basic password (user "token").
func (f *fixture) get(t *testing.T, path, token string, header map[string]string) *testenv.Response {
	t.Helper()
	return f.s.Raw(t, http.MethodGet, path, token, nil, header)
}

type p2Doc struct {
	Packages map[string][]struct {
		Version string `json:"version"`
		Dist    *struct {
			URL       string `json:"url"`
			Reference string `json:"reference"`
		} `json:"dist"`
	} `json:"packages"`
	Minified string `json:"minified"`
}

func versions(t *testing.T, body []byte) []string {
	t.Helper()
	return versionsIn(t, body, "acme/lib")
}

// versionsIn lists the versions a minified p2 document offers of pkg.
func versionsIn(t *testing.T, body []byte, pkg string) []string {
	t.Helper()
	var d p2Doc
	if err := json.Unmarshal(body, &d); err != nil {
		t.Fatalf("decode %s: %v", body, err)
	}
	if d.Minified != "composer/2.0" {
		t.Fatalf("not minified: %s", body)
	}
	out := []string{}
	for _, v := range d.Packages[pkg] {
		out = append(out, v.Version)
	}
	return out
}

func TestComposerRepository(t *testing.T) {
	testenv.ForEach(t, func(t *testing.T, b testenv.Backend) {
		f := setup(t, b)

		// packages.json lists only what the credential may see.
		resp := f.get(t, "/packages.json", f.download, nil)
		if resp.Status != http.StatusOK {
			t.Fatalf("packages.json: %d %s", resp.Status, resp.Body)
		}
		var index map[string]any
		resp.JSON(t, &index)
		want := map[string]any{
			"packages": []any{}, "metadata-url": "/p2/%package%.json",
			"available-packages": []any{"acme/lib"}, "notify-batch": "/downloads/",
		}
		if !reflect.DeepEqual(index, want) {
			t.Fatalf("packages.json = %v", index)
		}

		// The token's use is recorded (in batches).
		if err := f.s.Usage.Flush(context.Background()); err != nil {
			t.Fatal(err)
		}
		var tok struct {
			LastUsedAt *string `json:"last_used_at"`
		}
		if err := json.Unmarshal(do(t, f.s, http.MethodGet, "/api/v1/customers/"+f.customerID+"/tokens/"+f.downloadID, nil, http.StatusOK), &tok); err != nil || tok.LastUsedAt == nil {
			t.Fatalf("last_used_at not recorded: %v %+v", err, tok)
		}

		// p2: tagged versions allowed by ^1.0, newest first; ~dev: none (dev-main is not ^1.0).
		resp = f.get(t, "/p2/acme/lib.json", f.download, nil)
		if resp.Status != http.StatusOK {
			t.Fatalf("p2: %d %s", resp.Status, resp.Body)
		}
		if got := versions(t, resp.Body); !reflect.DeepEqual(got, []string{"1.1.0", "1.0.0"}) {
			t.Fatalf("p2 versions = %v", got)
		}
		if !strings.Contains(string(resp.Body), f.s.URL+"/dists/acme/lib/1.1.0.0/"+f.refs["1.1.0"]+".zip") {
			t.Fatalf("p2 lacks the dist URL: %s", resp.Body)
		}
		// Last-Modified is withheld for a few seconds after the last change
		// (until every instance serves the new document), then given.
		resp = f.settled(t, "/p2/acme/lib.json")
		lastModified, etag := resp.Header.Get("Last-Modified"), resp.Header.Get("ETag")
		if lastModified == "" || etag == "" {
			t.Fatalf("p2 headers: %v", resp.Header)
		}
		if lm, err := http.ParseTime(lastModified); err != nil || lm.After(time.Now()) {
			t.Fatalf("Last-Modified %q is in the future or invalid: %v", lastModified, err)
		}
		if resp = f.get(t, "/p2/acme/lib~dev.json", f.download, nil); resp.Status != http.StatusOK || len(versions(t, resp.Body)) != 0 {
			t.Fatalf("~dev with ^1.0: %d %s", resp.Status, resp.Body)
		}

		cases := []struct {
			name   string
			path   string
			token  string
			header map[string]string
			status int
		}{
			{"no credentials", "/packages.json", "", nil, http.StatusUnauthorized},
			{"bad token", "/p2/acme/lib.json", "cgm_tok_nope", nil, http.StatusUnauthorized},
			{"Basic user not token", "/p2/acme/lib.json", "", map[string]string{"Authorization": "Basic " + base64.StdEncoding.EncodeToString([]byte("alice:"+f.download))}, http.StatusUnauthorized},
			{"bad bearer", "/p2/acme/lib.json", "", map[string]string{"Authorization": "Bearer nope"}, http.StatusUnauthorized},
			{"bearer", "/p2/acme/lib.json", "", map[string]string{"Authorization": "Bearer " + f.download}, http.StatusOK},
			{"lower-case bearer", "/p2/acme/lib.json", "", map[string]string{"Authorization": "bearer " + f.download}, http.StatusOK},
			{"X-Api-Key", "/p2/acme/lib.json", "", map[string]string{"X-Api-Key": f.download}, http.StatusOK},
			{"X-Api-Key dist", "/dists/acme/lib/1.1.0.0/" + f.refs["1.1.0"] + ".zip", "", map[string]string{"X-Api-Key": f.jwt}, http.StatusOK},
			{"unknown scheme", "/p2/acme/lib.json", "", map[string]string{"Authorization": "Token " + f.download}, http.StatusUnauthorized},
			{"JWT", "/p2/acme/lib.json", f.jwt, nil, http.StatusOK},
			{"JWT bearer", "/dists/acme/lib/1.1.0.0/" + f.refs["1.1.0"] + ".zip", "", map[string]string{"Authorization": "Bearer " + f.jwt}, http.StatusOK},
			{"JWT package scopes", "/p2/acme/lib.json", f.scopedJWT, nil, http.StatusNotFound},
			{"webhook scope", "/p2/acme/lib.json", f.webhook, nil, http.StatusForbidden},
			{"ungranted package", "/p2/acme/other.json", f.download, nil, http.StatusNotFound},
			{"unknown package", "/p2/acme/nope.json", f.download, nil, http.StatusNotFound},
			{"ungranted ~dev", "/p2/acme/other~dev.json", f.download, nil, http.StatusNotFound},
			{"If-None-Match", "/p2/acme/lib.json", f.download, map[string]string{"If-None-Match": etag}, http.StatusNotModified},
			{"stale If-None-Match", "/p2/acme/lib.json", f.download, map[string]string{"If-None-Match": `"x"`, "If-Modified-Since": lastModified}, http.StatusOK},
			{"If-Modified-Since", "/p2/acme/lib.json", f.download, map[string]string{"If-Modified-Since": lastModified}, http.StatusNotModified},
			{"old If-Modified-Since", "/p2/acme/lib.json", f.download, map[string]string{"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"}, http.StatusOK},
			{"dist 1.1.0", "/dists/acme/lib/1.1.0.0/" + f.refs["1.1.0"] + ".zip", f.download, nil, http.StatusOK},
			{"dist 2.0.0 not granted", "/dists/acme/lib/2.0.0.0/" + f.refs["2.0.0"] + ".zip", f.download, nil, http.StatusNotFound},
			{"dist wrong reference", "/dists/acme/lib/1.1.0.0/" + f.refs["1.0.0"] + ".zip", f.download, nil, http.StatusNotFound},
			{"dist dev-main not granted", "/dists/acme/lib/dev-main/" + f.refs["dev-main"] + ".zip", f.download, nil, http.StatusNotFound},
			{"dist without credentials", "/dists/acme/lib/1.1.0.0/" + f.refs["1.1.0"] + ".zip", "", nil, http.StatusUnauthorized},
		}
		for _, c := range cases {
			resp := f.get(t, c.path, c.token, c.header)
			if resp.Status != c.status {
				t.Errorf("%s: %d %s, want %d", c.name, resp.Status, resp.Body, c.status)
				continue
			}
			switch {
			case c.status == http.StatusUnauthorized && c.token == "" && c.header == nil:
				if got := resp.Header.Get("WWW-Authenticate"); got != `Basic realm="Cargoman"` {
					t.Errorf("%s: WWW-Authenticate %q", c.name, got)
				}
			case c.status == http.StatusNotModified && len(resp.Body) != 0:
				t.Errorf("%s: body %q", c.name, resp.Body)
			case c.status == http.StatusOK && strings.HasPrefix(c.name, "dist"):
				if resp.Header.Get("Content-Type") != "application/zip" || !bytes.HasPrefix(resp.Body, []byte("PK")) {
					t.Errorf("%s: not a zip: %v", c.name, resp.Header)
				}
			}
		}

		// gzip when accepted.
		resp = f.get(t, "/p2/acme/lib.json", f.download, map[string]string{"Accept-Encoding": "gzip"})
		if resp.Header.Get("Content-Encoding") != "gzip" {
			t.Fatalf("no gzip: %v", resp.Header)
		}
		zr, err := gzip.NewReader(bytes.NewReader(resp.Body))
		if err != nil {
			t.Fatal(err)
		}
		plain, _ := io.ReadAll(zr)
		if got := versions(t, plain); !reflect.DeepEqual(got, []string{"1.1.0", "1.0.0"}) {
			t.Fatalf("gzip p2 versions = %v", got)
		}

		// notify-batch.
		notify := func(body string) *testenv.Response {
			req, _ := http.NewRequest(http.MethodPost, f.s.URL+"/downloads/", strings.NewReader(body))
			req.SetBasicAuth("token", f.download)
			req.Header.Set("Content-Type", "application/json")
			r, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Body.Close()
			data, _ := io.ReadAll(r.Body)
			return &testenv.Response{Status: r.StatusCode, Body: data}
		}
		if r := notify(`{"downloads":[{"name":"acme/lib","version":"1.1.0.0"}]}`); r.Status != http.StatusOK || !strings.Contains(string(r.Body), `"status":"success"`) {
			t.Errorf("notify: %d %s", r.Status, r.Body)
		}
		if r := notify(`{"nope":1}`); r.Status != http.StatusBadRequest {
			t.Errorf("bad notify: %d %s", r.Status, r.Body)
		}

		// Yanking 1.0.0 takes it out of p2 (a new document, so the old
		// ETag no longer matches) but its archive stays downloadable.
		do(t, f.s, http.MethodPost, "/api/v1/packages/acme/lib/yank/1.0.0", nil, http.StatusOK)
		resp = f.get(t, "/p2/acme/lib.json", f.download, map[string]string{"If-None-Match": etag})
		if resp.Status != http.StatusOK {
			t.Fatalf("p2 after yank: %d", resp.Status)
		}
		if got := versions(t, resp.Body); !reflect.DeepEqual(got, []string{"1.1.0"}) {
			t.Fatalf("p2 after yank = %v", got)
		}
		if r := f.get(t, "/dists/acme/lib/1.0.0.0/"+f.refs["1.0.0"]+".zip", f.download, nil); r.Status != http.StatusOK {
			t.Fatalf("yanked dist: %d %s", r.Status, r.Body)
		}

		// Granting dev-main widens ~dev.
		do(t, f.s, http.MethodPost, "/api/v1/customers/"+f.customerID+"/packages", map[string]any{"package": "acme/lib", "constraint": "^1.0 || dev-main"}, http.StatusCreated)
		if r := f.get(t, "/p2/acme/lib~dev.json", f.download, nil); !reflect.DeepEqual(versions(t, r.Body), []string{"dev-main"}) {
			t.Fatalf("~dev with dev-main: %s", r.Body)
		}

		// Widening the grant changes Last-Modified, so Composer's
		// If-Modified-Since revalidation sees 2.0.0.
		lastModified = f.settled(t, "/p2/acme/lib.json").Header.Get("Last-Modified")
		do(t, f.s, http.MethodPost, "/api/v1/customers/"+f.customerID+"/packages", map[string]any{"package": "acme/lib", "constraint": "^2.0 || ^1.0 || dev-main"}, http.StatusCreated)
		resp = f.get(t, "/p2/acme/lib.json", f.download, map[string]string{"If-Modified-Since": lastModified})
		if resp.Status != http.StatusOK || !reflect.DeepEqual(versions(t, resp.Body), []string{"2.0.0", "1.1.0"}) {
			t.Fatalf("p2 after widening, If-Modified-Since %s: %d %s", lastModified, resp.Status, resp.Body)
		}
		if lm := f.settled(t, "/p2/acme/lib.json").Header.Get("Last-Modified"); lm == lastModified {
			t.Fatalf("Last-Modified did not move after widening: %s", lm)
		} else if r := f.get(t, "/p2/acme/lib.json", f.download, map[string]string{"If-Modified-Since": lm}); r.Status != http.StatusNotModified {
			t.Fatalf("p2 revalidated after widening: %d", r.Status)
		}

		// Freezing at 1.1.0 caps what is offered and downloadable.
		do(t, f.s, http.MethodPost, "/api/v1/customers/"+f.customerID+"/freeze", map[string]any{"versions": []any{map[string]string{"package": "acme/lib", "version": "1.1.0"}}}, http.StatusOK)
		if r := f.get(t, "/p2/acme/lib.json", f.download, nil); !reflect.DeepEqual(versions(t, r.Body), []string{"1.1.0"}) {
			t.Fatalf("p2 while frozen: %d %s", r.Status, r.Body)
		}
		if r := f.get(t, "/dists/acme/lib/2.0.0.0/"+f.refs["2.0.0"]+".zip", f.download, nil); r.Status != http.StatusNotFound {
			t.Fatalf("dist above the freeze: %d", r.Status)
		}

		// Suspension: 403 naming the reason.
		do(t, f.s, http.MethodPost, "/api/v1/customers/"+f.customerID+"/suspend", map[string]any{"reason": "unpaid invoice"}, http.StatusOK)
		if r := f.get(t, "/packages.json", f.download, nil); r.Status != http.StatusForbidden || !strings.Contains(string(r.Body), "unpaid invoice") {
			t.Fatalf("suspended: %d %s", r.Status, r.Body)
		}
	})
}

// TestCachesAcrossInstances changes access and metadata through one
// instance and watches a second instance over the same database, whose
// Composer views are cached, follow within its stamp poll (1 s).
func TestCachesAcrossInstances(t *testing.T) {
	testenv.ForEach(t, func(t *testing.T, b testenv.Backend) {
		f := setup(t, b)
		other := *f
		other.s = f.s.Sibling(t, testenv.WithJWT())
		lib := "/api/v1/packages/acme/lib"
		base := "/api/v1/customers/" + f.customerID
		offered := func(want ...string) func(*testenv.Response) bool {
			return func(r *testenv.Response) bool {
				return r.Status == http.StatusOK && reflect.DeepEqual(versions(t, r.Body), want)
			}
		}
		steps := []struct {
			name   string
			change func()
			path   string
			ok     func(*testenv.Response) bool
		}{
			{"warm", func() {}, "/p2/acme/lib.json", offered("1.1.0", "1.0.0")},
			{"grant widened", func() {
				do(t, f.s, http.MethodPost, base+"/packages", map[string]any{"package": "acme/lib", "constraint": "^1.0 || ^2.0"}, http.StatusCreated)
			}, "/p2/acme/lib.json", offered("2.0.0", "1.1.0", "1.0.0")},
			{"version yanked", func() {
				do(t, f.s, http.MethodPost, lib+"/yank/1.0.0", nil, http.StatusOK)
			}, "/p2/acme/lib.json", offered("2.0.0", "1.1.0")},
			{"frozen", func() {
				do(t, f.s, http.MethodPost, base+"/freeze", map[string]any{"versions": []any{map[string]string{"package": "acme/lib", "version": "1.1.0"}}}, http.StatusOK)
			}, "/p2/acme/lib.json", offered("1.1.0")},
			{"frozen dist", func() {}, "/dists/acme/lib/2.0.0.0/" + f.refs["2.0.0"] + ".zip", func(r *testenv.Response) bool { return r.Status == http.StatusNotFound }},
			{"grant removed", func() {
				do(t, f.s, http.MethodDelete, base+"/packages/acme/lib", nil, http.StatusNoContent)
			}, "/packages.json", func(r *testenv.Response) bool {
				return r.Status == http.StatusOK && !strings.Contains(string(r.Body), "acme/lib")
			}},
			{"token revoked", func() {
				do(t, f.s, http.MethodDelete, base+"/tokens/"+f.downloadID, nil, http.StatusNoContent)
			}, "/packages.json", func(r *testenv.Response) bool { return r.Status == http.StatusUnauthorized }},
		}
		for _, st := range steps {
			st.change()
			start := time.Now()
			for {
				r := other.get(t, st.path, f.download, nil)
				if st.ok(r) {
					t.Logf("%s: seen by the other instance after %v", st.name, time.Since(start).Round(time.Millisecond))
					break
				}
				if time.Since(start) > 5*time.Second {
					t.Fatalf("%s: the other instance still answers %d %s", st.name, r.Status, r.Body)
				}
				time.Sleep(50 * time.Millisecond)
			}
		}
	})
}

// settled fetches path with the download token until its Last-Modified
// is given (it is withheld for a few seconds after a change).
func (f *fixture) settled(t *testing.T, path string) *testenv.Response {
	t.Helper()
	deadline := time.Now().Add(6 * time.Second)
	for {
		resp := f.get(t, path, f.download, nil)
		if resp.Status != http.StatusOK {
			t.Fatalf("%s: %d %s", path, resp.Status, resp.Body)
		}
		if resp.Header.Get("Last-Modified") != "" || time.Now().After(deadline) {
			return resp
		}
		time.Sleep(100 * time.Millisecond)
	}
}
