package vcs

import (
	"errors"
	"net"
	"strconv"
	"strings"

	"github.com/cargoman/cargoman/internal/repourl"
)

// remote is a validated repository location ready for git.
type remote struct {
	gitURL  string // what git is given: no password in it
	display string // safe for error messages
	local   bool
	scheme  string // "https", "http", "ssh", "file"
	// origin is "http[s]://host[:port]/", the scope of the auth header.
	origin string
	// user/pass come from URL userinfo of an http(s) URL; they are moved
	// out of the URL into the auth header.
	user, pass string
	// host and port are where a network remote lives ("" for local ones).
	host string
	port int
}

// parseRemote validates a repository URL for Sync by the rules package
// creation applies too (repourl).
func parseRemote(raw string, rules repourl.Rules) (*remote, error) {
	u, err := rules.Parse(raw)
	if errors.Is(err, repourl.ErrHostNotAllowed) {
		return nil, &Error{Op: "fetch", Target: u.String(), Kind: ErrHostNotAllowed, Err: err}
	}
	if err != nil {
		return nil, err
	}
	r := &remote{scheme: u.Scheme, host: u.Host, port: u.Port, local: u.Local(), gitURL: u.String()}
	if u.Scheme == repourl.HTTPS || u.Scheme == repourl.HTTP {
		// Credentials in the URL move into the authorization header.
		r.user, r.pass = u.User, u.Password
		r.gitURL = u.WithoutUser()
		r.origin = u.Origin()
	}
	r.display = r.gitURL
	return r, nil
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
	u, err := repourl.Parse(repoURL)
	if err != nil || u.Scheme != repourl.SSH {
		return "", false
	}
	return HostKeyName(u.Host, u.Port), true
}
