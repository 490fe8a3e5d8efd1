package semver

import (
	"errors"
	"regexp"
	"strings"
	"testing"
)

// Tests driven by composer/semver's own test cases (composer_cases_test.go
// is generated from its PHPUnit data providers).

func TestComposerNormalize(t *testing.T) {
	for _, tc := range composerNormalize {
		got, err := Normalize(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("%s: Normalize(%q) = %q, %v; want %q", tc.name, tc.in, got, err, tc.want)
		}
	}
}

func TestComposerNormalizeFails(t *testing.T) {
	for _, tc := range composerNormalizeFails {
		got, err := Normalize(tc.in)
		if err == nil {
			t.Errorf("%s: Normalize(%q) = %q, want error", tc.name, tc.in, got)
			continue
		}
		if !errors.Is(err, ErrInvalidVersion) || !strings.HasPrefix(err.Error(), `Invalid version string "`) {
			t.Errorf("%s: Normalize(%q) error %q is not an invalid version error", tc.name, tc.in, err)
		}
	}
}

// aliasRE is the pattern composer's alias tests use to split their input.
var aliasRE = regexp.MustCompile(`^([^,\s#]+)(?:#[^ ]+)? +as +([^,\s]+)$`)

func TestComposerNormalizeReportsAliasIssue(t *testing.T) {
	for _, tc := range composerBadAlias {
		m := aliasRE.FindStringSubmatch(tc.full)
		if _, err := NormalizeInContext(m[1], tc.full); err != nil {
			t.Errorf("%s: source %q: %v", tc.name, m[1], err)
		}
		_, err := NormalizeInContext(m[2], tc.full)
		want := `Invalid version string "` + m[2] + `" in "` + tc.full + `", the alias must be an exact version`
		if err == nil || err.Error() != want {
			t.Errorf("%s: got %v, want %q", tc.name, err, want)
		}
	}
	for _, tc := range composerBadAliasee {
		m := aliasRE.FindStringSubmatch(tc.full)
		_, err := NormalizeInContext(m[1], tc.full)
		want := `Invalid version string "` + m[1] + `" in "` + tc.full + `", the alias source must be an exact version, if it is a branch name you should prefix it with dev-`
		if err == nil || err.Error() != want {
			t.Errorf("%s: got %v, want %q", tc.name, err, want)
		}
		if _, err := NormalizeInContext(m[2], tc.full); err != nil {
			t.Errorf("%s: alias %q: %v", tc.name, m[2], err)
		}
	}
}

func TestComposerIsValid(t *testing.T) {
	for _, tc := range composerIsValid {
		if got := IsValid(tc.in); got != tc.want {
			t.Errorf("IsValid(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestComposerNumericAliasPrefix(t *testing.T) {
	for _, tc := range composerNumericAlias {
		got, ok := NumericAliasPrefix(tc.in)
		if want, isStr := tc.want.(string); isStr {
			if !ok || got != want {
				t.Errorf("NumericAliasPrefix(%q) = %q, %v; want %q", tc.in, got, ok, want)
			}
		} else if ok {
			t.Errorf("NumericAliasPrefix(%q) = %q, want none", tc.in, got)
		}
	}
}

func TestComposerNormalizeBranch(t *testing.T) {
	for _, tc := range composerNormalizeBranch {
		if got := NormalizeBranch(tc.in); got != tc.want {
			t.Errorf("%s: NormalizeBranch(%q) = %q, want %q", tc.name, tc.in, got, tc.want)
		}
	}
}

func TestComposerParseConstraints(t *testing.T) {
	for _, tc := range composerParse {
		c, err := ParseConstraint(tc.in)
		if err != nil {
			t.Errorf("%s: ParseConstraint(%q): %v", tc.name, tc.in, err)
			continue
		}
		if got := c.Canonical(); got != tc.want {
			t.Errorf("%s: ParseConstraint(%q) = %s, want %s", tc.name, tc.in, got, tc.want)
		}
		if c.String() != tc.in {
			t.Errorf("%s: pretty string %q, want the input %q", tc.name, c.String(), tc.in)
		}
	}
}

func TestComposerParseConstraintsFails(t *testing.T) {
	for _, tc := range composerParseFails {
		c, err := ParseConstraint(tc.in)
		if err == nil {
			t.Errorf("%s: ParseConstraint(%q) = %s, want error", tc.name, tc.in, c.Canonical())
			continue
		}
		if !errors.Is(err, ErrInvalidConstraint) {
			t.Errorf("%s: error %v does not wrap ErrInvalidConstraint", tc.name, err)
		}
	}
}

// The single-purpose tests of VersionParserTest.
func TestComposerParseConstraintsSpecialCases(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		// testParseConstraintsIgnoresStabilityFlag
		{"1.0@dev", "== 1.0.0.0"},
		{">=1.0@beta", ">= 1.0.0.0-beta"},
		{"dev-load-varnish-only-when-used as ^2.0@dev", "== dev-load-varnish-only-when-used"},
		{"dev-load-varnish-only-when-used@dev as ^2.0@dev", "== dev-load-varnish-only-when-used"},
		// testParseConstraintsIgnoresReferenceOnDevVersion
		{"1.0.x-dev#abcd123", "== 1.0.9999999.9999999-dev"},
		{"1.0.x-dev#trunk/@123", "== 1.0.9999999.9999999-dev"},
		// testParseConstraintsMultiWithStabilitySuffix
		{">=1.1.0-alpha4,<1.2.x-dev", "[>= 1.1.0.0-alpha4 < 1.2.9999999.9999999-dev]"},
		{">=1.1.0-alpha4,<1.2-beta2", "[>= 1.1.0.0-alpha4 < 1.2.0.0-beta2]"},
		// testParseConstraintsMultiWithStabilities(+Wildcard, +Zero)
		{">2.0@stable,<=3.0@dev", "[> 2.0.0.0 <= 3.0.0.0-dev]"},
		{">2.0@stable,@dev", "[> 2.0.0.0 *]"},
		{">2.0@stable || 0@dev", "[> 2.0.0.0 || == 0.0.0.0]"},
	} {
		c, err := ParseConstraint(tc.in)
		if err != nil || c.Canonical() != tc.want {
			t.Errorf("ParseConstraint(%q) = %v, %v; want %s", tc.in, c, err, tc.want)
		}
	}

	// testParseConstraintsFailsOnBadReference
	for _, in := range []string{"1.0#abcd123", "1.0#trunk/@123"} {
		if _, err := ParseConstraint(in); err == nil {
			t.Errorf("ParseConstraint(%q) succeeded, want error", in)
		}
	}

	// testParseConstraintsNudgesRubyDevsTowardsThePathOfRighteousness
	_, err := ParseConstraint("~>1.2")
	if err == nil || !strings.Contains(err.Error(), `Invalid operator "~>", you probably meant to use the "~" operator`) {
		t.Errorf("ParseConstraint(~>1.2) error = %v", err)
	}

	// testComplexConjunctive
	c := MustParseConstraint("~0.1 || ~1.0 !=1.0.1")
	if c.Matches("1.0.1.0") {
		t.Error(`"~0.1 || ~1.0 !=1.0.1" should not allow version "1.0.1.0"`)
	}
}

func TestComposerParseStability(t *testing.T) {
	for _, tc := range composerStability {
		if got := ParseStability(tc.in).String(); got != tc.want {
			t.Errorf("ParseStability(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
	// testNormalizeStability
	for in, want := range map[string]Stability{"rc": RC, "BeTa": Beta} {
		if got, err := NormalizeStability(in); err != nil || got != want {
			t.Errorf("NormalizeStability(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	if _, err := NormalizeStability("foo"); !errors.Is(err, ErrInvalidStability) {
		t.Errorf("NormalizeStability(foo) error = %v", err)
	}
}

func TestComposerVersionMatches(t *testing.T) {
	for _, tc := range composerVersionMatches {
		req, err1 := NewVersionConstraint(tc.reqOp, tc.reqV)
		prov, err2 := NewVersionConstraint(tc.provOp, tc.provV)
		if err1 != nil || err2 != nil {
			t.Fatal(err1, err2)
		}
		if got := req.MatchesConstraint(prov); got != tc.want {
			t.Errorf("(%s %s) matches (%s %s) = %v, want %v", tc.reqOp, tc.reqV, tc.provOp, tc.provV, got, tc.want)
		}
	}
}

func TestComposerInvalidOperators(t *testing.T) {
	for _, op := range []string{"invalid", "!", "equals", "!=="} {
		if _, err := NewVersionConstraint(op, "1.2.3"); !errors.Is(err, ErrInvalidOperator) {
			t.Errorf("NewVersionConstraint(%q) error = %v", op, err)
		}
	}
}

func TestComposerComparableBranches(t *testing.T) {
	foo := newVC(OpEQ, "dev-foo")
	gt, lt := newVC(OpGT, "0.12"), newVC(OpLT, "0.12")
	if gt.MatchesConstraint(foo) || gt.MatchSpecific(foo, true) {
		t.Error("> 0.12 must not match dev-foo")
	}
	if lt.MatchesConstraint(foo) || !lt.MatchSpecific(foo, true) {
		t.Error("< 0.12 matches dev-foo only when branches are compared")
	}
}

func TestComposerPrettyString(t *testing.T) {
	c := newVC(OpEQ, "1")
	if c.String() != "== 1" {
		t.Errorf("String() = %q", c.String())
	}
	m, err := NewMultiConstraint([]Constraint{newVC(OpGT, "1.0"), newVC(OpLT, "1.2")}, true)
	if err != nil || m.String() != "[> 1.0 < 1.2]" {
		t.Errorf("multi String() = %v, %v", m, err)
	}
	if _, err := NewMultiConstraint([]Constraint{c}, true); !errors.Is(err, ErrInvalidConstraint) {
		t.Errorf("one-member MultiConstraint error = %v", err)
	}
}

func TestComposerMultiConstraintCreate(t *testing.T) {
	if _, ok := CreateMultiConstraint(nil, true).(*MatchAllConstraint); !ok {
		t.Error("create() with no constraints must match all")
	}
	got := CreateMultiConstraint([]Constraint{newVC(OpGE, "2.5.0.0-dev"), newVC(OpLE, "3.0.0.0-dev"), &MatchAllConstraint{}}, true).Canonical()
	if got != "[>= 2.5.0.0-dev <= 3.0.0.0-dev *]" {
		t.Errorf("conjunctive = %s", got)
	}
	got = CreateMultiConstraint([]Constraint{newVC(OpGE, "2.5.0.0-dev"), &MatchAllConstraint{}}, false).Canonical()
	if got != "[>= 2.5.0.0-dev || *]" {
		t.Errorf("disjunctive = %s", got)
	}
}

func TestComposerMultiConstraintMatches(t *testing.T) {
	start, end := newVC(OpGT, "1.0"), newVC(OpLT, "1.2")
	multi := func(conj bool, cs ...Constraint) *MultiConstraint {
		m, err := NewMultiConstraint(cs, conj)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	req := multi(true, start, end)
	if !req.MatchesConstraint(newVC(OpEQ, "1.1")) || !newVC(OpEQ, "1.1").MatchesConstraint(req) {
		t.Error("[> 1.0 < 1.2] must match == 1.1")
	}
	if req.MatchesConstraint(newVC(OpEQ, "1.2")) || newVC(OpEQ, "1.2").MatchesConstraint(req) {
		t.Error("[> 1.0 < 1.2] must not match == 1.2")
	}
	prov := multi(true, newVC(OpGT, "1.1"), newVC(OpLT, "1.3"))
	if !req.MatchesConstraint(prov) || !prov.MatchesConstraint(req) {
		t.Error("overlapping conjunctions must match")
	}
	dreq, dprov := multi(false, start, end), multi(false, newVC(OpGT, "1.1"), newVC(OpLT, "1.3"))
	if !dreq.MatchesConstraint(dprov) || !dprov.MatchesConstraint(dreq) {
		t.Error("overlapping disjunctions must match")
	}
	// testConjunctiveMatchesDisjunctiveFalse
	disj := multi(false, newVC(OpLT, "1.0"), newVC(OpGT, "1.2"))
	if req.MatchesConstraint(disj) || disj.MatchesConstraint(req) {
		t.Error("[> 1.0 < 1.2] must not match [< 1.0 || > 1.2]")
	}
}

func TestComposerSatisfies(t *testing.T) {
	for _, tc := range composerSatisfies {
		got, err := Satisfies(tc.version, tc.constraint)
		if err != nil || got != tc.want {
			t.Errorf("Satisfies(%q, %q) = %v, %v; want %v", tc.version, tc.constraint, got, err, tc.want)
		}
	}
}

func TestComposerSatisfiedBy(t *testing.T) {
	for _, tc := range composerSatisfiedBy {
		got, err := SatisfiedBy(tc.versions, tc.constraint)
		if err != nil || strings.Join(got, ",") != strings.Join(tc.want, ",") {
			t.Errorf("SatisfiedBy(%q) = %q, %v; want %q", tc.constraint, got, err, tc.want)
		}
	}
}

func TestComposerSort(t *testing.T) {
	for _, tc := range composerSort {
		asc := append([]string(nil), tc.in...)
		SortVersions(asc)
		desc := append([]string(nil), tc.in...)
		RSortVersions(desc)
		if strings.Join(asc, ",") != strings.Join(tc.sorted, ",") {
			t.Errorf("SortVersions(%q) = %q, want %q", tc.in, asc, tc.sorted)
		}
		if strings.Join(desc, ",") != strings.Join(tc.rsorted, ",") {
			t.Errorf("RSortVersions(%q) = %q, want %q", tc.in, desc, tc.rsorted)
		}
	}
}

func TestComposerComparator(t *testing.T) {
	for _, tc := range composerComparator {
		got, err := CompareOp(tc.a, tc.op, tc.b)
		if err != nil || got != tc.want {
			t.Errorf("CompareOp(%q, %q, %q) = %v, %v; want %v", tc.a, tc.op, tc.b, got, err, tc.want)
		}
	}
	if _, err := CompareOp("1.1", "!==", "1.2"); !errors.Is(err, ErrInvalidOperator) {
		t.Errorf("CompareOp with !== error = %v", err)
	}
}
