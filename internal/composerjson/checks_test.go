package composerjson

import (
	"strings"
	"testing"
)

func TestValidEmail(t *testing.T) {
	for e, want := range map[string]bool{
		"a@b.co":                                 true,
		"first.last@sub.example.com":             true,
		"a+tag@x.io":                             true,
		"!#$%&'*+-/=?^_`{|}~@x.org":              true,
		`"quoted.name"@x.com`:                    true,
		`"quoted name"@x.com`:                    false,
		`"a\"b"@x.com`:                           true,
		`"a@b"@x.com`:                            true,
		"a.\"b\".c@x.com":                        true,
		"a@[127.0.0.1]":                          true,
		"a@[IPv6:2001:db8::1]":                   true,
		"a@[ipv6:::1]":                           true,
		"x@xn--bcher-kva.ch":                     true,
		"user@123.com":                           true,
		"a@a--b.c":                               true,
		"A@B.COM":                                true,
		strings.Repeat("a", 64) + "@x.y":         true,
		"a@" + strings.Repeat("b", 63) + ".com":  true,
		"":                                       false,
		"a":                                      false,
		"a@localhost":                            false,
		"@x.com":                                 false,
		"a@":                                     false,
		"a..b@x.com":                             false,
		".a@x.com":                               false,
		"a.@x.com":                               false,
		"a@-x.com":                               false,
		"a@x-.com":                               false,
		"a@x.123":                                false,
		"a@x.1com":                               false,
		"a@x..com":                               false,
		"a@.x.com":                               false,
		"a@x.com.":                               false,
		"a b@x.com":                              false,
		"a@x.com ":                               false,
		"a@b@x.com":                              false,
		`"unterminated@x.com`:                    false,
		"a@[300.0.0.1]":                          false,
		"a@[01.2.3.4]":                           false,
		"a@[IPv6:zz]":                            false,
		"a@[IPv6:127.0.0.1]":                     false,
		"a@[::1]":                                false,
		"é@x.com":                                false,
		"a@bü.com":                               false,
		"a@x_y.com":                              false,
		strings.Repeat("a", 65) + "@x.y":         false,
		"a@" + strings.Repeat("b", 64) + ".com":  false,
		"a@" + strings.Repeat("b.", 130) + "com": false,
	} {
		if got := validEmail(e); got != want {
			t.Errorf("validEmail(%q) = %v, want %v", e, got, want)
		}
	}
}

func TestValidURL(t *testing.T) {
	for _, c := range []struct {
		url  string
		irc  bool
		want bool
	}{
		{"", false, true},
		{"https://acme.test", false, true},
		{"http://acme.test:8080/a?b#c", false, true},
		{"https://user:pw@acme.test/", false, true},
		{"https://[::1]/", false, true},
		{"HTTPS://acme.test", false, false},
		{"ftp://acme.test", false, false},
		{"acme.test", false, false},
		{"https:acme.test", false, false},
		{"https://", false, false},
		{"https:///x", false, false},
		{"mailto:a@b.c", false, false},
		{"https://acme test/", false, false},
		{"irc://irc.libera.chat/composer", true, true},
		{"ircs://irc.libera.chat/composer", true, true},
		{"https://irc.libera.chat", true, false},
	} {
		schemes := []string{"http", "https"}
		if c.irc {
			schemes = []string{"irc", "ircs"}
		}
		if got := validURL(c.url, schemes...); got != c.want {
			t.Errorf("validURL(%q, %v) = %v, want %v", c.url, schemes, got, c.want)
		}
	}
}

func TestPackagePath(t *testing.T) {
	for _, c := range []struct {
		in, want string
		ok       bool
	}{
		{"src", "src", true},
		{"src/", "src", true},
		{"./src/", "src", true},
		{"src//Foo/../Bar", "src/Bar", true},
		{"", "", true},
		{".", "", true},
		{"./", "", true},
		{"a/../..", "", false},
		{"../x", "", false},
		{"..", "", false},
		{"/etc", "", false},
		{`\x`, "", false},
		{`C:\x`, "", false},
		{"c:/x", "", false},
		{"..foo", "..foo", true},
	} {
		got, ok := packagePath(c.in)
		if got != c.want || ok != c.ok {
			t.Errorf("packagePath(%q) = %q, %v; want %q, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}

func TestHasDotDotSegment(t *testing.T) {
	for p, want := range map[string]bool{
		"..": true, "../x": true, "a/..": true, `a\..\b`: true, "a/../b": true,
		"a/..b": false, "..a": false, "a...": false, "bin/x": false, "": false,
	} {
		if got := hasDotDotSegment(p); got != want {
			t.Errorf("hasDotDotSegment(%q) = %v", p, got)
		}
	}
}

func TestPosition(t *testing.T) {
	data := []byte("ab\ncé\nx")
	for _, c := range []struct{ off, line, col int }{
		{0, 1, 1}, {2, 1, 3}, {3, 2, 1}, {4, 2, 2}, {6, 2, 3}, {7, 3, 1}, {100, 3, 2}, {-1, 1, 1},
	} {
		if l, col := position(data, c.off); l != c.line || col != c.col {
			t.Errorf("position(%d) = %d:%d, want %d:%d", c.off, l, col, c.line, c.col)
		}
	}
}
