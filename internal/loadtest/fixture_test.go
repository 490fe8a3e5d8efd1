package loadtest

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cargoman/cargoman/internal/testenv"
)

// The data set of the benchmarks.
const (
	libName     = "acme/lib" // the package whose metadata is benchmarked
	libVersions = 200
	grants      = 100 // packages granted to the customer, acme/lib included
	required    = 30  // packages the Composer project requires, acme/lib included
)

// smallName is the i-th one-version package (1-based).
func smallName(i int) string { return fmt.Sprintf("acme/pkg-%03d", i) }

// libVersion is the i-th version of acme/lib: 1.0.0 ... 4.9.4.
func libVersion(i int) string { return fmt.Sprintf("%d.%d.%d", 1+i/50, (i/5)%10, i%5) }

// fixture is a server holding the data set and a customer granted all of it.
type fixture struct {
	s *testenv.Server
	// auth is the customer's Authorization header value, HTTP Basic with
	// user "token" as Composer sends it.
	auth  string
	token string
	// names are the granted packages, acme/lib first.
	names []string
	setup time.Duration
}

// client talks to the servers without transparent decompression, so tests
// see the bytes on the wire.
var client = &http.Client{Transport: &http.Transport{DisableCompression: true, MaxIdleConnsPerHost: 8}}

// newFixture starts Cargoman on backend b and fills it over REST, as an
// operator would: artifact uploads (faster than syncing 200 git tags), one
// customer, its grants (PUT) and a download token.
func newFixture(t *testing.T, b testenv.Backend) *fixture {
	t.Helper()
	start := time.Now()
	s := testenv.StartServer(t, b)
	f := &fixture{s: s, names: []string{libName}}
	for i := 1; i < grants; i++ {
		f.names = append(f.names, smallName(i))
	}
	for _, name := range f.names {
		f.admin(t, http.MethodPost, "/api/v1/packages", map[string]any{"name": name, "type": "artifact"}, http.StatusCreated)
	}

	// Uploads run on a few connections at once; each package's versions
	// stay in order on one of them.
	jobs := make(chan func(), 64)
	var wg sync.WaitGroup
	errs := make(chan error, 1)
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				j()
			}
		}()
	}
	upload := func(name, version string, data []byte) {
		if err := f.upload(name, version, data); err != nil {
			select {
			case errs <- err:
			default:
			}
		}
	}
	jobs <- func() {
		for i := 0; i < libVersions; i++ {
			v := libVersion(i)
			upload(libName, v, libZip(v))
		}
	}
	for _, name := range f.names[1:] {
		jobs <- func() { upload(name, "1.0.0", smallZip(name)) }
	}
	close(jobs)
	wg.Wait()
	select {
	case err := <-errs:
		t.Fatal(err)
	default:
	}

	var cu struct{ ID string }
	decode(t, f.admin(t, http.MethodPost, "/api/v1/customers", map[string]any{"name": "Load Test Corp"}, http.StatusCreated), &cu)
	list := make([]map[string]any, 0, len(f.names))
	for _, name := range f.names {
		list = append(list, map[string]any{"package": name, "constraint": "*"})
	}
	f.admin(t, http.MethodPut, "/api/v1/customers/"+cu.ID+"/packages", map[string]any{"packages": list}, http.StatusOK)
	var tok struct {
		PlainToken string `json:"plain_token"`
	}
	decode(t, f.admin(t, http.MethodPost, "/api/v1/customers/"+cu.ID+"/tokens", map[string]any{"name": "load", "scope": "download"}, http.StatusCreated), &tok)
	f.token = tok.PlainToken
	f.auth = "Basic " + base64.StdEncoding.EncodeToString([]byte("token:"+f.token))

	// The customer sees what the benchmarks assume.
	var index struct {
		Available []string `json:"available-packages"`
	}
	decode(t, f.get(t, f.s.URL+"/packages.json", false).Body, &index)
	if len(index.Available) != grants {
		t.Fatalf("packages.json lists %d packages, want %d", len(index.Available), grants)
	}
	if n := len(entries(t, f.get(t, f.s.URL+"/p2/"+libName+".json", false).Body, libName)); n != libVersions {
		t.Fatalf("/p2/%s.json holds %d versions, want %d", libName, n, libVersions)
	}
	f.setup = time.Since(start)
	return f
}

// admin sends a REST request with the root token and checks its status.
func (f *fixture) admin(t *testing.T, method, path string, body any, want int) []byte {
	t.Helper()
	resp := f.s.Do(t, method, path, testenv.RootToken, body)
	if resp.Status != want {
		t.Fatalf("%s %s: %d %s", method, path, resp.Status, resp.Body)
	}
	return resp.Body
}

// upload posts an artifact zip as an application/zip body.
func (f *fixture) upload(name, version string, data []byte) error {
	req, err := http.NewRequest(http.MethodPost, f.s.URL+"/api/v1/packages/"+name+"/versions?version="+version, bytes.NewReader(data))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+testenv.RootToken)
	req.Header.Set("Content-Type", "application/zip")
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("upload %s %s: %w", name, version, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusCreated {
		return fmt.Errorf("upload %s %s: %d %s", name, version, resp.StatusCode, body)
	}
	return nil
}

// fetched is a response read whole.
type fetched struct {
	Status int
	Header http.Header
	Body   []byte // decompressed when the response was gzip-encoded
	Wire   int    // bytes on the wire
}

// fetch fetches url with the customer's credential when it is Cargoman's,
// asking for gzip when gz is set.
func (f *fixture) fetch(t *testing.T, url string, gz bool) *fetched {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if strings.HasPrefix(url, f.s.URL+"/") {
		req.Header.Set("Authorization", f.auth)
	}
	if gz {
		req.Header.Set("Accept-Encoding", "gzip")
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	out := &fetched{Status: resp.StatusCode, Header: resp.Header, Body: data, Wire: len(data)}
	if resp.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("GET %s: %v", url, err)
		}
		if out.Body, err = io.ReadAll(zr); err != nil {
			t.Fatalf("GET %s: %v", url, err)
		}
	}
	return out
}

// get is fetch of a URL that must answer 200.
func (f *fixture) get(t *testing.T, url string, gz bool) *fetched {
	t.Helper()
	r := f.fetch(t, url, gz)
	if r.Status != http.StatusOK {
		t.Fatalf("GET %s: %d %.300s", url, r.Status, r.Body)
	}
	return r
}

func decode(t *testing.T, data []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("decode %.300s: %v", data, err)
	}
}

// distInfo is the dist of one p2 entry.
type distInfo struct {
	URL    string `json:"url"`
	Shasum string `json:"shasum"`
}

// entries decodes the entries of name in a p2 document.
func entries(t *testing.T, doc []byte, name string) []struct {
	Version string    `json:"version"`
	Dist    *distInfo `json:"dist"`
} {
	t.Helper()
	var d struct {
		Packages map[string][]struct {
			Version string    `json:"version"`
			Dist    *distInfo `json:"dist"`
		} `json:"packages"`
	}
	decode(t, doc, &d)
	return d.Packages[name]
}

// libZip is an archive of acme/lib at version v. The composer.json carries
// the keys real libraries have, and some change between versions, so the
// minified p2 document is of a realistic size.
func libZip(v string) []byte {
	php := ">=8.1"
	switch v[0] {
	case '1':
		php = ">=7.4"
	case '2':
		php = ">=8.0"
	}
	manifest := map[string]any{
		"name":        libName,
		"description": "Acme client library: HTTP client, retries, caching and typed responses for the Acme API",
		"type":        "library",
		"license":     "proprietary",
		"keywords":    []string{"acme", "api", "client", "sdk"},
		"homepage":    "https://acme.example/lib",
		"authors":     []map[string]string{{"name": "Acme Developers", "email": "dev@acme.example", "role": "Developer"}},
		"support":     map[string]string{"issues": "https://acme.example/lib/issues", "docs": "https://acme.example/lib/docs"},
		"require":     map[string]string{"php": php, "ext-json": "*"},
		"autoload":    map[string]any{"psr-4": map[string]string{`Acme\Lib\`: "src/"}},
	}
	return makeZip("lib/", manifest, map[string]string{
		"src/Client.php": "<?php\n\nnamespace Acme\\Lib;\n\nfinal class Client\n{\n    public const VERSION = '" + v + "';\n}\n",
		"README.md":      "# acme/lib " + v + "\n\n" + strings.Repeat("Documentation of the Acme client library. ", 40) + "\n",
	})
}

// smallZip is an archive of a one-version package.
func smallZip(name string) []byte {
	class := strings.ReplaceAll(strings.TrimPrefix(name, "acme/"), "-", "")
	manifest := map[string]any{
		"name":        name,
		"description": "Acme package " + name,
		"type":        "library",
		"license":     "proprietary",
		"require":     map[string]string{"php": ">=7.4"},
		"autoload":    map[string]any{"psr-4": map[string]string{`Acme\` + class + `\`: "src/"}},
	}
	return makeZip(class+"/", manifest, map[string]string{
		"src/Service.php": "<?php\n\nnamespace Acme\\" + class + ";\n\nfinal class Service\n{\n}\n",
		"README.md":       "# " + name + "\n\n" + strings.Repeat("Lorem ipsum dolor sit amet. ", 40) + "\n",
	})
}

// makeZip builds an archive with one top folder holding composer.json and
// files.
func makeZip(top string, manifest map[string]any, files map[string]string) []byte {
	cj, err := json.MarshalIndent(manifest, "", "    ")
	if err != nil {
		panic(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	add := func(name string, data []byte) {
		w, err := zw.Create(top + name)
		if err != nil {
			panic(err)
		}
		if _, err := w.Write(data); err != nil {
			panic(err)
		}
	}
	add("composer.json", cj)
	for name, content := range files {
		add(name, []byte(content))
	}
	if err := zw.Close(); err != nil {
		panic(err)
	}
	return buf.Bytes()
}
