package server_test

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/cargoman/cargoman/internal/bodylimit"
	"github.com/cargoman/cargoman/internal/testenv"
)

// restError is the REST error shape.
type restError struct {
	Error struct {
		Code string `json:"code"`
	} `json:"error"`
}

// gqlError is the GraphQL error shape.
type gqlError struct {
	Errors []struct {
		Extensions struct{ Code string } `json:"extensions"`
	} `json:"errors"`
}

// customerToken creates a customer with a token of scope and returns the
// token's secret.
func customerToken(t *testing.T, s *testenv.Server, scope string) string {
	t.Helper()
	c := s.Do(t, http.MethodPost, "/api/v1/customers", testenv.RootToken, map[string]any{"name": "Acme " + scope})
	var cust struct{ ID string }
	c.JSON(t, &cust)
	if c.Status != http.StatusCreated {
		t.Fatalf("create customer: %d %s", c.Status, c.Body)
	}
	r := s.Do(t, http.MethodPost, "/api/v1/customers/"+cust.ID+"/tokens", testenv.RootToken, map[string]any{"name": "t", "scope": scope})
	var tok struct {
		PlainToken string `json:"plain_token"`
	}
	r.JSON(t, &tok)
	if r.Status != http.StatusCreated || tok.PlainToken == "" {
		t.Fatalf("create customer token: %d %s", r.Status, r.Body)
	}
	return tok.PlainToken
}

// A JSON REST body over MAX_BODY_BYTES answers 413 PAYLOAD_TOO_LARGE in the
// REST error shape, whether its length is declared or not; a caller the
// route does not admit is refused first.
func TestRESTBodyLimit(t *testing.T) {
	testenv.ForEach(t, func(t *testing.T, b testenv.Backend) {
		const limit = 4 << 10
		s := testenv.StartServer(t, b, testenv.WithLimits(bodylimit.Limits{JSON: limit}))
		viewer, _ := s.AdminToken(t, "viewer")
		big := `{"name":"Acme","email":"a@acme.test","pad":"` + strings.Repeat("x", limit) + `"}`
		for _, tc := range []struct {
			name, token, body string
			chunked           bool
			status            int
			code              string
		}{
			{"under the limit", testenv.RootToken, `{"name":"Acme"}`, false, http.StatusCreated, ""},
			{"over the limit", testenv.RootToken, big, false, http.StatusRequestEntityTooLarge, "PAYLOAD_TOO_LARGE"},
			{"over the limit, no length", testenv.RootToken, big, true, http.StatusRequestEntityTooLarge, "PAYLOAD_TOO_LARGE"},
			{"anonymous", "", big, false, http.StatusUnauthorized, "UNAUTHORIZED"},
			{"viewer", viewer, big, false, http.StatusForbidden, "FORBIDDEN"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				var body io.Reader = strings.NewReader(tc.body)
				if tc.chunked {
					body = io.MultiReader(body)
				}
				header := map[string]string{"Content-Type": "application/json"}
				if tc.token != "" {
					header["Authorization"] = "Bearer " + tc.token
				}
				res := s.Raw(t, http.MethodPost, "/api/v1/customers", "", body, header)
				if res.Status != tc.status {
					t.Fatalf("status %d, want %d: %.300s", res.Status, tc.status, res.Body)
				}
				if tc.code != "" {
					var e restError
					res.JSON(t, &e)
					if e.Error.Code != tc.code {
						t.Fatalf("body %s, want code %s", res.Body, tc.code)
					}
				}
			})
		}
	})
}

// countingBody is a request body of n zero bytes that counts what the
// server reads of it, without holding it in memory.
type countingBody struct {
	left int64
	read *atomic.Int64
}

func (c *countingBody) Read(p []byte) (int, error) {
	if c.left <= 0 {
		return 0, io.EOF
	}
	n := int(min(int64(len(p)), c.left))
	clear(p[:n])
	c.left -= int64(n)
	c.read.Add(int64(n))
	return n, nil
}

func (c *countingBody) Close() error { return nil }

// counting counts what is read of r.
type counting struct {
	r    io.Reader
	read *atomic.Int64
}

func (c *counting) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.read.Add(int64(n))
	return n, err
}

// multipartHead is the start of a multipart upload whose file part then
// streams from the rest of the body.
func multipartHead(t *testing.T, graphql bool) (head []byte, contentType string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	if graphql {
		_ = mw.WriteField("operations", `{"query":"mutation($f: Upload!) { uploadVersion(input: {package: \"acme/art\", file: $f}) { version { version } } }","variables":{"f":null}}`)
		_ = mw.WriteField("map", `{"0":["variables.f"]}`)
		_, _ = mw.CreateFormFile("0", "a.zip")
	} else {
		_, _ = mw.CreateFormFile("file", "a.zip")
	}
	return buf.Bytes(), mw.FormDataContentType()
}

// An anonymous or unauthorised upload is refused before a byte of its
// body is read, so it cannot make the server store or parse anything:
// REST (raw zip and multipart) and GraphQL multipart alike.
func TestAnonymousUploadReadsNoBody(t *testing.T) {
	testenv.ForEach(t, func(t *testing.T, b testenv.Backend) {
		s := testenv.StartServer(t, b)
		viewer, _ := s.AdminToken(t, "viewer")
		download := customerToken(t, s, "download")
		const size = 60 << 20
		for _, tc := range []struct {
			name, path, token string
			kind              string // raw, multipart, graphql
			status            int
			code              string
		}{
			{"REST raw zip, anonymous", "/api/v1/packages/acme/art/versions", "", "raw", http.StatusUnauthorized, "UNAUTHORIZED"},
			{"REST multipart, anonymous", "/api/v1/packages/acme/art/versions", "", "multipart", http.StatusUnauthorized, "UNAUTHORIZED"},
			{"REST raw zip, viewer", "/api/v1/packages/acme/art/versions", viewer, "raw", http.StatusForbidden, "FORBIDDEN"},
			{"REST multipart, download-scoped customer", "/api/v1/packages/acme/art/versions", download, "multipart", http.StatusForbidden, "FORBIDDEN"},
			{"GraphQL multipart, anonymous", "/graphql", "", "graphql", http.StatusUnauthorized, "UNAUTHORIZED"},
			{"GraphQL multipart, viewer", "/graphql", viewer, "graphql", http.StatusForbidden, "FORBIDDEN"},
			{"GraphQL multipart, download-scoped customer", "/graphql", download, "graphql", http.StatusForbidden, "FORBIDDEN"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				read := &atomic.Int64{}
				var body io.ReadCloser = &countingBody{left: size, read: read}
				contentType := "application/zip"
				if tc.kind != "raw" {
					var head []byte
					head, contentType = multipartHead(t, tc.kind == "graphql")
					body = io.NopCloser(io.MultiReader(&counting{r: bytes.NewReader(head), read: read}, &countingBody{left: size, read: read}))
				}
				req := httptest.NewRequest(http.MethodPost, tc.path, body)
				req.ContentLength = size
				req.Header.Set("Content-Type", contentType)
				if tc.token != "" {
					req.Header.Set("Authorization", "Bearer "+tc.token)
				}
				rec := httptest.NewRecorder()
				s.Handler.ServeHTTP(rec, req)
				if rec.Code != tc.status {
					t.Fatalf("status %d, want %d: %.300s", rec.Code, tc.status, rec.Body)
				}
				if !strings.Contains(rec.Body.String(), `"`+tc.code+`"`) {
					t.Fatalf("body %s, want code %s", rec.Body, tc.code)
				}
				if n := read.Load(); n != 0 {
					t.Fatalf("the server read %d bytes of the body before refusing it", n)
				}
			})
		}
		if left := tempFiles(t, s.DataDir, ""); len(left) > 0 {
			t.Fatalf("temporary files left: %v", left)
		}
	})
}

// Composer's notify-batch takes at most 1 MiB and webhook deliveries 5 MiB;
// more answers 413 PAYLOAD_TOO_LARGE.
func TestNotifyAndWebhookBodyLimits(t *testing.T) {
	testenv.ForEach(t, func(t *testing.T, b testenv.Backend) {
		s := testenv.StartServer(t, b)
		download := customerToken(t, s, "download")
		notify := func(n int) string {
			return `{"downloads":[` + strings.Repeat(`{"name":"a/b","version":"1.0.0.0"},`, n) + `{"name":"a/b","version":"1.0.0.0"}]}`
		}
		push := func(pad int) string {
			return `{"ref":"refs/heads/main","repository":{"clone_url":"https://github.com/acme/x.git"},"pad":"` + strings.Repeat("x", pad) + `"}`
		}
		for _, tc := range []struct {
			name, path, basic, body string
			header                  map[string]string
			status                  int
			code                    string
		}{
			{"notify-batch under the limit", "/downloads/", download, notify(10), nil, http.StatusOK, ""},
			{"notify-batch over the limit", "/downloads/", download, notify(bodylimit.Notify / 30), nil, http.StatusRequestEntityTooLarge, "PAYLOAD_TOO_LARGE"},
			{"notify-batch anonymous", "/downloads/", "", notify(bodylimit.Notify / 30), nil, http.StatusUnauthorized, "UNAUTHORIZED"},
			{"webhook over the limit", "/api/webhooks/github", "", push(bodylimit.Webhook), map[string]string{"X-GitHub-Event": "push"}, http.StatusRequestEntityTooLarge, "PAYLOAD_TOO_LARGE"},
			{"webhook under the limit, unsigned", "/api/webhooks/github", "", push(10), map[string]string{"X-GitHub-Event": "push"}, http.StatusUnauthorized, "UNAUTHORIZED"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				header := map[string]string{"Content-Type": "application/json"}
				for k, v := range tc.header {
					header[k] = v
				}
				for _, chunked := range []bool{false, true} {
					var body io.Reader = strings.NewReader(tc.body)
					if chunked {
						body = io.MultiReader(body)
					}
					res := s.Raw(t, http.MethodPost, tc.path, tc.basic, body, header)
					if res.Status != tc.status {
						t.Fatalf("chunked %v: status %d, want %d: %.300s", chunked, res.Status, tc.status, res.Body)
					}
					if tc.code != "" {
						var e restError
						res.JSON(t, &e)
						if e.Error.Code != tc.code {
							t.Fatalf("chunked %v: body %s, want code %s", chunked, res.Body, tc.code)
						}
					}
				}
			})
		}
	})
}

// tempFiles lists the files under DATA_DIR/tmp (lock files of live
// instances aside) and, when sysTmp is set, in that system temporary
// directory (which the test pointed TMPDIR at), except the directories the
// testing package makes there for the test itself.
func tempFiles(t *testing.T, dataDir, sysTmp string) []string {
	t.Helper()
	var left []string
	roots := []string{filepath.Join(dataDir, "tmp")}
	if sysTmp != "" {
		roots = append(roots, sysTmp)
	}
	for _, root := range roots {
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				if os.IsNotExist(err) && path == root {
					return nil
				}
				return err
			}
			if root == sysTmp && filepath.Dir(path) == root && d.IsDir() && strings.HasPrefix(d.Name(), "Test") {
				return filepath.SkipDir
			}
			if d.IsDir() || (filepath.Dir(path) == root && strings.HasSuffix(path, ".lock")) {
				return nil
			}
			left = append(left, path)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return left
}

// 50 uploads failing in every way (401, 403, a bad zip, too large) or
// succeeding, over REST (raw and multipart) and GraphQL multipart, leave no
// temporary file behind, neither under DATA_DIR/tmp nor in the system's
// temporary directory.
func TestUploadTempFilesRemoved(t *testing.T) {
	// Not parallel: TMPDIR is the process's.
	sysTmp := t.TempDir()
	t.Setenv("TMPDIR", sysTmp)
	for _, b := range testenv.Backends() {
		t.Run(b.Name, func(t *testing.T) { uploadTempFilesRemoved(t, b, sysTmp) })
	}
}

func uploadTempFilesRemoved(t *testing.T, b testenv.Backend, sysTmp string) {
	const limit = 10 << 20
	s := testenv.StartServer(t, b, testenv.WithLimits(bodylimit.Limits{Upload: limit}))
	if r := s.Do(t, http.MethodPost, "/api/v1/packages", testenv.RootToken, map[string]any{"name": "acme/art", "type": "artifact"}); r.Status != http.StatusCreated {
		t.Fatalf("create package: %d %s", r.Status, r.Body)
	}
	viewer, _ := s.AdminToken(t, "viewer")
	// Over 8 MiB, the size from which multipart parsers spill to disk.
	badZip := bytes.Repeat([]byte("not a zip "), 900<<10)
	tooLarge := bytes.Repeat([]byte("x"), limit+1)
	type outcome struct {
		name, token string
		data        []byte
		valid       bool
		status      int
	}
	outcomes := []outcome{
		{"anonymous", "", badZip, false, http.StatusUnauthorized},
		{"viewer", viewer, badZip, false, http.StatusForbidden},
		{"bad zip", testenv.RootToken, badZip, false, http.StatusBadRequest},
		{"too large", testenv.RootToken, tooLarge, false, http.StatusRequestEntityTooLarge},
		{"valid", testenv.RootToken, nil, true, 0},
	}
	n := 0
	for i := range 10 {
		for _, o := range outcomes {
			n++
			version := fmt.Sprintf("1.%d.%d", i, n)
			data := o.data
			if o.valid {
				data = testenv.Zip(t, map[string]string{"composer.json": testenv.ComposerJSON("acme/art", `"version":"`+version+`"`)})
			}
			var status int
			var body []byte
			switch transport := n % 3; transport {
			case 0: // REST raw zip
				r := s.Raw(t, http.MethodPost, "/api/v1/packages/acme/art/versions", "", bytes.NewReader(data), auth(o.token, "application/zip"))
				status, body = r.Status, r.Body
			case 1: // REST multipart
				var buf bytes.Buffer
				mw := multipart.NewWriter(&buf)
				fw, _ := mw.CreateFormFile("file", "a.zip")
				fw.Write(data)
				mw.Close()
				r := s.Raw(t, http.MethodPost, "/api/v1/packages/acme/art/versions", "", &buf, auth(o.token, mw.FormDataContentType()))
				status, body = r.Status, r.Body
			case 2: // GraphQL multipart
				var buf bytes.Buffer
				mw := multipart.NewWriter(&buf)
				mw.WriteField("operations", `{"query":"mutation($f: Upload!) { uploadVersion(input: {package: \"acme/art\", file: $f}) { version { version } } }","variables":{"f":null}}`)
				mw.WriteField("map", `{"0":["variables.f"]}`)
				fw, _ := mw.CreateFormFile("0", "a.zip")
				fw.Write(data)
				mw.Close()
				r := s.Raw(t, http.MethodPost, "/graphql", "", &buf, auth(o.token, mw.FormDataContentType()))
				status, body = r.Status, r.Body
				if r.Status == http.StatusOK {
					var g gqlError
					r.JSON(t, &g)
					if len(g.Errors) > 0 {
						// Resolver errors answer 200 with the code.
						status = map[string]int{"VALIDATION_ERROR": http.StatusBadRequest}[g.Errors[0].Extensions.Code]
					}
				}
			}
			want := o.status
			if o.valid {
				want = http.StatusCreated
				if n%3 == 2 {
					want = http.StatusOK
				}
			}
			if status != want {
				t.Fatalf("upload %d (%s, transport %d): status %d, want %d: %.300s", n, o.name, n%3, status, want, body)
			}
		}
	}
	if left := tempFiles(t, s.DataDir, sysTmp); len(left) > 0 {
		t.Fatalf("%d temporary files left after %d uploads: %v", len(left), n, left)
	}
}

func auth(token, contentType string) map[string]string {
	h := map[string]string{"Content-Type": contentType}
	if token != "" {
		h["Authorization"] = "Bearer " + token
	}
	return h
}

// A server starting on a DATA_DIR where a dead instance left temporary
// files sweeps them, and leaves those of a live instance alone.
func TestStaleTempFilesSweptAtStart(t *testing.T) {
	testenv.ForEach(t, func(t *testing.T, b testenv.Backend) {
		s := testenv.StartServer(t, b)
		root := filepath.Join(s.DataDir, "tmp")
		// A dead instance: its directory and an unheld lock file.
		dead := filepath.Join(root, "deadinstance")
		if err := os.MkdirAll(filepath.Join(dead, "cargoman-git-home-1"), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dead, "upload-1.zip"), []byte("left over"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dead+".lock", nil, 0o600); err != nil {
			t.Fatal(err)
		}
		// The live instance s has a file in its own directory.
		live, err := s.App.Scratch.CreateTemp("upload-*.zip")
		if err != nil {
			t.Fatal(err)
		}
		defer live.Close()

		s.Sibling(t)
		if _, err := os.Stat(dead); !os.IsNotExist(err) {
			t.Fatalf("the dead instance's directory is still there: %v", err)
		}
		if _, err := os.Stat(dead + ".lock"); !os.IsNotExist(err) {
			t.Fatalf("the dead instance's lock file is still there: %v", err)
		}
		if _, err := os.Stat(live.Name()); err != nil {
			t.Fatalf("the live instance's file was swept: %v", err)
		}
	})
}
