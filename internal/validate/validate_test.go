package validate

import (
	"strings"
	"testing"
)

func TestRules(t *testing.T) {
	name := Text(10)
	for _, tc := range []struct {
		rule  func(string) error
		in    string
		valid bool
	}{
		{name, "Acme", true},
		{name, "Ünïcödé 10", true},
		{name, "", false},
		{name, "   ", false},
		{name, " Acme", false},
		{name, "Acme\nCorp", false},
		{name, "01234567890", false},
		{Email, "dev@acme.com", true},
		{Email, "a.b+c@sub.example.org", true},
		{Email, "not-an-email", false},
		{Email, "Dev <dev@acme.com>", false},
		{Email, "dev@", false},
		{Email, strings.Repeat("a", 250) + "@x.io", false},
		{ExternalID, "stripe_cus_abc123", true},
		{ExternalID, "cus:42@crm", true},
		{ExternalID, "", false},
		{ExternalID, "has space", false},
		{ExternalID, "a/b", false},
		{ExternalID, "_leading", false},
		{ExternalID, strings.Repeat("x", 256), false},
	} {
		err := tc.rule(tc.in)
		if (err == nil) != tc.valid {
			t.Errorf("%q: got err=%v, want valid=%v", tc.in, err, tc.valid)
		}
	}
}

func TestAccessRules(t *testing.T) {
	for _, tc := range []struct {
		rule  func(string) error
		in    string
		valid bool
	}{
		{PackagePattern, "vendor/*", true},
		{PackagePattern, "vendor/package", true},
		{PackagePattern, "vendor/pkg-*", true},
		{PackagePattern, "*/*", true},
		{PackagePattern, "acme/lib.core_x", true},
		{PackagePattern, "*", false},
		{PackagePattern, "vendor", false},
		{PackagePattern, "Vendor/*", false},
		{PackagePattern, "vendor/", false},
		{PackagePattern, "vendor/a/b", false},
		{PackagePattern, "vendor/[ab]", false},
		{PackagePattern, "vendor/?", false},
		{PackagePattern, "vendor/-x", false},
		{PackagePattern, "vendor/x\\*", false},
		{PackagePattern, "", false},
		{PackagePattern, "v/" + strings.Repeat("x", 213), false},
		{Constraint, "*", true},
		{Constraint, "^1.0 || ^2.0", true},
		{Constraint, ">=1.0 <2.0", true},
		{Constraint, "dev-main", true},
		{Constraint, "^^1", false},
		{Constraint, "", false},
		{Constraint, "foo", false},
		{CollectionSlug, "enterprise", true},
		{CollectionSlug, "0-suite", true},
		{CollectionSlug, strings.Repeat("a", 64), true},
		{CollectionSlug, strings.Repeat("a", 65), false},
		{CollectionSlug, "-x", false},
		{CollectionSlug, "Enterprise", false},
		{CollectionSlug, "a_b", false},
		{CollectionSlug, "", false},
	} {
		err := tc.rule(tc.in)
		if (err == nil) != tc.valid {
			t.Errorf("%q: got err=%v, want valid=%v", tc.in, err, tc.valid)
		}
	}
	if err := Constraint("^^1"); err == nil || err.Error() != `Could not parse version constraint ^^1: Invalid version string "^^1"` {
		t.Errorf("constraint message = %v, want composer's", err)
	}
	if PackageScopes(make([]string, MaxPackageScopes+1)) == nil || PackageScopes(nil) != nil || PackageScopes([]string{"a/*", "B/c"}) == nil {
		t.Error("PackageScopes")
	}
}

func TestMatchPackageScopes(t *testing.T) {
	for _, tc := range []struct {
		scopes []string
		name   string
		want   bool
	}{
		{nil, "acme/lib", true},
		{[]string{"acme/*"}, "acme/lib", true},
		{[]string{"acme/*"}, "acmex/lib", false},
		{[]string{"acme/lib"}, "acme/lib", true},
		{[]string{"acme/lib"}, "acme/lib2", false},
		{[]string{"other/x", "acme/l*b"}, "acme/lib", true},
		{[]string{"*/lib"}, "acme/lib", true},
		{[]string{"acme/*"}, "acme/a/b", false},
	} {
		if got := MatchPackageScopes(tc.scopes, tc.name); got != tc.want {
			t.Errorf("MatchPackageScopes(%q, %q) = %v, want %v", tc.scopes, tc.name, got, tc.want)
		}
	}
}

func TestControlCharacters(t *testing.T) {
	for _, tc := range []struct {
		in         string
		free, name bool
	}{
		{"Acme GmbH", true, true},
		{"line\nbreak\ttab", true, false},
		{"nul\x00", false, false},
		{"bad\xffutf8", false, false},
		{"esc\x1b[31m", false, false},
		{"c1\u0085", false, false},
		{"evil\u202Egpj.exe", true, false},
		{"isolate\u2067x", true, false},
	} {
		if err := FreeText(tc.in); (err == nil) != tc.free {
			t.Errorf("FreeText(%q) = %v, want ok=%v", tc.in, err, tc.free)
		}
		if err := Text(MaxNameLen)(tc.in); (err == nil) != tc.name {
			t.Errorf("Text(%q) = %v, want ok=%v", tc.in, err, tc.name)
		}
	}
}

func TestJSONText(t *testing.T) {
	for _, tc := range []struct {
		in string
		ok bool
	}{
		{`{"a":"b"}`, true},
		{`{"a":"日本 \u00e9"}`, true},
		{`{"a":"\ud83d\ude00"}`, true},
		{`{"a":"\\ud800"}`, true}, // an escaped backslash, not an escape
		{`{"a":"\"\ud800"}`, false},
		{"{\"a\":\"\xff\"}", false},
		{"{\"a\":\"\xed\xa0\x80\"}", false}, // a surrogate encoded in UTF-8
		{`{"a":"\ud800"}`, false},
		{`{"a":"\udc00"}`, false},
		{`{"a":"\ud800\u0041"}`, false},
		{`{"\ud800":1}`, false},
		{`{"a":"\ud800`, false},
		{`{"a":"\u12`, true}, // bad syntax is the decoder's to report
	} {
		if err := JSONText([]byte(tc.in)); (err == nil) != tc.ok {
			t.Errorf("JSONText(%s) = %v, want ok=%v", tc.in, err, tc.ok)
		}
	}
}
