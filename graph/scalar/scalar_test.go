package scalar

import (
	"encoding/json"
	"testing"
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
func integer(v any) error { _, err := UnmarshalInt(v); return err }
func boolean(v any) error { _, err := UnmarshalBoolean(v); return err }
