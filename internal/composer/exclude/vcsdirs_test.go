package exclude

import "testing"

func TestInVCSDir(t *testing.T) {
	tests := []struct {
		rel  string
		want bool
	}{
		{"src/A.php", false},
		{"CVS", false}, // a file named CVS stays
		{"CVS/Entries", true},
		{"a/.svn/entries", true},
		{".git", true},
		{"x/.GIT/config", true},
		{".github/workflows/ci.yml", false},
		{".gitignore", false},
		{"a/.hg/store", true},
	}
	for _, tc := range tests {
		if got := InVCSDir(tc.rel); got != tc.want {
			t.Errorf("InVCSDir(%q) = %v, want %v", tc.rel, got, tc.want)
		}
	}
}
