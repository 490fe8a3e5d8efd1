package server_test

import (
	"bufio"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/cargoman/cargoman/internal/bodylimit"
	"github.com/cargoman/cargoman/internal/server"
	"github.com/cargoman/cargoman/internal/testenv"
)

// A GraphQL body over the limit is refused with 413 PAYLOAD_TOO_LARGE, by
// length or while it is read, and a bad credential is refused before it.
func TestGraphQLBodyLimit(t *testing.T) {
	testenv.ForEach(t, func(t *testing.T, b testenv.Backend) {
		s := testenv.StartServer(t, b)
		big := `{"query":"{ viewer { kind } }","variables":{"pad":"` + strings.Repeat("x", bodylimit.DefaultJSON) + `"}}`
		for _, tc := range []struct {
			name, token, body string
			chunked           bool
			status            int
			code              string
		}{
			{"small, root", testenv.RootToken, `{"query":"{ viewer { kind } }"}`, false, http.StatusOK, ""},
			{"too large, anonymous", "", big, false, http.StatusRequestEntityTooLarge, "PAYLOAD_TOO_LARGE"},
			{"too large, root", testenv.RootToken, big, false, http.StatusRequestEntityTooLarge, "PAYLOAD_TOO_LARGE"},
			{"too large without length, root", testenv.RootToken, big, true, http.StatusRequestEntityTooLarge, "PAYLOAD_TOO_LARGE"},
			{"too large, bad credential", "cgm_adm_not-a-real-token", big, false, http.StatusUnauthorized, "UNAUTHORIZED"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				var body io.Reader = strings.NewReader(tc.body)
				if tc.chunked {
					body = io.MultiReader(body) // hides the length: sent chunked
				}
				header := map[string]string{"Content-Type": "application/json"}
				if tc.token != "" {
					header["Authorization"] = "Bearer " + tc.token
				}
				res := s.Raw(t, http.MethodPost, "/graphql", "", body, header)
				if res.Status != tc.status {
					t.Fatalf("status %d, want %d: %.300s", res.Status, tc.status, res.Body)
				}
				if tc.code != "" {
					var out struct {
						Errors []struct {
							Extensions struct{ Code string } `json:"extensions"`
						} `json:"errors"`
					}
					res.JSON(t, &out)
					if len(out.Errors) != 1 || out.Errors[0].Extensions.Code != tc.code {
						t.Fatalf("body %s, want code %s", res.Body, tc.code)
					}
				}
			})
		}
	})
}

// Every answer carries nosniff; API answers, which may carry a secret
// shown once, are never stored by caches.
func TestSecurityHeaders(t *testing.T) {
	testenv.ForEach(t, func(t *testing.T, b testenv.Backend) {
		s := testenv.StartServer(t, b)
		auth := map[string]string{"Authorization": "Bearer " + testenv.RootToken, "Content-Type": "application/json"}
		for _, tc := range []struct {
			name, method, path, body string
			noStore                  bool
		}{
			{"health", http.MethodGet, "/healthz", "", false},
			{"composer root", http.MethodGet, "/packages.json", "", false},
			{"graphql", http.MethodPost, "/graphql", `{"query":"{ viewer { kind } }"}`, true},
			{"rest", http.MethodGet, "/api/v1/customers", "", true},
			{"rest token creation", http.MethodPost, "/api/v1/customers", `{"name":"Acme","email":"a@acme.test"}`, true},
		} {
			t.Run(tc.name, func(t *testing.T) {
				res := s.Raw(t, tc.method, tc.path, "", strings.NewReader(tc.body), auth)
				if got := res.Header.Get("X-Content-Type-Options"); got != "nosniff" {
					t.Errorf("X-Content-Type-Options = %q", got)
				}
				if got := res.Header.Get("Cache-Control"); (got == "no-store") != tc.noStore {
					t.Errorf("Cache-Control = %q, want no-store: %v", got, tc.noStore)
				}
			})
		}
	})
}

// A client that sends its headers or body too slowly loses the
// connection instead of holding it.
func TestSlowClientsAreCutOff(t *testing.T) {
	to := server.Timeouts{ReadHeader: 300 * time.Millisecond, Read: 600 * time.Millisecond, Upload: 3 * time.Second, Write: 5 * time.Second, Idle: time.Second}
	srv := server.NewHTTPServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, err := io.Copy(io.Discard, r.Body)
		if err != nil {
			w.WriteHeader(http.StatusRequestTimeout)
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]int64{"read": n})
	}), to)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })

	// slow sends head, then the body in pieces every interval, for total.
	slow := func(t *testing.T, head string, interval, total time.Duration) (answered bool, took time.Duration) {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		start := time.Now()
		_, _ = io.WriteString(c, head)
		go func() {
			for time.Since(start) < total {
				time.Sleep(interval)
				if _, err := c.Write([]byte("x")); err != nil {
					return
				}
			}
		}()
		_ = c.SetReadDeadline(time.Now().Add(total + 2*time.Second))
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			return false, time.Since(start)
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK, time.Since(start)
	}
	for _, tc := range []struct {
		name     string
		head     string
		total    time.Duration
		answered bool
		within   time.Duration
	}{
		{"headers dribbled", "GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ", 5 * time.Second, false, 2 * time.Second},
		{"json body dribbled", "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n", 5 * time.Second, false, 2 * time.Second},
		{"upload body within its longer deadline", "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/zip\r\nContent-Length: 10\r\n\r\n", 1500 * time.Millisecond, true, 3 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			answered, took := slow(t, tc.head, 100*time.Millisecond, tc.total)
			if tc.answered && !answered {
				t.Fatalf("cut off after %s, want an answer", took)
			}
			if !tc.answered && answered {
				t.Fatalf("answered after %s, want the connection cut", took)
			}
			if took > tc.within {
				t.Fatalf("took %s, want under %s", took, tc.within)
			}
		})
	}
}

// A method a route does not take answers 405 METHOD_NOT_ALLOWED with
// Allow, in the error shape of the surface it reached.
func TestMethodNotAllowed(t *testing.T) {
	testenv.ForEach(t, func(t *testing.T, b testenv.Backend) {
		s := testenv.StartServer(t, b)
		for _, tc := range []struct {
			name, method, path, allow string
			graphQL                   bool
		}{
			{"REST route", http.MethodPut, "/api/v1/customers", "POST, GET", false},
			{"Composer route", http.MethodPut, "/packages.json", "GET, HEAD", false},
			{"playground asset", http.MethodPost, "/graphql/assets/graphiql/init.js", "GET, HEAD", false},
			{"GraphQL mutation over GET", http.MethodGet, "/graphql?query=" + url.QueryEscape("mutation { revokeAdminToken(input: {id: \"x\"}) { __typename } }"), "POST", true},
		} {
			t.Run(tc.name, func(t *testing.T) {
				res := s.Raw(t, tc.method, tc.path, "", nil, map[string]string{"Authorization": "Bearer " + testenv.RootToken})
				if res.Status != http.StatusMethodNotAllowed || res.Header.Get("Allow") != tc.allow {
					t.Fatalf("status %d, Allow %q; want 405 with Allow %q: %s", res.Status, res.Header.Get("Allow"), tc.allow, res.Body)
				}
				var out struct {
					Error  struct{ Code string }
					Errors []struct {
						Extensions struct{ Code string }
					}
				}
				res.JSON(t, &out)
				code := out.Error.Code
				if tc.graphQL && len(out.Errors) == 1 {
					code = out.Errors[0].Extensions.Code
				}
				if code != "METHOD_NOT_ALLOWED" {
					t.Errorf("body %s, want code METHOD_NOT_ALLOWED", res.Body)
				}
			})
		}
	})
}
