package vcs

import (
	"errors"
	"strings"
	"testing"

	"github.com/cargoman/cargoman/internal/repourl"
)

func TestParseRemote(t *testing.T) {
	tests := []struct {
		in                      string
		allowLocal, insecure    bool
		gitURL, display, origin string
		user, pass              string
		err                     error
	}{
		{in: "https://github.com/acme/lib.git", gitURL: "https://github.com/acme/lib.git", origin: "https://github.com/"},
		{in: "https://bot:s3cret@git.example.com:8443/acme/lib.git", gitURL: "https://git.example.com:8443/acme/lib.git",
			origin: "https://git.example.com:8443/", user: "bot", pass: "s3cret"},
		{in: "ssh://git:pw@github.com/acme/lib.git", gitURL: "ssh://git@github.com/acme/lib.git"},
		{in: "git@github.com:acme/lib.git", gitURL: "git@github.com:acme/lib.git"},
		{in: "git://github.com/acme/lib.git", err: ErrUnsupportedURL},
		{in: "/srv/git/lib", allowLocal: true, gitURL: "/srv/git/lib"},
		{in: "file:///srv/git/lib", allowLocal: true, gitURL: "file:///srv/git/lib"},
		{in: "file://otherhost/srv/git/lib", allowLocal: true, err: ErrUnsupportedURL},
		{in: "/srv/git/lib", err: ErrLocalNotAllowed},
		{in: "http://github.com/acme/lib", err: ErrUnsupportedURL},
		{in: "http://bot:s3cret@git.internal:8080/acme/lib", insecure: true, gitURL: "http://git.internal:8080/acme/lib",
			origin: "http://git.internal:8080/", user: "bot", pass: "s3cret"},
		{in: "srv/git/lib", allowLocal: true, err: ErrUnsupportedURL},
		{in: "https://github.com:99999/acme/lib", err: ErrUnsupportedURL},
		{in: "https:///acme/lib", err: ErrUnsupportedURL},
		{in: "ext::sh -c x", err: ErrUnsupportedURL},
		{in: "https://git hub.com/x", err: ErrUnsupportedURL},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			r, err := parseRemote(tc.in, repourl.Rules{AllowLocal: tc.allowLocal, AllowInsecureHTTP: tc.insecure})
			if tc.err != nil {
				if !errors.Is(err, tc.err) {
					t.Fatalf("err = %v, want %v", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if r.gitURL != tc.gitURL || r.origin != tc.origin || r.user != tc.user || r.pass != tc.pass {
				t.Errorf("got %+v", *r)
			}
			if strings.Contains(r.display, "s3cret") || strings.Contains(r.display, ":pw@") {
				t.Errorf("display %q keeps a password", r.display)
			}
		})
	}
}
