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
