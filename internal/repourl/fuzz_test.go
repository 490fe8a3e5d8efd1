package repourl

import (
	"strings"
	"testing"
)

// FuzzParse feeds Parse what users type as repository_url and providers
// send in webhooks: it must never panic, what it accepts must parse again
// from its String form to the same repository (git is given String), and
// String must never carry the password.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"https://github.com/acme/lib.git",
		"https://user:secret@gitlab.example.com:8443/group/sub/lib",
		"git@github.com:acme/lib.git",
		"ssh://git@[::1]:2222/acme/lib.git",
		"git+ssh://git@host/acme/lib",
		"git://example.com/lib.git",
		"file:///srv/git/lib.git",
		"/srv/git/lib.git",
		"ext::sh -c touch% /tmp/pwned",
		"C:\\repos\\lib",
		"http://[fe80::1%25eth0]/x",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		u, err := Parse(raw)
		if err != nil {
			return
		}
		if u.Password != "" && len(u.Password) >= 4 && strings.Contains(u.String(), ":"+u.Password+"@") {
			t.Fatalf("String %q of %q carries the password", u.String(), raw)
		}
		if u.SCP || u.Password != "" {
			return // String redacts: not a URL git could take back as is
		}
		again, err := Parse(u.String())
		if err != nil {
			t.Fatalf("String %q of %q does not parse: %v", u.String(), raw, err)
		}
		if again.Scheme != u.Scheme || again.Host != u.Host || again.Canonical() != u.Canonical() {
			t.Fatalf("%q parses as %+v, its String %q as %+v", raw, u, u.String(), again)
		}
	})
}
