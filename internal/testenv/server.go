package testenv

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/cargoman/cargoman/internal/app"
	"github.com/cargoman/cargoman/internal/auth"
	"github.com/cargoman/cargoman/internal/bodylimit"
	"github.com/cargoman/cargoman/internal/database"
)

// RootToken is the ADMIN_TOKEN of test servers.
const RootToken = "test-root-token"

// WebhookSecret is the server-wide webhook secret of test servers.
const WebhookSecret = "test-webhook-secret"

// Server is a running Cargoman on a test database, with workers.
type Server struct {
	URL string
	// Handler is the server's handler, for in-process benchmarks.
	Handler  http.Handler
	DB       *database.DB
	App      *app.App
	TenantID string
	Usage    *auth.UsageRecorder
	DataDir  string
}

// JWTSecret is the JWT_SECRET of test servers started WithJWT.
const JWTSecret = "test-jwt-secret-of-at-least-32-bytes"

// Option changes the configuration of a test server.
type Option func(*app.Config)

// WithLimits sets the request body limits (a small upload limit keeps
// tests of it cheap).
func WithLimits(l bodylimit.Limits) Option { return func(c *app.Config) { c.Limits = l } }

// WithJWT configures JWTSecret, enabling customer JWTs.
func WithJWT() Option { return func(c *app.Config) { c.JWTSecret = JWTSecret } }

// WithInsecureGitHTTP sets ALLOW_INSECURE_GIT_HTTP: packages may use
// plain http:// repository URLs.
func WithInsecureGitHTTP() Option { return func(c *app.Config) { c.AllowInsecureGitHTTP = true } }

// WithAllowedGitHosts sets ALLOWED_GIT_HOSTS.
func WithAllowedGitHosts(hosts ...string) Option {
	return func(c *app.Config) { c.AllowedGitHosts = hosts }
}

// WithDenyPrivateNetworks sets DENY_PRIVATE_NETWORKS: git may not reach
// loopback and private addresses (test servers listen on 127.0.0.1).
func WithDenyPrivateNetworks() Option { return func(c *app.Config) { c.DenyPrivateNetworks = true } }

// WithoutPublicURL leaves PUBLIC_URL unset: absolute URLs are built from
// each request's scheme and host.
func WithoutPublicURL() Option { return func(c *app.Config) { c.PublicURL = "" } }

// StartServer serves Cargoman over a fresh database of backend b, with
// background workers and local repositories allowed.
func StartServer(t testing.TB, b Backend, opts ...Option) *Server {
	t.Helper()
	return start(t, b.Open(t), t.TempDir(), opts...)
}

// Sibling starts a second instance of s: its own process state and
// database connections, the same database and blob directory, as when
// several `cargoman serve` share one PostgreSQL.
func (s *Server) Sibling(t testing.TB, opts ...Option) *Server {
	t.Helper()
	db, err := database.Open(s.DB.URL)
	if err != nil {
		t.Fatalf("open the database again: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return start(t, db, s.DataDir, opts...)
}

func start(t testing.TB, db *database.DB, dataDir string, opts ...Option) *Server {
	t.Helper()
	srv := httptest.NewUnstartedServer(nil)
	url := "http://" + srv.Listener.Addr().String()
	cfg := app.Config{
		PublicURL:              url,
		DataDir:                dataDir,
		AdminToken:             RootToken,
		WebhookSecret:          WebhookSecret,
		AllowLocalRepositories: true,
		Workers:                true,
		WorkerConcurrency:      2,
		ServeAPI:               true,
	}
	for _, o := range opts {
		o(&cfg)
	}
	a, err := app.New(context.Background(), db, cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatalf("app: %v", err)
	}
	srv.Config.Handler = a.Handler
	srv.Start()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = a.Run(ctx)
	}()
	t.Cleanup(func() {
		srv.Close()
		cancel()
		<-done
		if err := a.Close(); err != nil {
			t.Errorf("close the app: %v", err)
		}
	})
	return &Server{URL: url, Handler: a.Handler, DB: db, App: a, TenantID: a.Boot.TenantID, Usage: a.Usage, DataDir: dataDir}
}

// Raw sends a request as a Composer client does: with HTTP Basic user
// "token" and password basic when basic is set, and a transport that
// leaves the response as sent (no decompression, no redirects).
func (s *Server) Raw(t testing.TB, method, path, basic string, body io.Reader, header map[string]string) *Response {
	t.Helper()
	req, err := http.NewRequest(method, s.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if basic != "" {
		req.SetBasicAuth("token", basic)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read the response of %s %s: %v", method, path, err)
	}
	return &Response{Status: resp.StatusCode, Header: resp.Header, Body: data}
}

// Response is a finished HTTP exchange.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into v, failing the test if it cannot.
func (r *Response) JSON(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %s: %v", r.Body, err)
	}
}

// Do sends a request with an optional bearer token; body may be nil, a
// string (sent as is) or a value encoded as JSON.
func (s *Server) Do(t testing.TB, method, path, token string, body any) *Response {
	t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = bytes.NewBufferString(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		r = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, s.URL+path, r)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return &Response{Status: resp.StatusCode, Header: resp.Header, Body: data}
}

// GraphQLResult is a decoded GraphQL response.
type GraphQLResult struct {
	Data   json.RawMessage `json:"data"`
	Errors []struct {
		Message    string         `json:"message"`
		Path       []any          `json:"path"`
		Extensions map[string]any `json:"extensions"`
	} `json:"errors"`
	Status int `json:"-"`
}

// Code is the extensions.code of the first error, or "".
func (g *GraphQLResult) Code() string {
	if len(g.Errors) == 0 {
		return ""
	}
	c, _ := g.Errors[0].Extensions["code"].(string)
	return c
}

// GraphQL posts a GraphQL operation.
func (s *Server) GraphQL(t testing.TB, token, query string, vars map[string]any) *GraphQLResult {
	t.Helper()
	resp := s.Do(t, http.MethodPost, "/graphql", token, map[string]any{"query": query, "variables": vars})
	var out GraphQLResult
	resp.JSON(t, &out)
	out.Status = resp.Status
	return &out
}

// MustGraphQL posts an operation that must succeed and decodes its data.
func (s *Server) MustGraphQL(t testing.TB, token, query string, vars map[string]any, data any) {
	t.Helper()
	res := s.GraphQL(t, token, query, vars)
	if len(res.Errors) > 0 {
		t.Fatalf("GraphQL errors: %+v", res.Errors)
	}
	if data != nil {
		if err := json.Unmarshal(res.Data, data); err != nil {
			t.Fatalf("decode %s: %v", res.Data, err)
		}
	}
}

// AdminToken creates a CMA token of level (owner, admin, viewer) and
// returns its secret and id.
func (s *Server) AdminToken(t testing.TB, level string) (secret, id string) {
	t.Helper()
	var out struct {
		CreateAdminToken struct {
			PlainToken string
			AdminToken struct{ ID string }
		}
	}
	s.MustGraphQL(t, RootToken, `mutation($in: CreateAdminTokenInput!) {
  createAdminToken(input: $in) { plainToken adminToken { id } }
}`, map[string]any{"in": map[string]any{"name": level + " token", "level": level}}, &out)
	return out.CreateAdminToken.PlainToken, out.CreateAdminToken.AdminToken.ID
}

// Zip builds a zip archive of files (path → content).
func Zip(t testing.TB, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, content := range files {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(w, content); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// UploadZip posts an archive as a new version of an artifact package
// (POST /api/v1/packages/{vendor}/{name}/versions) with a bearer token.
func (s *Server) UploadZip(t testing.TB, token, pkg string, archive []byte) *Response {
	t.Helper()
	return s.Raw(t, http.MethodPost, "/api/v1/packages/"+pkg+"/versions", "", bytes.NewReader(archive),
		map[string]string{"Authorization": "Bearer " + token, "Content-Type": "application/zip"})
}
