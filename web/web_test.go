package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"path"
	"regexp"
	"strings"
	"testing"
)

const (
	testEndpoint = "/graphql"
	testPrefix   = "/static"
)

// newTestServer mounts the page and the assets the way the server does.
func newTestServer(t *testing.T) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.Handle("GET "+testEndpoint, GraphiQL(testEndpoint, testPrefix))
	mux.Handle(testPrefix+"/", http.StripPrefix(testPrefix, Assets()))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func get(t *testing.T, url string, header map[string]string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	// A Transport of our own, so Go does not ask for and undo gzip itself.
	res, err := (&http.Transport{DisableCompression: true}).RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, body
}

func page(t *testing.T, endpoint, prefix string) string {
	t.Helper()
	rec := httptest.NewRecorder()
	GraphiQL(endpoint, prefix).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/graphql", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("page: status %d", rec.Code)
	}
	return rec.Body.String()
}

var linkRE = regexp.MustCompile(`(?i)\b(?:src|href)="([^"]*)"`)

// links returns the src and href values of the HTML.
func links(html string) []string {
	var out []string
	for _, m := range linkRE.FindAllStringSubmatch(html, -1) {
		out = append(out, m[1])
	}
	return out
}

func TestPageLinksOnlyLocalURLs(t *testing.T) {
	for _, tc := range []struct {
		name, endpoint, prefix, wantLinkPrefix string
	}{
		{"absolute prefix", "/graphql", "/static", "/static/graphiql/"},
		{"trailing slash", "/graphql", "/static/", "/static/graphiql/"},
		{"root", "/graphql", "", "/graphiql/"},
		{"relative prefix", "query", "assets", "assets/graphiql/"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			html := page(t, tc.endpoint, tc.prefix)
			if m := regexp.MustCompile(`(?i)https?://`).FindString(html); m != "" {
				t.Errorf("page contains an external URL (%q)", m)
			}
			if !strings.Contains(html, `data-endpoint="`+tc.endpoint+`"`) {
				t.Errorf("page does not carry endpoint %q", tc.endpoint)
			}
			ls := links(html)
			if len(ls) < 5 { // the css and four scripts, plus the favicon
				t.Fatalf("page links only %q", ls)
			}
			for _, l := range ls {
				if l == "data:," { // the empty favicon, which stops a /favicon.ico request
					continue
				}
				if strings.HasPrefix(l, "//") || !strings.HasPrefix(l, tc.wantLinkPrefix) {
					t.Errorf("link %q is not under %q", l, tc.wantLinkPrefix)
				}
			}
		})
	}
}

func TestPageEscapesEndpoint(t *testing.T) {
	html := page(t, `/graphql?a="><script>alert(1)</script>`, "/static")
	if strings.Contains(html, "<script>alert") {
		t.Fatal("endpoint was not escaped")
	}
}

func TestPageHeaders(t *testing.T) {
	srv := newTestServer(t)
	res, body := get(t, srv.URL+testEndpoint, nil)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d", res.StatusCode)
	}
	for k, want := range map[string]string{
		"Content-Type":  "text/html; charset=utf-8",
		"Cache-Control": "no-cache",
	} {
		if got := res.Header.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	csp := res.Header.Get("Content-Security-Policy")
	for _, want := range []string{"script-src 'self';", "connect-src 'self';", "default-src 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	if !bytes.Contains(body, []byte(`id="graphiql"`)) {
		t.Error("page has no #graphiql root")
	}
	res, _ = get(t, srv.URL+testEndpoint, map[string]string{"If-None-Match": res.Header.Get("ETag")})
	if res.StatusCode != http.StatusNotModified {
		t.Errorf("revalidation: status %d, want 304", res.StatusCode)
	}

	rec := httptest.NewRecorder()
	GraphiQL(testEndpoint, testPrefix).ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/graphql", nil))
	if rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("POST: status %d, want 405", rec.Code)
	}
}

func TestCSPOrigins(t *testing.T) {
	for _, tc := range []struct {
		endpoint, prefix, wantConnect, wantScript string
	}{
		{"/graphql", "/static", "connect-src 'self';", "script-src 'self';"},
		{"https://api.example.com/graphql", "/static", "connect-src 'self' https://api.example.com;", "script-src 'self';"},
		{"/graphql", "//cdn.internal/static", "connect-src 'self';", "script-src 'self' cdn.internal;"},
	} {
		csp := graphiqlCSP(tc.endpoint, tc.prefix)
		if !strings.Contains(csp, tc.wantConnect) || !strings.Contains(csp, tc.wantScript) {
			t.Errorf("graphiqlCSP(%q, %q) = %q, want %q and %q", tc.endpoint, tc.prefix, csp, tc.wantConnect, tc.wantScript)
		}
	}
}

func TestLinkedAssetsAreServed(t *testing.T) {
	srv := newTestServer(t)
	_, html := get(t, srv.URL+testEndpoint, nil)
	wantType := map[string]string{
		".js":  "text/javascript; charset=utf-8",
		".css": "text/css; charset=utf-8",
	}
	n := 0
	for _, l := range links(string(html)) {
		if strings.HasPrefix(l, "data:") {
			continue
		}
		n++
		t.Run(l, func(t *testing.T) {
			res, body := get(t, srv.URL+l, nil)
			if res.StatusCode != http.StatusOK {
				t.Fatalf("status %d", res.StatusCode)
			}
			ext := path.Ext(strings.SplitN(l, "?", 2)[0])
			if got := res.Header.Get("Content-Type"); got != wantType[ext] {
				t.Errorf("Content-Type = %q, want %q", got, wantType[ext])
			}
			// Every link is cacheable for good: versioned paths by their
			// version, our own files by their ?v= content hash.
			if got := res.Header.Get("Cache-Control"); got != cacheImmutable {
				t.Errorf("Cache-Control = %q, want %q", got, cacheImmutable)
			}
			if len(body) == 0 {
				t.Error("empty body")
			}
		})
	}
	if n != 5 { // graphiql css and js, react, react-dom, init.js
		t.Errorf("page links %d assets, want 5", n)
	}
}

func TestAssets(t *testing.T) {
	srv := newTestServer(t)
	js := testPrefix + "/graphiql/react@18.3.1/react.production.min.js"
	for _, tc := range []struct {
		name, path   string
		header       map[string]string
		wantStatus   int
		wantType     string
		wantCache    string
		wantEncoding string
	}{
		{name: "versioned js", path: js, wantStatus: 200, wantType: "text/javascript; charset=utf-8", wantCache: cacheImmutable},
		{name: "versioned css", path: testPrefix + "/graphiql/graphiql@4.1.2/graphiql.min.css", wantStatus: 200, wantType: "text/css; charset=utf-8", wantCache: cacheImmutable},
		{name: "license", path: testPrefix + "/graphiql/graphiql@4.1.2/LICENSE", wantStatus: 200, wantType: "text/plain; charset=utf-8", wantCache: cacheImmutable},
		{name: "unversioned", path: testPrefix + "/graphiql/init.js", wantStatus: 200, wantType: "text/javascript; charset=utf-8", wantCache: "no-cache"},
		{name: "stale hash", path: testPrefix + "/graphiql/init.js?v=0000", wantStatus: 200, wantType: "text/javascript; charset=utf-8", wantCache: "no-cache"},
		{name: "versions file", path: testPrefix + "/graphiql/VERSIONS.txt", wantStatus: 200, wantType: "text/plain; charset=utf-8", wantCache: "no-cache"},
		{name: "gzip", path: js, header: map[string]string{"Accept-Encoding": "gzip, deflate, br"}, wantStatus: 200, wantType: "text/javascript; charset=utf-8", wantCache: cacheImmutable, wantEncoding: "gzip"},
		{name: "gzip refused", path: js, header: map[string]string{"Accept-Encoding": "gzip;q=0, br"}, wantStatus: 200, wantType: "text/javascript; charset=utf-8", wantCache: cacheImmutable},
		{name: "unknown file", path: testPrefix + "/graphiql/nope.js", wantStatus: 404},
		{name: "unknown version", path: testPrefix + "/graphiql/react@17.0.0/react.production.min.js", wantStatus: 404},
		{name: "directory", path: testPrefix + "/graphiql/", wantStatus: 404},
		{name: "root", path: testPrefix + "/", wantStatus: 404},
		{name: "source map not vendored", path: testPrefix + "/graphiql/graphiql@4.1.2/index.umd.js.map", wantStatus: 404},
		{name: "encoded escape", path: testPrefix + "/graphiql/..%2f..%2fweb.go", wantStatus: 404},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, body := get(t, srv.URL+tc.path, tc.header)
			if res.StatusCode != tc.wantStatus {
				t.Fatalf("status %d, want %d", res.StatusCode, tc.wantStatus)
			}
			if tc.wantStatus != 200 {
				return
			}
			for k, want := range map[string]string{
				"Content-Type":     tc.wantType,
				"Cache-Control":    tc.wantCache,
				"Content-Encoding": tc.wantEncoding,
			} {
				if got := res.Header.Get(k); got != want {
					t.Errorf("%s = %q, want %q", k, got, want)
				}
			}
			if res.Header.Get("ETag") == "" {
				t.Error("no ETag")
			}
			name := strings.TrimPrefix(strings.SplitN(tc.path, "?", 2)[0], testPrefix+"/")
			want, err := staticFS.ReadFile("static/" + name)
			if err != nil {
				t.Fatal(err)
			}
			if tc.wantEncoding == "gzip" {
				if len(body) >= len(want) {
					t.Errorf("gzip body is %d bytes, file %d", len(body), len(want))
				}
				zr, err := gzip.NewReader(bytes.NewReader(body))
				if err != nil {
					t.Fatal(err)
				}
				if body, err = io.ReadAll(zr); err != nil {
					t.Fatal(err)
				}
			}
			if !bytes.Equal(body, want) {
				t.Errorf("body (%d bytes) differs from the embedded file (%d bytes)", len(body), len(want))
			}
		})
	}
}

// TestAssetPathsOutsideStatic calls the handler directly, as ServeMux would
// redirect dot-dot paths before it saw them.
func TestAssetPathsOutsideStatic(t *testing.T) {
	for _, p := range []string{
		"/../web.go",
		"/graphiql/../../web.go",
		"/../static/graphiql/init.js",
		"/static/graphiql/init.js",
		"../graphiql.go",
	} {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.URL.Path = p
		Assets().ServeHTTP(rec, req)
		if rec.Code != http.StatusNotFound {
			t.Errorf("%s: status %d, want 404", p, rec.Code)
		}
	}
}

func TestAssetConditionalAndMethods(t *testing.T) {
	srv := newTestServer(t)
	url := srv.URL + testPrefix + "/graphiql/graphiql@4.1.2/graphiql.min.js"
	plain, _ := get(t, url, nil)
	zipped, _ := get(t, url, map[string]string{"Accept-Encoding": "gzip"})
	if plain.Header.Get("ETag") == zipped.Header.Get("ETag") {
		t.Errorf("identity and gzip share ETag %s", plain.Header.Get("ETag"))
	}
	for _, r := range []*http.Response{plain, zipped} {
		if r.Header.Get("Vary") != "Accept-Encoding" {
			t.Errorf("Vary = %q", r.Header.Get("Vary"))
		}
	}
	for _, tc := range []struct {
		name   string
		header map[string]string
		want   int
	}{
		{"identity etag", map[string]string{"If-None-Match": plain.Header.Get("ETag")}, 304},
		{"gzip etag", map[string]string{"If-None-Match": zipped.Header.Get("ETag"), "Accept-Encoding": "gzip"}, 304},
		{"gzip etag, identity asked", map[string]string{"If-None-Match": zipped.Header.Get("ETag")}, 200},
		{"other etag", map[string]string{"If-None-Match": `"nope"`}, 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if res, _ := get(t, url, tc.header); res.StatusCode != tc.want {
				t.Errorf("status %d, want %d", res.StatusCode, tc.want)
			}
		})
	}

	for _, m := range []string{http.MethodPost, http.MethodPut, http.MethodDelete} {
		rec := httptest.NewRecorder()
		Assets().ServeHTTP(rec, httptest.NewRequest(m, "/graphiql/init.js", nil))
		if rec.Code != http.StatusMethodNotAllowed || rec.Header().Get("Allow") != "GET, HEAD" {
			t.Errorf("%s: status %d, Allow %q", m, rec.Code, rec.Header().Get("Allow"))
		}
	}
	rec := httptest.NewRecorder()
	Assets().ServeHTTP(rec, httptest.NewRequest(http.MethodHead, "/graphiql/init.js", nil))
	if rec.Code != http.StatusOK || rec.Body.Len() != 0 {
		t.Errorf("HEAD: status %d, %d body bytes", rec.Code, rec.Body.Len())
	}
}

func TestAcceptsGzip(t *testing.T) {
	for _, tc := range []struct {
		header string
		want   bool
	}{
		{"", false},
		{"gzip", true},
		{"GZIP", true},
		{"x-gzip", true},
		{"deflate, gzip;q=1.0, *;q=0.5", true},
		{"br, gzip ; q=0.001", true},
		{"gzip;q=0", false},
		{"gzip;q=0.0, *", false},
		{"*", true},
		{"*;q=0", false},
		{"identity", false},
		{"br, deflate", false},
		{"gzip;q=nonsense", false},
	} {
		if got := acceptsGzip([]string{tc.header}); got != tc.want {
			t.Errorf("acceptsGzip(%q) = %v, want %v", tc.header, got, tc.want)
		}
	}
}

func TestContentType(t *testing.T) {
	for _, tc := range []struct{ name, want string }{
		{"a/b.js", "text/javascript; charset=utf-8"},
		{"a/b.min.css", "text/css; charset=utf-8"},
		{"a@1.0.0/LICENSE", "text/plain; charset=utf-8"},
		{"VERSIONS.txt", "text/plain; charset=utf-8"},
		{"x.woff2", "font/woff2"},
		{"x.bin", "application/octet-stream"},
	} {
		if got := contentType(tc.name); got != tc.want {
			t.Errorf("contentType(%q) = %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestVersioned(t *testing.T) {
	for _, tc := range []struct {
		name string
		want bool
	}{
		{"graphiql/react@18.3.1/react.production.min.js", true},
		{"graphiql/react@18.3.1/LICENSE", true},
		{"graphiql/init.js", false},
		{"graphiql/VERSIONS.txt", false},
		{"graphiql/@/x.js", false},
		{"a@b.js", false}, // only directories carry versions
	} {
		if got := versioned(tc.name); got != tc.want {
			t.Errorf("versioned(%q) = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestVendoredFiles keeps static/graphiql/VERSIONS.txt honest: every
// package@version directory is listed and has its LICENSE, and the recorded
// checksums match the embedded files.
func TestVendoredFiles(t *testing.T) {
	versions, err := staticFS.ReadFile("static/graphiql/VERSIONS.txt")
	if err != nil {
		t.Fatal(err)
	}
	dirs, err := fs.ReadDir(staticFS, "static/graphiql")
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range dirs {
		if !d.IsDir() {
			continue
		}
		if !versioned(d.Name() + "/x") {
			t.Errorf("directory %s is not named package@version", d.Name())
			continue
		}
		if !bytes.Contains(versions, []byte(d.Name())) {
			t.Errorf("VERSIONS.txt does not list %s", d.Name())
		}
		if _, err := fs.Stat(staticFS, "static/graphiql/"+d.Name()+"/LICENSE"); err != nil {
			t.Errorf("%s has no LICENSE: %v", d.Name(), err)
		}
	}
	sums := regexp.MustCompile(`(?m)^([0-9a-f]{64})  (\S+)$`).FindAllSubmatch(versions, -1)
	if len(sums) == 0 {
		t.Fatal("VERSIONS.txt records no checksums")
	}
	for _, m := range sums {
		body, err := staticFS.ReadFile("static/graphiql/" + string(m[2]))
		if err != nil {
			t.Errorf("VERSIONS.txt lists %s: %v", m[2], err)
			continue
		}
		if sum := sha256.Sum256(body); hex.EncodeToString(sum[:]) != string(m[1]) {
			t.Errorf("%s does not match its checksum in VERSIONS.txt", m[2])
		}
	}
}
