package secret

import (
	"strings"
	"testing"
)

func TestCheckChosen(t *testing.T) {
	generated, err := New(AdminPrefix)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, secret string
		ok           bool
	}{
		{"openssl rand -hex 32", "3f9c1a7e5b2d4c8f0e6a9b1d3c5e7f2a4b6c8d0e1f3a5b7c9d2e4f6a8b0c1d3e", true},
		{"openssl rand -hex 16 (128 bits)", "9e107d9d372bb6826bd81d3542a419d6", true},
		{"generated root token", generated, true},
		{"empty", "", false},
		{"short", "s3cr3t-Pa55", false},
		{"31 characters", "9e107d9d372bb6826bd81d3542a419d", false},
		{"one character repeated", strings.Repeat("a", 64), false},
		{"digits only, 32", "12345678901234567890123456789012", false},
		{"two characters alternating", strings.Repeat("ab", 20), false},
		{"short pattern repeated", strings.Repeat("abc1", 10), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckChosen(tc.secret)
			if (err == nil) != tc.ok {
				t.Fatalf("CheckChosen(%q) = %v, want ok=%v", tc.secret, err, tc.ok)
			}
			if err != nil && !strings.Contains(err.Error(), "openssl rand") {
				t.Fatalf("error %q does not say how to make a good one", err)
			}
		})
	}
}
