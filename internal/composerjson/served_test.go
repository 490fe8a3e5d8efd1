package composerjson

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"
)

// TestComposerJSONHygiene: what the registry republishes to every consumer
// is refused when it escapes the package, links to a non-web scheme, or
// carries text that is silently changed or displays as something else;
// the error names the JSON path.
func TestComposerJSONHygiene(t *testing.T) {
	for _, tc := range []struct {
		name, extra string
		field       string // "" = accepted
	}{
		{"plain", `"homepage": "https://acme.com", "bin": ["bin/tool"], "autoload": {"psr-4": {"Acme\\": "src/"}, "files": ["src/f.php"], "classmap": ["lib/"]}`, ""},
		{"path inside the package via ..", `"autoload": {"classmap": ["src/../lib"]}`, ""},
		{"rtl description", `"description": "ويدجت"`, ""},
		{"multi-line description", `"description": "a\n\tb"`, ""},
		{"extra may hold an escape", `"extra": {"banner": "\u001b[32mhi"}`, ""},
		{"surrogate pair", `"description": "\ud83d\ude00"`, ""},
		{"support email and irc", `"support": {"email": "dev@acme.com", "irc": "irc://irc.libera.chat/acme", "issues": "https://acme.com/i"}`, ""},

		{"bin climbs out", `"bin": ["../x"]`, "bin.0"},
		{"bin with inner ..", `"bin": "bin/../../x"`, "bin.0"},
		{"bin absolute", `"bin": ["/usr/bin/x"]`, "bin.0"},
		{"autoload files climb out", `"autoload": {"files": ["../x"]}`, "autoload.files.0"},
		{"autoload files backslashes", `"autoload": {"files": ["..\\..\\x.php"]}`, "autoload.files.0"},
		{"psr-4 absolute", `"autoload": {"psr-4": {"Acme\\": "/etc"}}`, `autoload.psr-4.Acme\.0`},
		{"psr-0 drive letter", `"autoload": {"psr-0": {"Acme": ["src", "C:\\x"]}}`, "autoload.psr-0.Acme.1"},
		{"classmap climbs out", `"autoload": {"classmap": ["lib", "src/../../x"]}`, "autoload.classmap.1"},
		{"autoload-dev files", `"autoload-dev": {"files": ["../t.php"]}`, "autoload-dev.files.0"},
		{"exclude-from-classmap is anchored, not absolute", `"autoload": {"exclude-from-classmap": ["/Tests/"]}`, ""},
		{"target-dir climbs out", `"target-dir": "../x"`, "target-dir"},
		{"include-path absolute", `"include-path": ["/usr/share/php"]`, "include-path.0"},

		{"javascript homepage", `"homepage": "javascript:alert(1)"`, "homepage"},
		{"data homepage", `"homepage": "data:text/html,x"`, "homepage"},
		{"author homepage", `"authors": [{"name": "A", "homepage": "javascript:alert(1)"}]`, "authors.0.homepage"},
		{"funding url", `"funding": [{"type": "x", "url": "javascript:x"}]`, "funding.0.url"},
		{"support docs", `"support": {"docs": "javascript:x"}`, "support.docs"},
		{"support email", `"support": {"email": "javascript:x"}`, "support.email"},
		{"support irc", `"support": {"irc": "http://x.org"}`, "support.irc"},

		{"bidi override in name", `"keywords": ["ok", "a\u202eb"]`, "keywords.1"},
		{"bidi isolate in description", `"description": "x\u2066y"`, "description"},
		{"bidi in an author", `"authors": [{"name": "\u202eA"}]`, "authors.0.name"},
		{"bidi in a script", `"scripts": {"post-install-cmd": "echo \u202e"}`, "scripts.post-install-cmd"},
		{"bidi in a require key", `"require": {"acme/x\u202e": "^1"}`, "require"},
		{"control character", `"description": "a\u001bb"`, "description"},
		{"C1 control character", `"description": "a\u0085b"`, "description"},
		{"NUL", `"description": "a\u0000b"`, "description"},
		{"NUL in extra", `"extra": {"k": "a\u0000b"}`, "extra.k"},
		{"lone surrogate", `"description": "a\ud800b"`, "description"},
		{"lone low surrogate in extra", `"extra": ["\udc00"]`, "extra"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := Parse([]byte(base(tc.extra)))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			err = CheckServed(m)
			if tc.field == "" {
				if err != nil {
					t.Fatalf("CheckServed = %v, want nil", err)
				}
				return
			}
			var ue *UnsafeError
			if !errors.As(err, &ue) || !errors.Is(err, ErrUnsafe) {
				t.Fatalf("CheckServed = %v, want an *UnsafeError", err)
			}
			if ue.Field != tc.field || !strings.Contains(err.Error(), strconv.Quote(tc.field)) {
				t.Fatalf("CheckServed = %v (field %q), want field %q", err, ue.Field, tc.field)
			}
		})
	}
}

// FuzzComposerJSON: CheckServed never panics on anything Parse accepts,
// and whatever it accepts carries no NUL in any string.
func FuzzComposerJSON(f *testing.F) {
	for _, s := range []string{
		base(""),
		base(`"bin": ["../x"], "autoload": {"files": ["../x"]}`),
		base(`"homepage": "javascript:x", "support": {"email": 1, "irc": []}`),
		base(`"authors": [1, {"homepage": 2}], "funding": {"a": 1}`),
		base(`"description": "\ud800", "extra": {"\u0000": null}`),
		base(`"autoload": {"psr-4": {"A\\": ["src", "/x"]}}, "include-path": [1]`),
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := Parse(data)
		if err != nil {
			return
		}
		if CheckServed(m) != nil {
			return
		}
		for _, key := range m.Keys() {
			raw, _ := m.Raw(key)
			var v any
			if err := json.Unmarshal(raw, &v); err != nil {
				t.Fatalf("accepted %q that does not decode: %v", key, err)
			}
			if hasNUL(v) {
				t.Fatalf("accepted a NUL in %q: %s", key, raw)
			}
		}
	})
}

func hasNUL(v any) bool {
	switch x := v.(type) {
	case string:
		return strings.ContainsRune(x, 0)
	case []any:
		for _, e := range x {
			if hasNUL(e) {
				return true
			}
		}
	case map[string]any:
		for k, e := range x {
			if strings.ContainsRune(k, 0) || hasNUL(e) {
				return true
			}
		}
	}
	return false
}
