// Package repourl is the one reader of repository URLs. Package creation,
// git sync (internal/vcs) and webhook matching all parse through it, so a
// URL accepted when a package is saved is one sync can fetch, and the
// forms a provider and a user write for one repository compare equal.
//
// Parse reads a URL the way git does: "scheme://..." first, then
// "<transport>::<address>" (never allowed), then scp-like "[user@]host:path"
// when a ':' comes before any '/', else a local path. Rules decides what
// this server may fetch; Canonical reduces a URL to "host/path" for
// matching.
package repourl

import (
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/cargoman/cargoman/internal/netpolicy"
)

// Errors Parse and Rules.Check return, to test with errors.Is; the
// wrapping error says what is wrong in words a user can act on.
var (
	// ErrUnsupported: not a URL git may fetch from this server.
	ErrUnsupported = errors.New("unsupported repository URL")
	// ErrLocal: a local path or file:// URL while local repositories are
	// disabled.
	ErrLocal = errors.New("local repositories are not allowed")
	// ErrHostNotAllowed: the host is not on ALLOWED_GIT_HOSTS.
	ErrHostNotAllowed = netpolicy.ErrRefused
)

// MaxLen is the longest repository URL accepted.
const MaxLen = 2048

// The schemes a parsed URL can have.
const (
	HTTPS = "https"
	HTTP  = "http"
	SSH   = "ssh"
	Git   = "git"
	File  = "file" // local paths and file:// URLs
)

// URL is a parsed repository URL.
type URL struct {
	// Scheme is one of HTTPS, HTTP, SSH, Git or File; git+ssh:// and
	// scp-like URLs are SSH.
	Scheme string
	// SCP says the URL was written "[user@]host:path".
	SCP bool
	// User and Password are the URL's userinfo ("" when absent).
	User, Password string
	// Host is lower case, without IPv6 brackets; "" for local URLs.
	Host string
	// Port is explicit or the scheme's default; 0 for local URLs.
	Port int
	// Path is the repository path (as written for local paths).
	Path string

	raw string   // the trimmed input
	u   *url.URL // scheme://... forms
}

// Local reports whether the URL names a repository on this machine.
func (u *URL) Local() bool { return u.Scheme == File }

// String is the URL without any password: what git is given and what
// messages may show.
func (u *URL) String() string {
	switch {
	case u.SCP:
		return Redact(u.raw)
	case u.u == nil: // a local path
		return u.Path
	}
	c := *u.u
	if c.User != nil {
		c.User = url.User(c.User.Username())
	}
	c.Fragment, c.RawFragment = "", ""
	return c.String()
}

// WithoutUser is String without the user name as well (https URLs carry
// their user in the authorization header instead).
func (u *URL) WithoutUser() string {
	if u.u == nil {
		return u.String()
	}
	c := *u.u
	c.User = nil
	c.Fragment, c.RawFragment = "", ""
	return c.String()
}

// Origin is "scheme://host[:port]/" of an http(s) URL, the scope of an
// authorization header; "" for other schemes.
func (u *URL) Origin() string {
	if u.u == nil || (u.Scheme != HTTPS && u.Scheme != HTTP) {
		return ""
	}
	return u.Scheme + "://" + u.u.Host + "/"
}

// Canonical reduces the URL to "host/path" so that the forms of one
// repository compare equal: scheme, credentials, port, "www.", a trailing
// ".git" or "/" and letter case are ignored (the big providers treat
// repository paths case-insensitively). It is "" for local URLs and URLs
// without a path.
func (u *URL) Canonical() string {
	if u.Local() {
		return ""
	}
	host := strings.TrimPrefix(u.Host, "www.")
	p := strings.ToLower(strings.Trim(u.Path, "/"))
	p = strings.Trim(strings.TrimSuffix(p, ".git"), "/")
	if len(host) < 2 || p == "" {
		return ""
	}
	return host + "/" + p
}

// Canonical is the canonical form of raw, "" when raw does not parse or
// has none.
func Canonical(raw string) string {
	u, err := Parse(raw)
	if err != nil {
		return ""
	}
	return u.Canonical()
}

// Parse reads raw without judging whether this server may fetch it (see
// Rules). The errors wrap ErrUnsupported.
func Parse(raw string) (*URL, error) {
	s := strings.TrimSpace(raw)
	switch {
	case s == "":
		return nil, unsupported("the repository URL is empty")
	case len(s) > MaxLen:
		return nil, unsupported("the repository URL is longer than %d characters", MaxLen)
	case s[0] == '-':
		return nil, unsupported("a repository URL cannot start with '-'")
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] == 0x7f {
			return nil, unsupported("the repository URL holds a control character")
		}
	}
	if i := strings.Index(s, "://"); i > 0 && validScheme(s[:i]) {
		return parseScheme(s)
	}
	if i := strings.Index(s, "::"); i > 0 && validScheme(s[:i]) {
		return nil, unsupported("git transport %q is not allowed", s[:i])
	}
	colon := strings.IndexByte(s, ':')
	slash := strings.IndexByte(s, '/')
	if colon > 0 && (slash < 0 || colon < slash) && !isDOSDrive(s) {
		return parseSCP(s)
	}
	// A local path; Rules refuse it unless local repositories are
	// enabled, and relative ones always.
	return &URL{Scheme: File, Path: s, raw: s}, nil
}

func parseScheme(s string) (*URL, error) {
	u, err := url.Parse(s)
	if err != nil {
		return nil, unsupported("%q is not a valid URL", Redact(s))
	}
	r := &URL{raw: s, u: u, Path: u.Path}
	if u.User != nil {
		r.User = u.User.Username()
		r.Password, _ = u.User.Password()
	}
	switch scheme := strings.ToLower(u.Scheme); scheme {
	case "https", "http", "ssh", "git", "file":
		r.Scheme = scheme
	case "git+ssh", "ssh+git":
		r.Scheme = SSH
	default:
		return nil, unsupported("scheme %q is not allowed (use https, ssh or git@host:path)", u.Scheme)
	}
	u.Scheme = r.Scheme
	if r.Scheme == File {
		if h := u.Hostname(); h != "" && h != "localhost" {
			return nil, unsupported("a file URL cannot name a host (%q)", h)
		}
		if !strings.HasPrefix(u.Path, "/") {
			return nil, unsupported("%q is not an absolute file URL", Redact(s))
		}
		u.User = nil
		r.User, r.Password = "", ""
		return r, nil
	}
	host := u.Hostname()
	if host == "" || host[0] == '-' || strings.ContainsAny(host, " \\") {
		return nil, unsupported("%q has no valid host", Redact(s))
	}
	r.Host = strings.ToLower(host)
	r.Port = defaultPorts[r.Scheme]
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return nil, unsupported("%q has an invalid port", Redact(s))
		}
		r.Port = n
	}
	return r, nil
}

var defaultPorts = map[string]int{HTTPS: 443, HTTP: 80, SSH: 22, Git: 9418}

// parseSCP reads "[user@]host:path" (host may be "[v6]"). Without a user
// the host must be dotted or bracketed, so "javascript:x" or "C:x" are not
// taken for a server.
func parseSCP(s string) (*URL, error) {
	rest := s
	user := ""
	if at := strings.LastIndexByte(s[:scpColon(s)], '@'); at >= 0 {
		user, rest = s[:at], s[at+1:]
	}
	c := scpColon(rest)
	host, p := rest[:c], rest[c+1:]
	bracketed := strings.HasPrefix(host, "[") && strings.HasSuffix(host, "]")
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	switch {
	case host == "" || host[0] == '-' || (!bracketed && !hostName(host)):
		return nil, unsupported("%q has no valid host", Redact(s))
	case user == "" && !bracketed && !strings.Contains(host, "."):
		return nil, unsupported("%q is not a git URL (write user@host:path or ssh://host/path)", Redact(s))
	case strings.Trim(p, "/") == "":
		return nil, unsupported("%q names no repository path", Redact(s))
	}
	return &URL{Scheme: SSH, SCP: true, User: user, Host: strings.ToLower(host), Port: 22, Path: p, raw: s}, nil
}

// scpColon is the index of the ':' that ends the host part: the first one,
// or the one after a "[...]" bracket.
func scpColon(s string) int {
	if i := strings.Index(s, "]:"); i >= 0 && strings.HasPrefix(s[strings.LastIndexByte(s[:i+1], '@')+1:], "[") {
		return i + 1
	}
	return strings.IndexByte(s, ':')
}

func validScheme(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
		case i > 0 && (c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.'):
		default:
			return false
		}
	}
	return s != ""
}

func isDOSDrive(s string) bool {
	return len(s) >= 2 && s[1] == ':' && (s[0]|0x20 >= 'a' && s[0]|0x20 <= 'z') &&
		(len(s) == 2 || s[2] == '/' || s[2] == '\\')
}

// hostName accepts the characters of DNS names (and "_", which ssh aliases
// may use).
func hostName(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_') {
			return false
		}
	}
	return s != ""
}

// userinfoRE finds "scheme://user:password@" in text.
var userinfoRE = regexp.MustCompile(`([A-Za-z][A-Za-z0-9+.\-]*://[^/@\s:'"]*):[^@/\s'"]*@`)

// Redact hides the password of anything in s that looks like a URL with
// userinfo.
func Redact(s string) string { return userinfoRE.ReplaceAllString(s, "${1}:***@") }

func unsupported(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrUnsupported, fmt.Sprintf(format, args...))
}

// Rules are what this server may fetch. The zero value allows https, ssh
// and scp-like URLs to any host.
type Rules struct {
	// AllowLocal permits local paths and file:// URLs
	// (ALLOW_LOCAL_REPOSITORIES).
	AllowLocal bool
	// AllowInsecureHTTP permits plain http:// (ALLOW_INSECURE_GIT_HTTP).
	AllowInsecureHTTP bool
	// Network is the host allow-list (ALLOWED_GIT_HOSTS); nil allows any.
	// Addresses are checked later, when git connects.
	Network *netpolicy.Policy
}

// Parse parses raw and checks it against the rules.
func (r Rules) Parse(raw string) (*URL, error) {
	u, err := Parse(raw)
	if err != nil {
		return nil, err
	}
	return u, r.Check(u)
}

// Check tells whether the server may fetch u. Errors wrap ErrLocal,
// ErrUnsupported or ErrHostNotAllowed.
func (r Rules) Check(u *URL) error {
	switch u.Scheme {
	case File:
		if !r.AllowLocal {
			return fmt.Errorf("%w on this server (the operator can enable them with ALLOW_LOCAL_REPOSITORIES)", ErrLocal)
		}
		if u.u == nil && !filepath.IsAbs(u.Path) {
			return unsupported("%q is not a git URL (use https://, ssh://, git@host:path or an absolute local path)", Redact(u.raw))
		}
		return nil
	case Git:
		return unsupported("git:// is neither authenticated nor encrypted, use https or ssh")
	case HTTP:
		if !r.AllowInsecureHTTP {
			return unsupported("plain http is not allowed, use https (the operator can allow plain http for git servers in a private network with ALLOW_INSECURE_GIT_HTTP)")
		}
	}
	if err := r.Network.CheckHost(u.Host); err != nil {
		return fmt.Errorf("host %s: %w", u.Host, err)
	}
	return nil
}
