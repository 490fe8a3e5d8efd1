package semver

import (
	"regexp"
	"strings"
	"testing"
)

// reClassic is composer's classical-version pattern, kept here as the
// reference for the hand-written matchClassical.
var reClassic = regexp.MustCompile(`^[vV]?(\d{1,5})(\.\d+)?(\.\d+)?(\.\d+)?` + modifier(true) + eol)

// classicalByRegex is normalize's classical branch done with the pattern.
func classicalByRegex(version string) (string, bool) {
	m := reClassic.FindStringSubmatchIndex(version)
	if m == nil {
		return "", false
	}
	var b strings.Builder
	b.WriteString(group(version, m, 1))
	for i := 2; i <= 4; i++ {
		if g := group(version, m, i); g != "" {
			b.WriteString(g)
		} else {
			b.WriteString(".0")
		}
	}
	return addModifiers(b.String(), version, m, 5), true
}

func checkClassical(t *testing.T, s string) {
	t.Helper()
	got, gotOK := matchClassical(s)
	want, wantOK := classicalByRegex(s)
	if got != want || gotOK != wantOK {
		t.Errorf("matchClassical(%q) = %q, %v; pattern gives %q, %v", s, got, gotOK, want, wantOK)
	}
}

func TestMatchClassicalAgainstPattern(t *testing.T) {
	for _, s := range seedVersions() {
		checkClassical(t, s)
		checkClassical(t, phpTrim(s))
	}
	for _, s := range []string{"1.0\n", "1.0-dev\n", "1.0_", "1.0.", "1.0-", "1.0_dev", "1.0.-dev", "1.0--dev", "1.0-.dev",
		"1bdev", "1pldev", "1patchdev", "1.0-stable-dev", "1.0-STABLE-dev", "1.0-beta.-1", "1.0-beta-.1", "1.0-b.1.2-3dev",
		"1.0RC", "1.0Rc1", "1.0-eta", "1.0-betaa", "123456", "12345", "v", "V1", "1.0.0.0.0", "1.0.0.0-p1.dev"} {
		checkClassical(t, s)
	}
}
