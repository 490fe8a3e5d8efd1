package semver

import "testing"

// TestGolden replays answers recorded from composer/semver running under PHP
// (see oracle_test.go): thousands of composer-shaped and adversarial inputs
// for every operation, so agreement with composer is checked without PHP.
func TestGolden(t *testing.T) {
	total := 0
	for name, lines := range readGolden(t) {
		failures := 0
		for i, line := range lines {
			c, want, err := parseGolden(line)
			if err != nil {
				t.Fatalf("%s:%d: %v", name, i+2, err)
			}
			if got := goAnswer(c); !got.equal(want) {
				failures++
				if failures <= 20 {
					t.Errorf("%s:%d: %s(%s):\n  composer: %s\n  go:       %s", name, i+2, c.op, quoteAll(c.args), want, got)
				}
			}
			total++
		}
	}
	t.Logf("%d golden cases", total)
}
