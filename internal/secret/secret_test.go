package secret

import (
	"strings"
	"testing"
)

func TestNewHashEqual(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 200; i++ {
		s, err := New(AdminPrefix)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(s, AdminPrefix) || len(s) != len(AdminPrefix)+bodyLen {
			t.Fatalf("bad secret %q", s)
		}
		if strings.Trim(s[len(AdminPrefix):], alphabet) != "" {
			t.Fatalf("secret %q has characters outside base62", s)
		}
		if seen[s] {
			t.Fatalf("duplicate secret %q", s)
		}
		seen[s] = true
		h := Hash(s)
		if !Equal(s, h) || Equal(s+"x", h) || Equal(s, Hash("other")) {
			t.Fatalf("Equal does not match Hash for %q", s)
		}
	}
}

func TestVisible(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"cgm_adm_abcdefghij", "cgm_adm_abcd"},
		{"short", "short"},
	} {
		if got := Visible(tc.in); got != tc.want {
			t.Errorf("Visible(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestCustomerPrefix(t *testing.T) {
	s, err := New(CustomerPrefix)
	if err != nil || !strings.HasPrefix(s, "cgm_tok_") || len(s) != len(CustomerPrefix)+bodyLen || Visible(s) != s[:VisibleLen] {
		t.Fatalf("customer secret %q, %v", s, err)
	}
}
