package phpstr

import "testing"

func TestLower(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""}, {"abc", "abc"}, {"ABC-Dev", "abc-dev"}, {"ÄÖ", "ÄÖ"}, {"\u212A", "\u212A"}, {"MiXeD1.0-RC", "mixed1.0-rc"},
	} {
		if got := Lower(tc.in); got != tc.want {
			t.Errorf("Lower(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if n := testing.AllocsPerRun(100, func() { Lower("already-lower") }); n != 0 {
		t.Errorf("Lower allocates %v times on lower-case input", n)
	}
}
