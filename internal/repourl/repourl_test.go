package repourl

import (
	"errors"
	"strings"
	"testing"

	"github.com/cargoman/cargoman/internal/netpolicy"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in          string
		scheme      string
		scp         bool
		host        string
		port        int
		user        string
		str, origin string
		err         error
	}{
		{in: "https://github.com/acme/lib.git", scheme: HTTPS, host: "github.com", port: 443, str: "https://github.com/acme/lib.git", origin: "https://github.com/"},
		{in: "  https://bot:s3cret@Git.Example.com:8443/acme/lib.git ", scheme: HTTPS, host: "git.example.com", port: 8443, user: "bot",
			str: "https://bot@Git.Example.com:8443/acme/lib.git", origin: "https://Git.Example.com:8443/"},
		{in: "http://git.internal/acme/lib.git", scheme: HTTP, host: "git.internal", port: 80, str: "http://git.internal/acme/lib.git", origin: "http://git.internal/"},
		{in: "ssh://git:pw@github.com/acme/lib.git", scheme: SSH, host: "github.com", port: 22, user: "git", str: "ssh://git@github.com/acme/lib.git"},
		{in: "git+ssh://git@github.com:2222/acme/lib", scheme: SSH, host: "github.com", port: 2222, user: "git", str: "ssh://git@github.com:2222/acme/lib"},
		{in: "git@github.com:acme/lib.git", scheme: SSH, scp: true, host: "github.com", port: 22, user: "git", str: "git@github.com:acme/lib.git"},
		{in: "github.com:acme/lib.git", scheme: SSH, scp: true, host: "github.com", port: 22, str: "github.com:acme/lib.git"},
		{in: "git@[::1]:acme/lib.git", scheme: SSH, scp: true, host: "::1", port: 22, user: "git", str: "git@[::1]:acme/lib.git"},
		{in: "git://github.com/acme/lib.git", scheme: Git, host: "github.com", port: 9418, str: "git://github.com/acme/lib.git"},
		{in: "/srv/git/lib", scheme: File, str: "/srv/git/lib"},
		{in: "file:///srv/git/lib", scheme: File, str: "file:///srv/git/lib"},
		{in: "file://localhost/srv/git/lib", scheme: File, str: "file://localhost/srv/git/lib"},
		{in: "", err: ErrUnsupported},
		{in: "-oProxyCommand=x", err: ErrUnsupported},
		{in: "https://github.com/a\nb", err: ErrUnsupported},
		{in: "https://x.com/" + strings.Repeat("a", MaxLen), err: ErrUnsupported},
		{in: "file://otherhost/srv/git/lib", err: ErrUnsupported},
		{in: "https://github.com:99999/acme/lib", err: ErrUnsupported},
		{in: "https:///acme/lib", err: ErrUnsupported},
		{in: "https://git hub.com/x", err: ErrUnsupported},
		{in: "ftp://github.com/acme/lib", err: ErrUnsupported},
		{in: "ext::sh -c x", err: ErrUnsupported},
		{in: "javascript:alert(1)", err: ErrUnsupported},
		{in: "C:\\repos\\lib", scheme: File, str: "C:\\repos\\lib"},
		{in: "relative/dir", scheme: File, str: "relative/dir"},
		{in: "git@github.com:", err: ErrUnsupported},
		{in: "git@-oProxy:x", err: ErrUnsupported},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			u, err := Parse(tc.in)
			if tc.err != nil {
				if !errors.Is(err, tc.err) {
					t.Fatalf("err = %v, want %v", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if u.Scheme != tc.scheme || u.SCP != tc.scp || u.Host != tc.host || u.Port != tc.port || u.User != tc.user ||
				u.String() != tc.str || u.Origin() != tc.origin {
				t.Errorf("got scheme=%s scp=%v host=%s port=%d user=%s str=%s origin=%s", u.Scheme, u.SCP, u.Host, u.Port, u.User, u.String(), u.Origin())
			}
			if strings.Contains(u.String(), "s3cret") || strings.Contains(u.String(), ":pw@") {
				t.Errorf("String %q keeps a password", u.String())
			}
		})
	}
}

func TestRulesCheck(t *testing.T) {
	github, err := netpolicy.New([]string{"github.com", "*.example.com"}, false)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		in    string
		rules Rules
		err   error
	}{
		{"https", "https://github.com/a/b", Rules{}, nil},
		{"scp", "git@github.com:a/b", Rules{}, nil},
		{"http refused", "http://git.internal/a/b", Rules{}, ErrUnsupported},
		{"http allowed", "http://git.internal/a/b", Rules{AllowInsecureHTTP: true}, nil},
		{"git protocol always refused", "git://github.com/a/b", Rules{AllowInsecureHTTP: true, AllowLocal: true}, ErrUnsupported},
		{"local refused", "/srv/git/a", Rules{}, ErrLocal},
		{"file refused", "file:///srv/git/a", Rules{}, ErrLocal},
		{"local allowed", "/srv/git/a", Rules{AllowLocal: true}, nil},
		{"relative path refused", "srv/git/a", Rules{AllowLocal: true}, ErrUnsupported},
		{"relative path without local", "srv/git/a", Rules{}, ErrLocal},
		{"host allowed", "https://git.example.com/a/b", Rules{Network: github}, nil},
		{"host refused", "https://gitlab.com/a/b", Rules{Network: github}, ErrHostNotAllowed},
		{"scp host refused", "git@gitlab.com:a/b", Rules{Network: github}, ErrHostNotAllowed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.rules.Parse(tc.in)
			if tc.err == nil && err != nil || tc.err != nil && !errors.Is(err, tc.err) {
				t.Fatalf("err = %v, want %v", err, tc.err)
			}
		})
	}
}

func TestCanonical(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://github.com/acme/widget", "github.com/acme/widget"},
		{"https://github.com/Acme/Widget.git", "github.com/acme/widget"},
		{"https://github.com/acme/widget/", "github.com/acme/widget"},
		{"https://user:pw@www.github.com/acme/widget.git", "github.com/acme/widget"},
		{"http://github.com:443/acme/widget", "github.com/acme/widget"},
		{"git@github.com:acme/widget.git", "github.com/acme/widget"},
		{"github.com:acme/widget", "github.com/acme/widget"},
		{"ssh://git@github.com:22/acme/widget.git", "github.com/acme/widget"},
		{"git+ssh://git@github.com/acme/widget", "github.com/acme/widget"},
		{"git://github.com/acme/widget.git", "github.com/acme/widget"},
		{"  https://gitlab.example.com/a/b/c.git  ", "gitlab.example.com/a/b/c"},
		{"https://[::1]:8080/a/b", "::1/a/b"},
		{"", ""},
		{"widget", ""},
		{"/srv/git/widget.git", ""},
		{"file:///srv/git/widget.git", ""},
		{"javascript:alert(1)", ""},
		{"C:\\repos\\widget", ""},
		{"https://github.com", ""},
		{"https://github.com/", ""},
		{"https:///acme/widget", ""},
		{"https://exa mple.com/a", ""},
		{"./a:b", ""},
		{"git@github.com:", ""},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			if got := Canonical(tc.in); got != tc.want {
				t.Errorf("Canonical(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}
