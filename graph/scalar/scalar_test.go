package scalar

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestStrictCoercion(t *testing.T) {
	for _, tc := range []struct {
		name string
		fn   func(any) error
		in   any
		ok   bool
	}{
		{"string", str, "x", true},
		{"string with NUL", str, "a\x00b", false},
		{"string invalid UTF-8", str, "a\xffb", false},
		{"string control char", str, "a\x1bb", false},
		{"string multi-line free text", str, "a\n\tb", true},
		{"string from number", str, json.Number("1"), false},
		{"string from bool", str, true, false},
		{"id", id, "cus_01HX", true},
		{"id from number", id, json.Number("42"), true},
		{"id fraction", id, json.Number("4.2"), false},
		{"id with NUL", id, "cus\x00", false},
		{"id invalid UTF-8", id, "cus\xff", false},
		{"id line break", id, "cus\n1", false},
		{"id bidi override", id, "cus\u202e1", false},
		{"id from bool", id, true, false},
		{"id null", id, nil, false},
		{"int", integer, json.Number("42"), true},
		{"int native", integer, 7, true},
		{"int from string", integer, "5", false},
		{"int fraction", integer, json.Number("1.5"), false},
		{"int too big", integer, json.Number("3000000000"), false},
		{"bool", boolean, false, true},
		{"bool from string", boolean, "true", false},
	} {
		if err := tc.fn(tc.in); (err == nil) != tc.ok {
			t.Errorf("%s: err = %v, want ok=%v", tc.name, err, tc.ok)
		}
	}
}

func str(v any) error     { _, err := UnmarshalString(v); return err }
func id(v any) error      { _, err := UnmarshalID(v); return err }
func integer(v any) error { _, err := UnmarshalInt(v); return err }
func boolean(v any) error { _, err := UnmarshalBoolean(v); return err }

// FuzzUnmarshalString checks that String and ID coercion never panic and
// never let through what validate.FreeText (String) or validate.Identifier
// (ID) refuses: every accepted value is valid UTF-8 without NUL, and
// without control characters other than tab, LF and CR (none at all in an
// ID).
func FuzzUnmarshalString(f *testing.F) {
	for _, seed := range []string{"", "acme", "a\x00b", "a\xffb", "\xed\xa0\x80", "a\n\tb", "\u202e", "\x1b[31m", "\u0085", "日本"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		if s, err := UnmarshalString(in); err == nil {
			if s != in {
				t.Fatalf("UnmarshalString(%q) = %q, want the input unchanged", in, s)
			}
			checkText(t, s, "\t\n\r")
		}
		if s, err := UnmarshalID(in); err == nil {
			checkText(t, s, "")
		}
	})
}

func checkText(t *testing.T, s, allowed string) {
	t.Helper()
	if !utf8.ValidString(s) {
		t.Fatalf("accepted invalid UTF-8 %q", s)
	}
	for _, r := range s {
		if unicode.IsControl(r) && !strings.ContainsRune(allowed, r) {
			t.Fatalf("accepted control character %U in %q", r, s)
		}
	}
}
