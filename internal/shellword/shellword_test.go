package shellword_test

import (
	"os/exec"
	"testing"

	"github.com/cargoman/cargoman/internal/shellword"
)

// TestQuote checks that sh reads every quoted word back unchanged.
func TestQuote(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"http-basic.127.0.0.1:8080", "http-basic.127.0.0.1:8080"},
		{"ctk_abc-DEF_1", "ctk_abc-DEF_1"},
		{"", "''"},
		{"a b", "'a b'"},
		{"it's", `'it'\''s'`},
		{"$(rm -rf /)", "'$(rm -rf /)'"},
	} {
		got := shellword.Quote(tc.in)
		if got != tc.want {
			t.Errorf("Quote(%q) = %q, want %q", tc.in, got, tc.want)
		}
		out, err := exec.Command("sh", "-c", "printf %s "+got).Output()
		if err != nil || string(out) != tc.in {
			t.Errorf("sh read %q back as %q (%v)", got, out, err)
		}
	}
}
