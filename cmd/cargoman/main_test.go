package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cargoman/cargoman/graph"
)

// strongToken is an ADMIN_TOKEN that passes the strength check.
const strongToken = "3f9c1a7e5b2d4c8f0e6a9b1d3c5e7f2a4b6c8d0e1f3a5b7c9d2e4f6a8b0c1d3e"

func TestParseConfig(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  map[string]string
		args []string
		want config
		err  bool
	}{
		{name: "defaults", want: config{ListenAddr: ":8080", DataDir: "./data", DatabaseURL: "sqlite://data/cargoman.db", Mode: "all", WorkerConcurrency: 2, WebhookDeliveryRetentionDays: 30, MaxBodyBytes: 1 << 20, LogLevel: "info", GraphQLMaxComplexity: graph.DefaultMaxComplexity, GraphQLIntrospection: "authenticated", introspection: graph.IntrospectionAuthenticated, denyPrivate: true}},
		{name: "env", env: map[string]string{"LISTEN_ADDR": ":9", "DATA_DIR": "/srv", "ADMIN_TOKEN": strongToken, "PUBLIC_URL": "https://p.example", "ALLOW_LOCAL_REPOSITORIES": "true", "MODE": "worker"},
			want: config{ListenAddr: ":9", PublicURL: "https://p.example", DataDir: "/srv", DatabaseURL: "sqlite:///srv/cargoman.db", AdminToken: strongToken, AllowLocalRepos: true, Mode: "worker", WorkerConcurrency: 2, WebhookDeliveryRetentionDays: 30, MaxBodyBytes: 1 << 20, LogLevel: "info", GraphQLMaxComplexity: graph.DefaultMaxComplexity, GraphQLIntrospection: "authenticated", introspection: graph.IntrospectionAuthenticated}},
		{name: "flags win", env: map[string]string{"LISTEN_ADDR": ":9", "DATABASE_URL": "postgres://x"}, args: []string{"-listen-addr", ":10", "-worker-concurrency", "4"},
			want: config{ListenAddr: ":10", DataDir: "./data", DatabaseURL: "postgres://x", Mode: "all", WorkerConcurrency: 4, WebhookDeliveryRetentionDays: 30, MaxBodyBytes: 1 << 20, LogLevel: "info", GraphQLMaxComplexity: graph.DefaultMaxComplexity, GraphQLIntrospection: "authenticated", introspection: graph.IntrospectionAuthenticated, denyPrivate: true}},
		{name: "jwt secret", env: map[string]string{"JWT_SECRET": "0123456789abcdef0123456789abcdef"},
			want: config{ListenAddr: ":8080", DataDir: "./data", DatabaseURL: "sqlite://data/cargoman.db", JWTSecret: "0123456789abcdef0123456789abcdef", Mode: "all", WorkerConcurrency: 2, WebhookDeliveryRetentionDays: 30, MaxBodyBytes: 1 << 20, LogLevel: "info", GraphQLMaxComplexity: graph.DefaultMaxComplexity, GraphQLIntrospection: "authenticated", introspection: graph.IntrospectionAuthenticated, denyPrivate: true}},
		{name: "short admin token", env: map[string]string{"ADMIN_TOKEN": "s3cr3t-Pa55"}, err: true},
		{name: "repetitive admin token", env: map[string]string{"ADMIN_TOKEN": strings.Repeat("ab", 20)}, err: true},
		{name: "short jwt secret", args: []string{"-jwt-secret", "too-short"}, err: true},
		{name: "unknown flag", args: []string{"-nope"}, err: true},
		{name: "bad mode", env: map[string]string{"MODE": "both"}, err: true},
		{name: "log level", env: map[string]string{"LOG_LEVEL": "warn"},
			want: config{ListenAddr: ":8080", DataDir: "./data", DatabaseURL: "sqlite://data/cargoman.db", Mode: "all", WorkerConcurrency: 2, WebhookDeliveryRetentionDays: 30, MaxBodyBytes: 1 << 20, LogLevel: "warn", level: slog.LevelWarn, GraphQLMaxComplexity: graph.DefaultMaxComplexity, GraphQLIntrospection: "authenticated", introspection: graph.IntrospectionAuthenticated, denyPrivate: true}},
		{name: "webhook delivery retention", env: map[string]string{"WEBHOOK_DELIVERY_RETENTION_DAYS": "7"},
			want: config{ListenAddr: ":8080", DataDir: "./data", DatabaseURL: "sqlite://data/cargoman.db", Mode: "all", WorkerConcurrency: 2, WebhookDeliveryRetentionDays: 7, MaxBodyBytes: 1 << 20, LogLevel: "info", GraphQLMaxComplexity: graph.DefaultMaxComplexity, GraphQLIntrospection: "authenticated", introspection: graph.IntrospectionAuthenticated, denyPrivate: true}},
		{name: "zero webhook delivery retention", env: map[string]string{"WEBHOOK_DELIVERY_RETENTION_DAYS": "0"}, err: true},
		{name: "max body bytes", env: map[string]string{"MAX_BODY_BYTES": "2097152"},
			want: config{ListenAddr: ":8080", DataDir: "./data", DatabaseURL: "sqlite://data/cargoman.db", Mode: "all", WorkerConcurrency: 2, WebhookDeliveryRetentionDays: 30, MaxBodyBytes: 2 << 20, LogLevel: "info", GraphQLMaxComplexity: graph.DefaultMaxComplexity, GraphQLIntrospection: "authenticated", introspection: graph.IntrospectionAuthenticated, denyPrivate: true}},
		{name: "max body bytes too small", env: map[string]string{"MAX_BODY_BYTES": "10"}, err: true},
		{name: "graphql settings", env: map[string]string{"GRAPHQL_MAX_COMPLEXITY": "5000"}, args: []string{"-graphql-introspection", "off"},
			want: config{ListenAddr: ":8080", DataDir: "./data", DatabaseURL: "sqlite://data/cargoman.db", Mode: "all", WorkerConcurrency: 2, WebhookDeliveryRetentionDays: 30, MaxBodyBytes: 1 << 20, LogLevel: "info", GraphQLMaxComplexity: 5000, GraphQLIntrospection: "off", introspection: graph.IntrospectionOff, denyPrivate: true}},
		{name: "bad introspection", env: map[string]string{"GRAPHQL_INTROSPECTION": "anyone"}, err: true},
		{name: "zero complexity", env: map[string]string{"GRAPHQL_MAX_COMPLEXITY": "0"}, err: true},
		{name: "git network policy", env: map[string]string{"ALLOWED_GIT_HOSTS": "github.com, *.example.com", "ALLOW_LOCAL_REPOSITORIES": "true", "DENY_PRIVATE_NETWORKS": "true"},
			want: config{ListenAddr: ":8080", DataDir: "./data", DatabaseURL: "sqlite://data/cargoman.db", AllowLocalRepos: true,
				AllowedGitHosts: "github.com, *.example.com", DenyPrivate: "true", Mode: "all", WorkerConcurrency: 2, WebhookDeliveryRetentionDays: 30, MaxBodyBytes: 1 << 20, LogLevel: "info", GraphQLMaxComplexity: graph.DefaultMaxComplexity, GraphQLIntrospection: "authenticated", introspection: graph.IntrospectionAuthenticated, denyPrivate: true}},
		{name: "bad deny private networks", env: map[string]string{"DENY_PRIVATE_NETWORKS": "mostly"}, err: true},
		{name: "bad allowed git host", env: map[string]string{"ALLOWED_GIT_HOSTS": "github.com/acme"}, err: true},
		{name: "bad log level", env: map[string]string{"LOG_LEVEL": "loud"}, err: true},
		{name: "bad bool", env: map[string]string{"ALLOW_LOCAL_REPOSITORIES": "maybe"}, err: true},
		{name: "stray argument", args: []string{"extra"}, err: true},
		{name: "public URL without scheme", env: map[string]string{"PUBLIC_URL": "localhost:8080"}, err: true},
		{name: "bad trusted proxy", env: map[string]string{"TRUSTED_PROXIES": "10.0.0.0/8,proxy.local"}, err: true},
		{name: "trusted proxies", env: map[string]string{"TRUSTED_PROXIES": "10.0.0.0/8, 192.0.2.7"},
			want: config{ListenAddr: ":8080", TrustedProxies: "10.0.0.0/8, 192.0.2.7", DataDir: "./data", DatabaseURL: "sqlite://data/cargoman.db", Mode: "all", WorkerConcurrency: 2, WebhookDeliveryRetentionDays: 30, MaxBodyBytes: 1 << 20, LogLevel: "info", GraphQLMaxComplexity: graph.DefaultMaxComplexity, GraphQLIntrospection: "authenticated", introspection: graph.IntrospectionAuthenticated, denyPrivate: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseConfig(commands()[0], tc.args, func(k string) string { return tc.env[k] }, io.Discard)
			if tc.err {
				if err == nil {
					t.Fatal("want error")
				}
				return
			}
			if err != nil || *got != tc.want {
				t.Fatalf("got %+v, %v; want %+v", got, err, tc.want)
			}
		})
	}
}

func TestRunCommands(t *testing.T) {
	var out bytes.Buffer
	ctx := context.Background()
	if err := run(ctx, []string{"version"}, noEnv, &out, io.Discard); err != nil || !strings.HasPrefix(out.String(), "cargoman ") {
		t.Fatalf("version: %q %v", out.String(), err)
	}
	dir := t.TempDir()
	if err := run(ctx, []string{"migrate", "-data-dir", dir}, noEnv, io.Discard, io.Discard); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	for _, args := range [][]string{nil, {"frobnicate"}} {
		if err := run(ctx, args, noEnv, io.Discard, io.Discard); err == nil {
			t.Fatalf("run(%v) succeeded", args)
		}
	}
}

func noEnv(string) string { return "" }

// syncBuffer is a bytes.Buffer safe for the server goroutine to write.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestServeProbesAndDrain starts the server with nothing configured, checks
// the probes and the generated root token, then stops it while a request
// is in flight: the request still gets its answer.
func TestServeProbesAndDrain(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stdout := &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "-listen-addr", "127.0.0.1:0", "-data-dir", filepath.Join(t.TempDir(), "data")}, noEnv, stdout, io.Discard)
	}()
	addrRe := regexp.MustCompile(`listening on (\S+)`)
	var addr string
	for deadline := time.Now().Add(10 * time.Second); addr == "" && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if m := addrRe.FindStringSubmatch(stdout.String()); m != nil {
			addr = m[1]
		}
	}
	if addr == "" {
		t.Fatalf("server did not start: %s", stdout.String())
	}
	token := regexp.MustCompile(`cgm_root_\w+`).FindString(stdout.String())
	if token == "" {
		t.Fatalf("no generated root token printed: %s", stdout.String())
	}

	for path, want := range map[string]int{"/healthz": 200, "/readyz": 200} {
		resp, err := http.Get("http://" + addr + path)
		if err != nil || resp.StatusCode != want {
			t.Fatalf("GET %s: %v %v", path, resp, err)
		}
		resp.Body.Close()
	}
	req, _ := http.NewRequest(http.MethodGet, "http://"+addr+"/api/v1/customers", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("root token from the banner: %v %v", resp, err)
	}
	resp.Body.Close()

	// A request being handled when shutdown begins: its handler is still
	// reading the body, which arrives in two halves around the shutdown.
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	body := `{"name":"Drained Ltd"}`
	head := "POST /api/v1/customers HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token +
		"\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n"
	if _, err := io.WriteString(conn, head+body[:8]); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond)
	cancel()
	time.Sleep(200 * time.Millisecond)
	if _, err := io.WriteString(conn, body[8:]); err != nil {
		t.Fatal(err)
	}
	status, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil || !strings.Contains(status, "201") {
		t.Fatalf("in-flight request during shutdown: %q %v", status, err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve returned %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not stop")
	}
	if _, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		t.Fatal("server still accepts connections after shutdown")
	}
}
