package vcs

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestNormalizeURL(t *testing.T) {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ in, want string }{
		{"https://github.com/Acme/Lib.git", "github.com/acme/lib"},
		{"git@github.com:acme/lib.git", "github.com/acme/lib"},
		{"ssh://git@github.com/acme/lib", "github.com/acme/lib"},
		{"http://github.com/acme/lib/", "github.com/acme/lib"},
		{"https://token:x-oauth@GitHub.com:443/acme/lib.git/", "github.com/acme/lib"},
		{"ssh://git@github.com:22/acme/lib.git", "github.com/acme/lib"},
		{"git://github.com/acme/lib.git", "github.com/acme/lib"},
		{"git+ssh://git@github.com/acme/lib.git", "github.com/acme/lib"},
		{"  https://github.com/acme/lib?tab=readme#top  ", "github.com/acme/lib"},
		{"https://gitlab.example.com:8443/group/sub/lib.git", "gitlab.example.com:8443/group/sub/lib"},
		{"ssh://git@gitlab.example.com:2222/group/lib.git", "gitlab.example.com:2222/group/lib"},
		{"git@gitlab.example.com:group/sub/lib", "gitlab.example.com/group/sub/lib"},
		{"github.com:acme/lib.git", "github.com/acme/lib"},
		{"https://github.com//acme//lib.git", "github.com/acme/lib"},
		{"https://[2001:DB8::1]/acme/lib.git", "[2001:db8::1]/acme/lib"},
		{"git@[2001:db8::1]:acme/lib.git", "[2001:db8::1]/acme/lib"},
		{"https://github.com/acme/lib.git.git", "github.com/acme/lib"},
		{"https://github.com", "github.com"},
		{"/srv/git/Lib.git/", "file:/srv/git/Lib.git"},
		{"file:///srv/git/Lib.git", "file:/srv/git/Lib.git"},
		{"file:///srv/git/../git/Lib", "file:/srv/git/Lib"},
		{"./repos/x", "file:" + filepath.ToSlash(filepath.Join(wd, "repos/x"))},
		{"", ""},
	}
	for _, tc := range tests {
		if got := NormalizeURL(tc.in); got != tc.want {
			t.Errorf("NormalizeURL(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestParseRemote(t *testing.T) {
	tests := []struct {
		in                      string
		allowLocal              bool
		gitURL, display, origin string
		user, pass              string
		err                     error
	}{
		{in: "https://github.com/acme/lib.git", gitURL: "https://github.com/acme/lib.git", origin: "https://github.com/"},
		{in: "https://bot:s3cret@git.example.com:8443/acme/lib.git", gitURL: "https://git.example.com:8443/acme/lib.git",
			origin: "https://git.example.com:8443/", user: "bot", pass: "s3cret"},
		{in: "ssh://git:pw@github.com/acme/lib.git", gitURL: "ssh://git@github.com/acme/lib.git"},
		{in: "git@github.com:acme/lib.git", gitURL: "git@github.com:acme/lib.git"},
		{in: "git://github.com/acme/lib.git", gitURL: "git://github.com/acme/lib.git"},
		{in: "/srv/git/lib", allowLocal: true, gitURL: "/srv/git/lib"},
		{in: "file:///srv/git/lib", allowLocal: true, gitURL: "file:///srv/git/lib"},
		{in: "file://otherhost/srv/git/lib", allowLocal: true, err: ErrUnsupportedURL},
		{in: "/srv/git/lib", err: ErrLocalNotAllowed},
		{in: "http://github.com/acme/lib", err: ErrUnsupportedURL},
		{in: "https://github.com:99999/acme/lib", err: ErrUnsupportedURL},
		{in: "https:///acme/lib", err: ErrUnsupportedURL},
		{in: "ext::sh -c x", err: ErrUnsupportedURL},
		{in: "https://git hub.com/x", err: ErrUnsupportedURL},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			r, err := parseRemote(tc.in, tc.allowLocal)
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
