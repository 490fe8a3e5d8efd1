package semver

import "testing"

// Matches runs for every version of every package on the request path, so
// it must not allocate.
func TestMatchesDoesNotAllocate(t *testing.T) {
	vs := versionsForBench()
	for _, s := range []string{"^2.3", "~1.2.3", "1.2.*", ">=1.0 <2.0 || ^3.0@beta", "!=1.5.0", "dev-main", "*", "1.0 - 2.0"} {
		c := MustParseConstraint(s)
		allocs := testing.AllocsPerRun(20, func() {
			for _, v := range vs {
				c.Matches(v)
			}
		})
		if allocs != 0 {
			t.Errorf("%s: Matches allocates %.1f times per pass", s, allocs)
		}
	}
}

func TestNormalizeOfNormalizedDoesNotAllocate(t *testing.T) {
	allocs := testing.AllocsPerRun(100, func() {
		if _, err := Normalize("1.2.3.0"); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("Normalize allocates %.1f times", allocs)
	}
}
