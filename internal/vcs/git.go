package vcs

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cargoman/cargoman/internal/netpolicy"
	"github.com/cargoman/cargoman/internal/repourl"
)

// Error is a failed git command. Its message names the operation and the
// repository and carries git's own explanation, scrubbed of credentials:
// "git fetch of https://host/x failed: repository 'https://host/x/' not found".
type Error struct {
	Op     string // git subcommand: "clone", "fetch", "archive", ...
	Target string // repository URL (without credentials) or mirror directory
	Stderr string // git's stderr, scrubbed of credentials, possibly truncated
	// Kind classifies the failure (ErrAuthFailed, ErrRepoNotFound,
	// ErrUnreachable, ErrHostKey, ErrHostNotAllowed, ErrStalled,
	// ErrTimeout, ErrCorrupt, ErrNotFound) or is nil when git's message was
	// not recognised.
	Kind error
	// Err is the underlying error: the exit status, or the context's error
	// when the command was cancelled or timed out.
	Err     error
	timeout time.Duration
	stall   time.Duration
}

func (e *Error) Error() string {
	what := "git " + e.Op
	if e.Target != "" {
		what += " of " + e.Target
	}
	switch {
	case e.Kind == ErrTimeout:
		return fmt.Sprintf("%s timed out after %s", what, e.timeout)
	case e.Kind == ErrHostNotAllowed:
		return what + ": " + ErrHostNotAllowed.Error()
	case e.Kind == ErrStalled:
		return fmt.Sprintf("%s failed: the remote sent nothing for %s", what, e.stall)
	case errors.Is(e.Err, context.Canceled), errors.Is(e.Err, context.DeadlineExceeded):
		return fmt.Sprintf("%s: %v", what, e.Err)
	}
	if s := summarize(e.Stderr); s != "" {
		return what + " failed: " + s
	}
	return fmt.Sprintf("%s failed: %v", what, e.Err)
}

// Unwrap exposes both the classification and the cause to errors.Is.
func (e *Error) Unwrap() []error {
	var errs []error
	if e.Kind != nil {
		errs = append(errs, e.Kind)
	}
	if e.Err != nil {
		errs = append(errs, e.Err)
	}
	return errs
}

// summarize picks the line of git's stderr that says what went wrong: the
// last "fatal:"/"error:" line, unless it is ssh's generic "Could not read
// from remote repository", in which case the line before it (ssh's or the
// server's own reason) is more useful.
func summarize(stderr string) string {
	var lines []string
	for _, l := range strings.Split(stderr, "\n") {
		l = strings.TrimSpace(l)
		switch {
		case l == "", strings.HasPrefix(l, "hint:"), strings.HasPrefix(l, "Please make sure you have the correct access"),
			l == "and the repository exists.":
			continue
		}
		lines = append(lines, l)
	}
	pick := ""
	for i := len(lines) - 1; i >= 0 && pick == ""; i-- {
		if strings.HasPrefix(lines[i], "fatal:") || strings.HasPrefix(lines[i], "error:") {
			pick = lines[i]
			if strings.Contains(pick, "Could not read from remote repository") && i > 0 {
				pick = lines[i-1]
			}
		}
	}
	if pick == "" && len(lines) > 0 {
		pick = lines[len(lines)-1]
	}
	pick = strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(pick, "fatal:"), "error:"))
	if strings.Contains(pick, "terminal prompts disabled") {
		// git got a 401 and wanted to ask someone for a password.
		pick = "authentication failed: credentials missing or rejected (" + pick + ")"
	}
	if len(pick) > 300 {
		pick = pick[:300] + "..."
	}
	return pick
}

// classify maps git's stderr onto an error kind. Order matters: an HTTP 403
// is reported by curl as "unable to access ...: ... 403", which must count as
// an auth failure, not a network one.
func classify(stderr string) error {
	s := strings.ToLower(stderr)
	has := func(subs ...string) bool {
		for _, sub := range subs {
			if strings.Contains(s, sub) {
				return true
			}
		}
		return false
	}
	switch {
	case has("host key verification failed", "remote host identification has changed"):
		return ErrHostKey
	case has("authentication failed", "could not read username", "could not read password",
		"terminal prompts disabled", "permission denied (publickey", "access denied",
		"returned error: 401", "returned error: 403", "invalid username or password",
		"invalid credentials", "bad credentials"):
		return ErrAuthFailed
	case has("repository not found", "' not found", "does not appear to be a git repository",
		"returned error: 404", "no such repository", "could not be found", "' does not exist"):
		return ErrRepoNotFound
	case has("bad object", "corrupt", "missing object", "did not send all necessary objects",
		"not a git repository", "loose object", "invalid object", "broken link",
		"unable to read", "packfile", "bad revision"):
		return ErrCorrupt
	case has("could not resolve host", "could not resolve hostname", "failed to connect",
		"connection refused", "connection timed out", "network is unreachable",
		"no route to host", "ssl", "tls", "gnutls", "certificate", "connection reset",
		"operation timed out", "empty reply from server", "unable to access",
		"could not read from remote repository", "connection closed"):
		return ErrUnreachable
	}
	return nil
}

var (
	// authHeaderRE finds an HTTP Authorization header value.
	authHeaderRE = regexp.MustCompile(`(?i)(authorization:\s*(?:basic|bearer|token)?\s*)\S+`)
)

// scrub removes secrets from text that is about to leave the package.
func scrub(s string, secrets []string) string {
	for _, sec := range secrets {
		if len(sec) >= 3 {
			s = strings.ReplaceAll(s, sec, "***")
		}
	}
	s = repourl.Redact(s)
	return authHeaderRE.ReplaceAllString(s, "${1}***")
}

// secretsOf lists every form in which auth could show up in git's output.
func secretsOf(a Auth, header string, r *remote) []string {
	var out []string
	add := func(s string) {
		if s != "" {
			strict := percentEncodeAll(s)
			out = append(out, s, url.QueryEscape(s), url.PathEscape(s), strict, strings.ToLower(strict))
		}
	}
	add(a.Token)
	if r != nil {
		add(r.pass)
	}
	if header != "" {
		out = append(out, header, strings.TrimPrefix(header, "Basic "))
	}
	for _, l := range strings.Split(string(a.SSHKey), "\n") {
		l = strings.TrimSpace(l)
		if len(l) >= 16 && !strings.HasPrefix(l, "-----") {
			out = append(out, l)
		}
	}
	return out
}

// percentEncodeAll escapes every byte but RFC 3986's unreserved ones, the
// way a credential may appear inside a URL.
func percentEncodeAll(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if strings.IndexByte("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~", c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

func basicAuthHeader(user, pass string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))
}

// runner runs git commands for one repository with one environment.
type runner struct {
	git     string
	timeout time.Duration
	env     []string
	cwd     string // working directory: the mirror, or a private directory
	target  string
	secrets []string
	// gate is the session's way to the network, consulted to explain a
	// failure (refused address, stalled remote); nil for local commands.
	gate  *netpolicy.Gate
	stall time.Duration
}

// in returns a copy of r that runs commands inside the bare repository
// dir. GIT_DIR is explicit so git never searches parent directories.
func (r *runner) in(dir string) *runner {
	c := *r
	c.env = append(r.env[:len(r.env):len(r.env)], "GIT_DIR="+dir)
	c.cwd = dir
	return &c
}

var (
	homesMu sync.Mutex
	homes   = map[string]string{} // temporary directory -> private HOME in it
)

// privateHome is an empty directory in tempDir used as HOME for git
// commands that need no per-call files, so that no ~/.gitconfig, ~/.netrc,
// ~/.config/git/attributes or ~/.ssh of the service account can influence
// them. One is made per temporary directory, and made again if it was
// removed; it goes with its directory.
func privateHome(tempDir string) (string, error) {
	homesMu.Lock()
	defer homesMu.Unlock()
	if h, ok := homes[tempDir]; ok {
		if _, err := os.Stat(h); err == nil {
			return h, nil
		}
	}
	h, err := os.MkdirTemp(tempDir, "cargoman-git-home-")
	if err != nil {
		return "", err
	}
	homes[tempDir] = h
	return h, nil
}

// envConfig is one git configuration entry passed through GIT_CONFIG_*.
type envConfig struct{ key, value string }

// baseConfig applies to every command: hooks never run (a mirror has none,
// and none may sneak in), automatic gc runs in the foreground so it is
// bounded by our timeout and does not outlive the command, transfers slower
// than 1 KB/s for a minute abort even when the overall timeout is long, and
// no credential helper or askpass program is ever asked.
var baseConfig = []envConfig{
	{"core.hooksPath", os.DevNull},
	{"gc.autoDetach", "false"},
	{"maintenance.autoDetach", "false"},
	{"http.lowSpeedLimit", "1000"},
	{"http.lowSpeedTime", "60"},
	{"credential.helper", ""},
	{"core.askPass", ""},
}

// buildEnv is the environment of a git process: the caller's environment
// without anything that steers git, ssh, proxies or credentials, plus our
// settings. protocol is the one transport git may use ("https", "ssh",
// "file").
func buildEnv(home string, protocol string, sshCommand string, extra []envConfig) []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		ku := strings.ToUpper(k)
		switch {
		case strings.HasPrefix(ku, "GIT_"), strings.HasPrefix(ku, "SSH_"), strings.HasPrefix(ku, "LC_"),
			ku == "HOME", ku == "XDG_CONFIG_HOME", ku == "LANG", ku == "LANGUAGE",
			ku == "EDITOR", ku == "VISUAL", ku == "PAGER", ku == "NETRC", ku == "CURL_HOME",
			ku == "HTTP_PROXY", ku == "HTTPS_PROXY", ku == "ALL_PROXY", ku == "NO_PROXY",
			ku == "SSL_CERT_FILE", ku == "SSL_CERT_DIR", ku == "CURL_CA_BUNDLE":
			continue
		}
		env = append(env, kv)
	}
	env = append(env,
		"HOME="+home,
		"XDG_CONFIG_HOME="+filepath.Join(home, ".config"),
		"GIT_CONFIG_NOSYSTEM=1",
		"GIT_CONFIG_GLOBAL="+os.DevNull,
		"GIT_TERMINAL_PROMPT=0",
		"GIT_ALLOW_PROTOCOL="+protocol,
		"GIT_NO_REPLACE_OBJECTS=1",
		"LC_ALL=C",
	)
	if sshCommand != "" {
		env = append(env, "GIT_SSH_COMMAND="+sshCommand, "GIT_SSH_VARIANT=ssh")
	}
	cfg := append(append([]envConfig(nil), baseConfig...), extra...)
	env = append(env, "GIT_CONFIG_COUNT="+strconv.Itoa(len(cfg)))
	for i, c := range cfg {
		n := strconv.Itoa(i)
		env = append(env, "GIT_CONFIG_KEY_"+n+"="+c.key, "GIT_CONFIG_VALUE_"+n+"="+c.value)
	}
	return env
}

// localRunner runs commands against an existing mirror without network.
func localRunner(dir string, opts Options) (*runner, error) {
	home, err := privateHome(opts.TempDir)
	if err != nil {
		return nil, fmt.Errorf("vcs: private HOME: %w", err)
	}
	r := &runner{
		git:     opts.GitPath,
		timeout: opts.Timeout,
		env:     buildEnv(home, "file", "", nil),
		target:  dir,
	}
	return r.in(dir), nil
}

var gitPaths sync.Map // name -> resolved path

// lookGit resolves the git binary once instead of searching PATH for every
// command (Archive runs one per version).
func lookGit(name string) string {
	if p, ok := gitPaths.Load(name); ok {
		return p.(string)
	}
	p, err := exec.LookPath(name)
	if err != nil {
		return name // Start reports the error
	}
	gitPaths.Store(name, p)
	return p
}

// gitCmd is one running git process.
type gitCmd struct {
	r      *runner
	op     string
	cmd    *exec.Cmd
	parent context.Context
	ctx    context.Context
	cancel context.CancelFunc
	stderr tailBuffer
}

// command prepares git with args. With timeout false the process lives as
// long as ctx (used by the long-lived cat-file, which bounds each read
// itself).
func (r *runner) command(ctx context.Context, op string, timeout bool, args ...string) *gitCmd {
	g := &gitCmd{r: r, op: op, parent: ctx}
	if timeout {
		g.ctx, g.cancel = context.WithTimeout(ctx, r.timeout)
	} else {
		g.ctx, g.cancel = context.WithCancel(ctx)
	}
	g.cmd = exec.CommandContext(g.ctx, lookGit(r.git), args...)
	g.cmd.Dir = r.cwd
	g.cmd.Env = r.env
	g.cmd.Stderr = &g.stderr
	g.cmd.WaitDelay = 5 * time.Second
	setProcessGroup(g.cmd)
	return g
}

// wait waits for the process and turns a failure into an *Error.
func (g *gitCmd) wait() error {
	err := g.cmd.Wait()
	defer g.cancel()
	return g.errorFor(err)
}

func (g *gitCmd) errorFor(err error) error {
	if err == nil {
		return nil
	}
	e := &Error{
		Op:      g.op,
		Target:  g.r.target,
		Stderr:  scrub(g.stderr.String(), g.r.secrets),
		Err:     err,
		timeout: g.r.timeout,
	}
	switch {
	case g.parent.Err() != nil:
		e.Err = g.parent.Err()
	case errors.Is(g.ctx.Err(), context.DeadlineExceeded):
		e.Err, e.Kind = context.DeadlineExceeded, ErrTimeout
	case g.r.gate != nil && g.r.gate.Refused():
		// Whatever git said is about our refusal, not the remote.
		e.Kind, e.Stderr = ErrHostNotAllowed, ""
	case g.r.gate != nil && g.r.gate.Stalled():
		e.Kind, e.Stderr = ErrStalled, ""
		e.stall = g.r.stall
	default:
		e.Kind = classify(e.Stderr)
		if de := g.r.dialError(); de != nil && (e.Kind == nil || e.Kind == ErrUnreachable) {
			e.Kind, e.Stderr = ErrUnreachable, "connect: "+de.Error()
		}
	}
	return e
}

// run runs git to completion and returns its stdout.
func (r *runner) run(ctx context.Context, op string, stdin io.Reader, args ...string) ([]byte, error) {
	g := r.command(ctx, op, true, args...)
	var out bytes.Buffer
	g.cmd.Stdin = stdin
	g.cmd.Stdout = &out
	if err := g.cmd.Start(); err != nil {
		g.cancel()
		return nil, g.errorFor(err)
	}
	if err := g.wait(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// tailBuffer keeps the last 32 KiB written to it: git's last words are the
// ones that explain a failure, and a chatty process must not grow memory.
type tailBuffer struct {
	mu  sync.Mutex
	buf []byte
}

const tailMax = 32 << 10

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if len(t.buf) > tailMax {
		t.buf = append(t.buf[:0], t.buf[len(t.buf)-tailMax:]...)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.buf)
}

// dialError is the gate's last failure to reach an allowed remote.
func (r *runner) dialError() error {
	if r.gate == nil {
		return nil
	}
	return r.gate.DialError()
}
