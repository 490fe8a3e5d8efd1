package vcs

import (
	"fmt"
	"net"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
)

type urlKind int

const (
	urlInvalid   urlKind = iota
	urlLocal             // a path on this machine
	urlFile              // file://
	urlSCP               // [user@]host:path
	urlScheme            // scheme://...
	urlTransport         // transport::address (ext::, fd::): never allowed
)

// classifyURL mirrors how git itself reads a repository argument: a
// "scheme://" URL, else "<transport>::<address>", else scp-like when a ':'
// comes before the first '/', else a local path.
func classifyURL(s string) (urlKind, *url.URL) {
	if i := strings.Index(s, "://"); i > 0 && validScheme(s[:i]) {
		u, err := url.Parse(s)
		if err != nil {
			return urlInvalid, nil
		}
		if strings.EqualFold(u.Scheme, "file") {
			return urlFile, u
		}
		return urlScheme, u
	}
	if i := strings.Index(s, "::"); i > 0 && validScheme(s[:i]) {
		return urlTransport, nil
	}
	colon := strings.IndexByte(s, ':')
	slash := strings.IndexByte(s, '/')
	if colon > 0 && (slash < 0 || colon < slash) && !isDOSDrive(s) {
		return urlSCP, nil
	}
	return urlLocal, nil
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

// splitSCP splits "[user@]host:path" (host may be "[v6]") into host and path.
func splitSCP(s string) (host, p string) {
	if at := strings.LastIndexByte(s[:scpColon(s)], '@'); at >= 0 {
		s = s[at+1:]
	}
	c := scpColon(s)
	host, p = s[:c], s[c+1:]
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	return host, p
}

// scpColon is the index of the ':' that ends the host part: the first one,
// or the one after a "[...]" bracket.
func scpColon(s string) int {
	if i := strings.Index(s, "]:"); i >= 0 && strings.HasPrefix(s[strings.LastIndexByte(s[:i+1], '@')+1:], "[") {
		return i + 1
	}
	return strings.IndexByte(s, ':')
}

// remote is a validated repository location ready for git.
type remote struct {
	gitURL  string // what git is given: no password in it
	display string // safe for error messages
	local   bool
	scheme  string // "https", "ssh", "git", "file"
	// origin is "https://host[:port]/", the scope of the auth header.
	origin string
	// user/pass come from URL userinfo of an https URL; they are moved
	// out of the URL into the auth header.
	user, pass string
	// host and port are where a network remote lives ("" for local ones).
	host string
	port int
}

// parseRemote validates a repository URL for Sync.
func parseRemote(raw string, allowLocal bool) (*remote, error) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return nil, fmt.Errorf("%w: empty", ErrUnsupportedURL)
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] == 0x7f {
			return nil, fmt.Errorf("%w: control character in URL", ErrUnsupportedURL)
		}
	}
	if s[0] == '-' {
		return nil, fmt.Errorf("%w: URL starts with '-'", ErrUnsupportedURL)
	}
	kind, u := classifyURL(s)
	switch kind {
	case urlInvalid:
		return nil, fmt.Errorf("%w: cannot parse %q", ErrUnsupportedURL, redactURL(s))
	case urlTransport:
		return nil, fmt.Errorf("%w: transport %q is not allowed", ErrUnsupportedURL, s[:strings.Index(s, "::")])
	case urlLocal, urlFile:
		if !allowLocal {
			return nil, fmt.Errorf("%w: %s", ErrLocalNotAllowed, redactURL(s))
		}
		if kind == urlFile {
			if h := u.Hostname(); h != "" && h != "localhost" {
				return nil, fmt.Errorf("%w: file URL with host %q", ErrUnsupportedURL, h)
			}
			u.User = nil
			return &remote{gitURL: u.String(), display: u.String(), local: true, scheme: "file"}, nil
		}
		p, err := filepath.Abs(s)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrUnsupportedURL, err)
		}
		return &remote{gitURL: p, display: p, local: true, scheme: "file"}, nil
	case urlSCP:
		host, _ := splitSCP(s)
		if host == "" || host[0] == '-' {
			return nil, fmt.Errorf("%w: bad host in %q", ErrUnsupportedURL, redactURL(s))
		}
		d := redactURL(s)
		return &remote{gitURL: d, display: d, scheme: "ssh", host: strings.ToLower(host), port: 22}, nil
	}

	scheme := strings.ToLower(u.Scheme)
	switch scheme {
	case "https", "ssh":
	case "git+ssh", "ssh+git":
		scheme = "ssh"
	case "http":
		return nil, fmt.Errorf("%w: plain http is not allowed, use https", ErrUnsupportedURL)
	case "git":
		return nil, fmt.Errorf("%w: git:// is neither authenticated nor encrypted, use https or ssh", ErrUnsupportedURL)
	default:
		return nil, fmt.Errorf("%w: scheme %q is not allowed", ErrUnsupportedURL, u.Scheme)
	}
	host := u.Hostname()
	if host == "" || host[0] == '-' || strings.ContainsAny(host, " \\") {
		return nil, fmt.Errorf("%w: bad host in %q", ErrUnsupportedURL, redactURL(s))
	}
	port := 443
	if scheme == "ssh" {
		port = 22
	}
	if u.Port() != "" {
		n, err := strconv.Atoi(u.Port())
		if err != nil || n < 1 || n > 65535 {
			return nil, fmt.Errorf("%w: bad port in %q", ErrUnsupportedURL, redactURL(s))
		}
		port = n
	}
	r := &remote{scheme: scheme, host: strings.ToLower(host), port: port}
	if u.User != nil {
		if scheme == "https" {
			r.user = u.User.Username()
			r.pass, _ = u.User.Password()
			u.User = nil
		} else {
			u.User = url.User(u.User.Username()) // ssh: keep the login, drop any password
		}
	}
	u.Fragment, u.RawFragment = "", ""
	r.gitURL = u.String()
	r.display = r.gitURL
	if scheme == "https" {
		r.origin = "https://" + u.Host + "/"
	}
	return r, nil
}

// redactURL removes a password from anything that looks like a URL with
// userinfo, for messages about URLs that failed validation.
func redactURL(s string) string {
	return userinfoRE.ReplaceAllString(s, "${1}:***@")
}

// target is the remote's "host:port" for dialling.
func (r *remote) target() string { return net.JoinHostPort(r.host, strconv.Itoa(r.port)) }

// HostKeyName is how known_hosts names an ssh server: "host" on port 22,
// "[host]:port" elsewhere.
func HostKeyName(host string, port int) string {
	host = strings.ToLower(host)
	if port == 22 {
		return host
	}
	return "[" + host + "]:" + strconv.Itoa(port)
}

// SSHHostKeyName is the known_hosts name of the ssh server of a repository
// URL; ok is false for URLs that are not ssh.
func SSHHostKeyName(repoURL string) (name string, ok bool) {
	r, err := parseRemote(repoURL, false)
	if err != nil || r.scheme != "ssh" {
		return "", false
	}
	return HostKeyName(r.host, r.port), true
}
