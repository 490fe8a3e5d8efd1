package semver

import (
	"regexp"
	"strings"
	"testing"
)

func addSeeds(f *testing.F, seeds []string) {
	for _, s := range seeds {
		f.Add(s)
	}
}

// strictNormalized is the shape of a classical normalized version; composer
// normalizes those to themselves. (It is not idempotent everywhere: date
// versions gain parts, "1.0-STABLE" becomes "1.0.0.0-stable" and then
// "1.0.0.0", "dev-x@beta@dev" loses one flag per pass.)
var strictNormalized = regexp.MustCompile(`^\d{1,5}(\.\d+){3}(-(alpha|beta|RC|patch)(\d+([.-]\d+)*)?)?(-dev)?$`)

func FuzzNormalize(f *testing.F) {
	addSeeds(f, seedVersions())
	f.Fuzz(func(t *testing.T, in string) {
		checkClassical(t, in)
		_ = ParseStability(in)
		_ = NormalizeBranch(in)
		_, _ = NumericAliasPrefix(in)
		_ = BranchVersion(in)

		n, err := Normalize(in)
		if err != nil {
			if !strings.HasPrefix(err.Error(), `Invalid version string "`) {
				t.Fatalf("Normalize(%q): unexpected message %q", in, err)
			}
			return
		}
		again, err := Normalize(n)
		if err != nil {
			t.Fatalf("Normalize(%q) = %q, which does not normalize: %v", in, n, err)
		}
		devStable := strings.HasPrefix(n, "dev-") && !strings.ContainsAny(n, "@\x00\t\n\v\r ")
		if (strictNormalized.MatchString(n) || devStable) && again != n {
			t.Fatalf("Normalize not idempotent: %q -> %q -> %q", in, n, again)
		}
		// A normalized version must be usable in matching without panics.
		var p probe
		p.parse(n)
		_ = newVC(OpGE, n).Matches(n)
	})
}

func FuzzParseConstraint(f *testing.F) {
	addSeeds(f, seedConstraints())
	probes := []string{"1.0.0.0", "1.2.3.0-beta2", "2.0.0.0-dev", "0.0.0.0", "dev-master", "1.9999999.9999999.9999999-dev", "1.", "#1"}
	f.Fuzz(func(t *testing.T, in string) {
		_ = splitAnd(in)
		c, err := ParseConstraint(in)
		if err != nil {
			return
		}
		pretty := c.String()
		if pretty != in && in != "" && in != "0" {
			t.Fatalf("String() = %q, want the input %q", pretty, in)
		}
		c2, err := ParseConstraint(pretty)
		if err != nil {
			t.Fatalf("String() %q of %q does not re-parse: %v", pretty, in, err)
		}
		if in != "" && in != "0" && c2.Canonical() != c.Canonical() {
			t.Fatalf("re-parsing %q gives %s, want %s", pretty, c2.Canonical(), c.Canonical())
		}
		// The allocation-free Matches must agree with composer's general
		// constraint-against-constraint path.
		for _, v := range append(probes, in) {
			if got, want := c.Matches(v), c.MatchesConstraint(newVC(OpEQ, v)); got != want {
				t.Fatalf("%q: Matches(%q) = %v, MatchesConstraint(== %q) = %v", in, v, got, v, want)
			}
		}
	})
}

// FuzzVersionCompare checks the fast comparison path against the literal
// port of version_compare, and that the fast path is antisymmetric (which
// matchesAsProvided relies on).
func FuzzVersionCompare(f *testing.F) {
	vs := seedVersions()
	for i := 0; i+1 < len(vs); i += 2 {
		f.Add(vs[i], vs[i+1])
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		slow := phpVersionCompare(a, b)
		var pa, pb probe
		if pa.parse(a) && pb.parse(b) {
			fast := compareParts(pa.list(), pb.list())
			if fast != slow {
				t.Fatalf("version_compare(%q, %q): fast %d, literal %d", a, b, fast, slow)
			}
			if back := compareParts(pb.list(), pa.list()); back != -fast {
				t.Fatalf("fast path not antisymmetric on %q, %q", a, b)
			}
		}
		if PHPVersionCompare(a, b) != slow {
			t.Fatalf("PHPVersionCompare(%q, %q) != literal port", a, b)
		}
		_ = Compare(a, b)
	})
}
