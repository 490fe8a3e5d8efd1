package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	entsetting "github.com/cargoman/cargoman/ent/setting"
	"github.com/cargoman/cargoman/internal/app"
	"github.com/cargoman/cargoman/internal/bootstrap"
	"github.com/cargoman/cargoman/internal/secret"
	"github.com/cargoman/cargoman/internal/tenancy"
	"github.com/cargoman/cargoman/internal/testenv"
)

// runCLI runs a command line as main does and returns what it printed on
// stdout, on stderr (with main's "cargoman: " line for an error) and its
// exit code.
func runCLI(t *testing.T, env map[string]string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(context.Background(), args, func(k string) string { return env[k] }, &out, &errOut)
	if err != nil {
		errOut.WriteString("cargoman: " + err.Error() + "\n")
	}
	return out.String(), errOut.String(), exitCode(err)
}

// TestCommandLine: every help form answers on stdout with exit 0; a
// mistyped command or flag gets one line with a suggestion and exit 2;
// each command takes only its own flags.
func TestCommandLine(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name string
		args []string
		env  map[string]string
		code int
		// out and errOut are substrings of stdout and stderr; notOut must
		// not be in stdout.
		out, errOut, notOut []string
		// oneLine: stderr is a single line.
		oneLine bool
	}{
		{name: "--help", args: []string{"--help"}, out: []string{"Commands:", "serve ", "migrate ", "admin-token reset ", "version "}},
		{name: "-h", args: []string{"-h"}, out: []string{"Commands:", "admin-token reset "}},
		{name: "-help", args: []string{"-help"}, out: []string{"Commands:"}},
		{name: "help", args: []string{"help"}, out: []string{"Commands:"}},
		{name: "help serve", args: []string{"help", "serve"}, out: []string{"Usage: cargoman serve [flags]", "-listen-addr", "LISTEN_ADDR"}},
		{name: "serve --help", args: []string{"serve", "--help"}, out: []string{"Usage: cargoman serve [flags]", "-public-url", "-mode"}},
		{name: "serve -h", args: []string{"serve", "-h"}, out: []string{"Usage: cargoman serve"}},
		{name: "migrate --help lists only its flags", args: []string{"migrate", "--help"},
			out: []string{"Usage: cargoman migrate", "-data-dir", "-database-url", "-log-level"}, notOut: []string{"-listen-addr", "-mode", "-admin-token", "-public-url"}},
		{name: "admin-token reset --help", args: []string{"admin-token", "reset", "--help"},
			out: []string{"Usage: cargoman admin-token reset", "-data-dir", "-database-url", "-log-level"}, notOut: []string{"-listen-addr", "-admin-token"}},
		{name: "help admin-token reset", args: []string{"help", "admin-token", "reset"}, out: []string{"Usage: cargoman admin-token reset"}},
		{name: "version", args: []string{"version"}, out: []string{"cargoman "}},
		{name: "no command", args: nil, code: 2, errOut: []string{"Commands:", "no command given"}},
		{name: "unknown command", args: []string{"serv"}, code: 2, errOut: []string{`unknown command "serv"; did you mean "serve"?`}, oneLine: true},
		{name: "unknown command far from any", args: []string{"frobnicate"}, code: 2, errOut: []string{`unknown command "frobnicate" (cargoman help lists the commands)`}, oneLine: true},
		{name: "unknown subcommand", args: []string{"admin-token", "rest"}, code: 2, errOut: []string{`unknown command "admin-token rest"; did you mean "admin-token reset"?`}, oneLine: true},
		{name: "mistyped group", args: []string{"admin-tokn", "reset"}, code: 2, errOut: []string{`did you mean "admin-token reset"?`}, oneLine: true},
		{name: "missing subcommand", args: []string{"admin-token"}, code: 2, errOut: []string{"admin-token needs a subcommand: reset"}, oneLine: true},
		{name: "help for an unknown command", args: []string{"help", "migrat"}, code: 2, errOut: []string{`did you mean "migrate"?`}, oneLine: true},
		{name: "unknown flag", args: []string{"serve", "-lisen-addr", ":1"}, code: 2, errOut: []string{"unknown flag -lisen-addr for serve; did you mean -listen-addr?"}, oneLine: true},
		{name: "flag spelled as its variable", args: []string{"migrate", "-DATA_DIR", dir}, code: 2, errOut: []string{"did you mean -data-dir?"}, oneLine: true},
		{name: "flag of another command", args: []string{"migrate", "-listen-addr", ":1"}, code: 2, errOut: []string{"migrate does not take -listen-addr (only serve does"}, oneLine: true},
		{name: "flag of another command for reset", args: []string{"admin-token", "reset", "-admin-token", strongToken}, code: 2, errOut: []string{"admin-token reset does not take -admin-token"}, oneLine: true},
		{name: "flag far from any", args: []string{"version", "-zzz"}, code: 2, errOut: []string{"unknown flag -zzz for version (cargoman version -help lists its flags)"}, oneLine: true},
		{name: "bad flag value", args: []string{"serve", "-worker-concurrency", "two"}, code: 2, errOut: []string{"invalid value"}, oneLine: true},
		{name: "stray argument", args: []string{"migrate", "extra"}, code: 2, errOut: []string{"migrate takes no arguments"}, oneLine: true},
		{name: "bad setting value", args: []string{"serve"}, env: map[string]string{"MODE": "both"}, code: 1, errOut: []string{`MODE must be all, api or worker, not "both"`}},
		{name: "migrate ignores serve-only settings", args: []string{"migrate", "-data-dir", dir}, env: map[string]string{"MODE": "both", "ADMIN_TOKEN": "weak"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, errOut, code := runCLI(t, tc.env, tc.args...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tc.code, out, errOut)
			}
			for _, want := range tc.out {
				if !strings.Contains(out, want) {
					t.Errorf("stdout lacks %q:\n%s", want, out)
				}
			}
			for _, not := range tc.notOut {
				if strings.Contains(out, not) {
					t.Errorf("stdout has %q:\n%s", not, out)
				}
			}
			for _, want := range tc.errOut {
				if !strings.Contains(errOut, want) {
					t.Errorf("stderr lacks %q:\n%s", want, errOut)
				}
			}
			if tc.oneLine && strings.Count(errOut, "\n") != 1 {
				t.Errorf("stderr is not one line:\n%s", errOut)
			}
			if tc.code == 0 && strings.Contains(errOut, "flag: help requested") {
				t.Errorf("stderr: %s", errOut)
			}
		})
	}
}

func TestListenURL(t *testing.T) {
	for addr, want := range map[string]string{
		"127.0.0.1:8092": "http://127.0.0.1:8092",
		"[::]:8080":      "http://localhost:8080",
		"0.0.0.0:8080":   "http://localhost:8080",
		":8080":          "http://localhost:8080",
		"[::1]:9000":     "http://[::1]:9000",
		"example.com:80": "http://example.com:80",
	} {
		if got := listenURL(addr); got != want {
			t.Errorf("listenURL(%q) = %q, want %q", addr, got, want)
		}
	}

	// The banner shows the address really bound, port 0 resolved, when
	// PUBLIC_URL is unset; PUBLIC_URL when it is set.
	for _, tc := range []struct {
		env  map[string]string
		want *regexp.Regexp
	}{
		{map[string]string{"LISTEN_ADDR": "127.0.0.1:0"}, regexp.MustCompile(`GraphQL: +http://127\.0\.0\.1:[1-9][0-9]*/graphql`)},
		{map[string]string{"LISTEN_ADDR": "127.0.0.1:0", "PUBLIC_URL": "https://packages.example.com"}, regexp.MustCompile(`GraphQL: +https://packages\.example\.com/graphql`)},
	} {
		tc.env["DATA_DIR"] = t.TempDir()
		out := startServe(t, tc.env)
		if !tc.want.MatchString(out) {
			t.Errorf("banner %q does not match %s", out, tc.want)
		}
	}
}

// startServe runs serve until the test ends and returns its banner.
func startServe(t *testing.T, env map[string]string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	stdout := &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve"}, func(k string) string { return env[k] }, stdout, io.Discard)
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if out := stdout.String(); strings.Contains(out, "Database:") {
			time.Sleep(50 * time.Millisecond) // the token follows the banner
			return stdout.String()
		}
		select {
		case err := <-done:
			t.Fatalf("serve stopped: %v", err)
		default:
		}
	}
	t.Fatalf("serve did not start: %s", stdout.String())
	return ""
}

// TestBindFailureKeepsFirstStart: a first start on a taken port fails
// before it touches DATA_DIR or generates a root token (and before any
// background work logs), so the next start still prints one.
func TestBindFailureKeepsFirstStart(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	dataDir := filepath.Join(t.TempDir(), "data")
	var stdout, stderr bytes.Buffer
	err = run(context.Background(), []string{"serve", "-listen-addr", taken.Addr().String(), "-data-dir", dataDir}, noEnv, &stdout, &stderr)
	if err == nil || !strings.Contains(err.Error(), "address already in use") {
		t.Fatalf("serve on a taken port: %v", err)
	}
	if _, err := os.Stat(dataDir); !os.IsNotExist(err) {
		t.Fatalf("DATA_DIR was created before the bind failed: %v", err)
	}
	if stdout.Len() > 0 || stderr.Len() > 0 {
		t.Fatalf("output before the bind failure:\nstdout: %s\nstderr: %s", stdout.String(), stderr.String())
	}

	out := startServe(t, map[string]string{"LISTEN_ADDR": "127.0.0.1:0", "DATA_DIR": dataDir})
	if !regexp.MustCompile(`Generated root ADMIN_TOKEN[^\n]*\n\n  cgm_root_\w+`).MatchString(out) {
		t.Fatalf("the next start printed no root token: %s", out)
	}
}

// TestAdminTokenReset: reset stores a new root token's hash and prints
// the token; it refuses while ADMIN_TOKEN is set (the environment's token
// wins, so a reset would change nothing).
func TestAdminTokenReset(t *testing.T) {
	testenv.ForEach(t, func(t *testing.T, b testenv.Backend) {
		ctx := context.Background()
		// A database never served (a wrong DATABASE_URL) gets no token.
		never := b.Open(t)
		if _, errOut, code := runCLI(t, nil, "admin-token", "reset", "-database-url", never.URL); code != 1 || !strings.Contains(errOut, "never served by Cargoman") {
			t.Fatalf("reset of a database never served: exit %d %s", code, errOut)
		}
		if n := never.Client.Setting.Query().CountX(tenancy.WithSystem(ctx)); n != 0 {
			t.Fatalf("reset of a database never served stored %d settings", n)
		}
		// Nor does a directory without a database.
		if _, errOut, code := runCLI(t, nil, "admin-token", "reset", "-data-dir", t.TempDir()); code != 1 || !strings.Contains(errOut, "is not a Cargoman database") {
			t.Fatalf("reset in an empty DATA_DIR: exit %d %s", code, errOut)
		}

		db := b.Open(t)
		first, err := bootstrap.Run(ctx, db.Client, "")
		if err != nil {
			t.Fatal(err)
		}
		stored := func() string {
			return db.Client.Setting.Query().Where(entsetting.Key("root_token_hash")).OnlyX(tenancy.WithSystem(ctx)).Value
		}

		_, errOut, code := runCLI(t, map[string]string{"DATABASE_URL": db.URL, "ADMIN_TOKEN": strongToken}, "admin-token", "reset")
		if code != 1 || !strings.Contains(errOut, "ADMIN_TOKEN is set") || stored() != first.RootHash {
			t.Fatalf("reset with ADMIN_TOKEN set: exit %d %s", code, errOut)
		}

		out, errOut, code := runCLI(t, nil, "admin-token", "reset", "-database-url", db.URL)
		token := regexp.MustCompile(`\n  (cgm_root_\w+)\n`).FindStringSubmatch(out)
		if code != 0 || token == nil {
			t.Fatalf("reset: exit %d\nstdout: %s\nstderr: %s", code, out, errOut)
		}
		if token[1] == first.GeneratedRootToken || stored() != secret.Hash(token[1]) {
			t.Fatalf("stored hash is not the new token's")
		}
		// A restart keeps the reset token and prints none.
		again, err := bootstrap.Run(ctx, db.Client, "")
		if err != nil || again.RootHash != secret.Hash(token[1]) || again.GeneratedRootToken != "" {
			t.Fatalf("restart after reset: %+v %v", again, err)
		}
	})
}

// TestResetRootTokenReachesServers: running servers (here two sharing the
// database) refuse the old root token within about a second of a reset,
// and accept the new one.
func TestResetRootTokenReachesServers(t *testing.T) {
	testenv.ForEach(t, func(t *testing.T, b testenv.Backend) {
		generated := func(c *app.Config) { c.AdminToken = "" }
		s := testenv.StartServer(t, b, generated)
		sibling := s.Sibling(t, generated)
		old := s.App.Boot.GeneratedRootToken
		for _, srv := range []*testenv.Server{s, sibling} {
			if r := srv.Do(t, "GET", "/api/v1/customers", old, nil); r.Status != 200 {
				t.Fatalf("generated root token before the reset: %d %s", r.Status, r.Body)
			}
		}
		out, errOut, code := runCLI(t, nil, "admin-token", "reset", "-database-url", s.DB.URL)
		token := regexp.MustCompile(`\n  (cgm_root_\w+)\n`).FindStringSubmatch(out)
		if code != 0 || token == nil {
			t.Fatalf("reset: exit %d\nstdout: %s\nstderr: %s", code, out, errOut)
		}
		start := time.Now()
		for _, srv := range []*testenv.Server{s, sibling} {
			for srv.Do(t, "GET", "/api/v1/customers", old, nil).Status != 401 {
				if time.Since(start) > 3*time.Second {
					t.Fatal("the old root token still works 3 s after the reset")
				}
				time.Sleep(50 * time.Millisecond)
			}
			if r := srv.Do(t, "GET", "/api/v1/customers", token[1], nil); r.Status != 200 {
				t.Fatalf("new root token: %d %s", r.Status, r.Body)
			}
		}
		t.Logf("old token refused by both servers %v after the reset", time.Since(start))
	})
}
