package vcs

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// FuzzNormalizeURL: NormalizeURL never panics, and for remote URLs its
// result is a fixed point of every spelling of the same repository.
func FuzzNormalizeURL(f *testing.F) {
	for _, s := range []string{
		"https://github.com/Acme/Lib.git", "git@github.com:acme/lib.git", "ssh://git@github.com/acme/lib",
		"http://github.com/acme/lib/", "https://u:p@h:8443/a/b.git", "git@[::1]:x.git", "/srv/x", "file:///x",
		"ext::sh", "host:", ":x", "[", "https://%zz", "ssh://[::1", "a@b@c:d",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		got := NormalizeURL(raw)
		if got == "" || strings.HasPrefix(got, "file:") {
			return
		}
		if got != strings.ToLower(got) && utf8.ValidString(got) {
			// Only the host:port/path form is lower-cased; weird input
			// that fails to parse is returned trimmed and lower-cased too.
			t.Fatalf("NormalizeURL(%q) = %q is not lower-case", raw, got)
		}
		if strings.HasSuffix(got, "/") || strings.Contains(got, "/") && strings.HasSuffix(got, ".git") {
			t.Fatalf("NormalizeURL(%q) = %q keeps a suffix", raw, got)
		}
		// Clean remote results re-normalise to themselves in every form.
		if !cleanNormalized(got) {
			return
		}
		host, path, _ := strings.Cut(got, "/")
		forms := []string{"https://" + got, "ssh://git@" + got + "/"}
		if path != "" {
			forms = append(forms, "https://"+got+".git/")
			if !strings.Contains(host, ":") {
				forms = append(forms, "git@"+host+":"+path+".git")
			}
		}
		for _, form := range forms {
			if again := NormalizeURL(form); again != got {
				t.Fatalf("NormalizeURL(%q) = %q, but NormalizeURL(%q) = %q", raw, got, form, again)
			}
		}
	})
}

// cleanNormalized: a host[:port] and path made of characters that mean the
// same in every URL form.
func cleanNormalized(s string) bool {
	host, _, _ := strings.Cut(s, "/")
	if host == "" || strings.HasPrefix(host, "[") || strings.HasPrefix(host, "-") || strings.HasPrefix(host, ".") {
		return false
	}
	if h, port, ok := strings.Cut(host, ":"); ok {
		if h == "" || port == "" || defaultPort(port) || strings.TrimLeft(port, "0123456789") != "" || port[0] == '0' {
			return false
		}
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || strings.ContainsRune("-._~/:", c)) {
			return false
		}
	}
	return !strings.Contains(s, "//") && !strings.Contains(s, "/./") && !strings.Contains(s, "/../") &&
		!strings.HasSuffix(s, "/.") && !strings.HasSuffix(s, "/..") && strings.Count(host, ":") <= 1 &&
		!strings.Contains(s[len(host):], ":")
}

// FuzzExcluder: any rules and paths are decided quickly without panicking,
// a lone negated rule never excludes, and a rule followed by its own
// negation excludes nothing.
func FuzzExcluder(f *testing.F) {
	for _, s := range [][2]string{
		{"/tests", "tests/a.php"}, {"*.md", "docs/README.md"}, {"!/keep", "keep"}, {"a/**/b", "a/x/y/b"},
		{"{a,b}[c-d]?\\*", "ac1*"}, {"[[:alpha:]]", "x"}, {"{{{{", "a"}, {"build/", "build/x"}, {"**", ".x/y"},
	} {
		f.Add(s[0], s[1], false)
	}
	f.Fuzz(func(t *testing.T, rule, path string, isDir bool) {
		if len(rule) > 512 || len(path) > 4096 {
			return
		}
		path = strings.TrimPrefix(path, "/")
		if strings.HasPrefix(path, "/") {
			return
		}
		start := time.Now()
		e := NewExcluder([]string{rule})
		got := e.Excluded(path, isDir)
		if d := time.Since(start); d > time.Second {
			t.Fatalf("rule %q path %q took %v", rule, path, d)
		}
		if strings.HasPrefix(rule, "!") && got {
			t.Fatalf("negated rule %q excludes %q", rule, path)
		}
		neg := "!" + strings.TrimLeft(rule, "!")
		if NewExcluder([]string{rule, neg}).Excluded(path, isDir) {
			t.Fatalf("rules %q then %q exclude %q", rule, neg, path)
		}
		// A rule and its negation match the same paths.
		if got && NewExcluder([]string{"/*", "**", neg}).Excluded(path, isDir) {
			t.Fatalf("negation of %q does not re-include %q", rule, path)
		}
		// Literal rules: an anchored literal path excludes itself and what
		// is below it.
		if path != "" && !strings.ContainsAny(path, "*?[]{}\\!\n") && !strings.Contains(path, "//") {
			lit := NewExcluder([]string{"/" + strings.TrimSuffix(path, "/")})
			if !lit.Excluded(strings.TrimSuffix(path, "/"), false) || !lit.Excluded(strings.TrimSuffix(path, "/")+"/x", false) {
				t.Fatalf("anchored literal %q does not exclude itself", path)
			}
		}
	})
}
