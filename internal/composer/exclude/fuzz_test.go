package exclude

import (
	"strings"
	"testing"
	"time"
)

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
		e := New([]string{rule})
		got := e.Excluded(path, isDir)
		if d := time.Since(start); d > time.Second {
			t.Fatalf("rule %q path %q took %v", rule, path, d)
		}
		if strings.HasPrefix(rule, "!") && got {
			t.Fatalf("negated rule %q excludes %q", rule, path)
		}
		neg := "!" + strings.TrimLeft(rule, "!")
		if New([]string{rule, neg}).Excluded(path, isDir) {
			t.Fatalf("rules %q then %q exclude %q", rule, neg, path)
		}
		// A rule and its negation match the same paths.
		if got && New([]string{"/*", "**", neg}).Excluded(path, isDir) {
			t.Fatalf("negation of %q does not re-include %q", rule, path)
		}
		// Literal rules: an anchored literal path excludes itself and what
		// is below it.
		if path != "" && !strings.ContainsAny(path, "*?[]{}\\!\n") && !strings.Contains(path, "//") {
			lit := New([]string{"/" + strings.TrimSuffix(path, "/")})
			if !lit.Excluded(strings.TrimSuffix(path, "/"), false) || !lit.Excluded(strings.TrimSuffix(path, "/")+"/x", false) {
				t.Fatalf("anchored literal %q does not exclude itself", path)
			}
		}
	})
}
