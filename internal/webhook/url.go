package webhook

import (
	"net/url"
	"strings"
)

// CanonicalRepoURL reduces a repository URL to "host/path" so the forms a
// provider and a user write for the same repository compare equal:
//
//	https://github.com/Acme/Widget.git  -> github.com/acme/widget
//	git@github.com:acme/widget.git      -> github.com/acme/widget
//	ssh://git@github.com:22/acme/widget -> github.com/acme/widget
//	https://user:pw@www.github.com/acme/widget/ -> github.com/acme/widget
//
// Scheme, credentials, port, "www.", a trailing ".git" or "/" and letter case
// are ignored (the big providers treat repository paths case-insensitively).
// It returns "" for anything that is not an http(s), ssh, git or scp-like
// URL with a host and a path.
func CanonicalRepoURL(raw string) string {
	s := strings.TrimSpace(raw)
	if s == "" || len(s) > 2048 || strings.ContainsAny(s, " \t\r\n\x00") {
		return ""
	}
	var host, path string
	if scheme, rest, ok := strings.Cut(s, "://"); ok {
		switch strings.ToLower(scheme) {
		case "http", "https", "ssh", "git", "git+ssh", "ssh+git":
		default:
			return ""
		}
		u, err := url.Parse(strings.ToLower(scheme) + "://" + rest)
		if err != nil {
			return ""
		}
		host, path = u.Hostname(), u.Path
	} else {
		// scp-like syntax: [user@]host:path, as git understands it (a colon
		// before any slash).
		colon := strings.IndexByte(s, ':')
		slash := strings.IndexByte(s, '/')
		if colon <= 0 || (slash >= 0 && slash < colon) {
			return ""
		}
		host, path = s[:colon], s[colon+1:]
		at := strings.LastIndexByte(host, '@')
		if at >= 0 {
			host = host[at+1:]
		}
		// Without a user, demand a dotted host name, so "javascript:x"
		// or "C:x" are not taken for "host:path".
		if !hostName(host) || (at < 0 && !strings.Contains(host, ".")) {
			return ""
		}
	}
	host = strings.TrimPrefix(strings.ToLower(host), "www.")
	path = strings.ToLower(strings.Trim(path, "/"))
	path = strings.TrimSuffix(path, ".git")
	path = strings.Trim(path, "/")
	// A one-letter "host" is a Windows drive (C:\repo), not a server.
	if len(host) < 2 || path == "" || strings.ContainsAny(host, "/@\\") {
		return ""
	}
	return host + "/" + path
}

// hostName accepts the characters of DNS names (and "_", which ssh aliases
// may use).
func hostName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}
