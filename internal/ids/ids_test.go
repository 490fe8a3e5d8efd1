package ids

import (
	"strings"
	"testing"
)

func TestNewIsPrefixedAndOrdered(t *testing.T) {
	prev := ""
	for i := 0; i < 1000; i++ {
		id := New(Customer)
		if !strings.HasPrefix(id, "cus_") || len(id) != len("cus_")+32 {
			t.Fatalf("bad id %q", id)
		}
		if id <= prev {
			t.Fatalf("ids not increasing: %q after %q", id, prev)
		}
		prev = id
	}
}

func TestPrefix(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"cus_abc", "cus"},
		{"tok_", "tok"},
		{"nounderscore", ""},
		{"", ""},
	} {
		if got := Prefix(tc.in); got != tc.want {
			t.Errorf("Prefix(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
