package semver

// Constraint is a parsed version constraint: a *VersionConstraint, a
// *MultiConstraint, a *MatchAllConstraint or a *MatchNoneConstraint, as in
// composer/semver. Values are immutable once built, so one parsed constraint
// can serve any number of goroutines.
type Constraint interface {
	// Matches reports whether a normalized version (as returned by
	// Normalize) satisfies the constraint: composer's
	// $constraint->matches(new Constraint('==', $version)). It does not
	// allocate for versions of ordinary length.
	Matches(normalizedVersion string) bool

	// MatchesConstraint reports whether the two constraints have a version
	// in common, composer's $constraint->matches($provider).
	MatchesConstraint(provider Constraint) bool

	// String returns the pretty form: the text the constraint was parsed
	// from, or Canonical() if it was built in code (getPrettyString).
	String() string

	// Canonical returns composer's __toString form, which spells out the
	// normalized bounds, e.g. "[>= 1.0.0.0-dev < 2.0.0.0-dev]".
	Canonical() string

	// sealed: matching dispatches on the concrete types, like composer's
	// instanceof checks, so no other implementations are allowed.
	isConstraint()
}

// VersionConstraint is a single "<op> <normalized version>" constraint
// (composer's Constraint class).
type VersionConstraint struct {
	op      Op
	version string
	pretty  string
	branch  bool   // version is a dev-* branch
	fast    bool   // parts hold the version (see probe)
	parts   []part // version read for the fast comparison path
}

// NewVersionConstraint builds a constraint from an operator (= == < <= > >=
// <> !=) and a version that should already be normalized.
func NewVersionConstraint(op, normalizedVersion string) (*VersionConstraint, error) {
	o, err := ParseOp(op)
	if err != nil {
		return nil, err
	}
	return newVC(o, normalizedVersion), nil
}

func newVC(op Op, version string) *VersionConstraint {
	c := &VersionConstraint{op: op, version: version, branch: isBranch(version)}
	var p probe
	if p.parse(version) {
		c.fast, c.parts = true, append([]part(nil), p.list()...)
	}
	return c
}

// Op returns the operator.
func (c *VersionConstraint) Op() Op { return c.op }

// Version returns the normalized version the operator compares with.
func (c *VersionConstraint) Version() string { return c.version }

func (c *VersionConstraint) isConstraint() {}

// Canonical returns "<op> <version>" with == and != spelled out.
func (c *VersionConstraint) Canonical() string { return c.op.String() + " " + c.version }

// String returns the pretty form.
func (c *VersionConstraint) String() string { return prettyOr(c.pretty, c) }

// Matches is this->matchSpecific(new Constraint('==', v)), specialised so it
// does not allocate.
func (c *VersionConstraint) Matches(v string) bool {
	var p probe
	p.parse(v)
	return c.matchesProbe(&p)
}

// matchesProbe is Matches for a prepared version: versionCompare with the
// probed version on the side composer puts it.
func (c *VersionConstraint) matchesProbe(p *probe) bool {
	vBranch := isBranch(p.s)
	switch {
	case c.op == OpNE:
		if vBranch || c.branch {
			return p.s != c.version
		}
		return c.compare(p, false) != 0
	case vBranch && c.branch:
		return c.op == OpEQ && p.s == c.version
	case vBranch || c.branch:
		return false
	case c.op == OpEQ:
		return c.compare(p, true) == 0
	}
	return opHolds(c.compare(p, false), c.op)
}

// matchesAsProvided is (new Constraint('==', v))->matchSpecific(c): what a
// MultiConstraint asks of its members. It mirrors matchesProbe with the
// operands swapped, which is not the same thing for version_compare's odd
// inputs, plus composer's check that a strict bound excludes its version.
func (c *VersionConstraint) matchesAsProvided(p *probe) bool {
	vBranch := isBranch(p.s)
	switch {
	case c.op == OpNE:
		if vBranch || c.branch {
			return c.version != p.s
		}
		return c.compare(p, true) != 0
	case vBranch && c.branch:
		return c.op == OpEQ && p.s == c.version
	case vBranch || c.branch:
		return false
	}
	cmp := c.compare(p, false)
	if !opHolds(cmp, c.op) {
		return false
	}
	if !c.op.strict() {
		return true
	}
	if c.fast && p.fast {
		return true // antisymmetric: cmp != 0, so the reverse is not 0 either
	}
	return c.compare(p, true) != 0
}

// compare is version_compare(v, c.version), or version_compare(c.version, v)
// when reversed.
func (c *VersionConstraint) compare(p *probe, reversed bool) int {
	if c.fast && p.fast {
		r := compareParts(p.list(), c.parts)
		if reversed {
			r = -r
		}
		return r
	}
	if reversed {
		return phpVersionCompare(c.version, p.s)
	}
	return phpVersionCompare(p.s, c.version)
}

// MatchesConstraint implements Constraint.
func (c *VersionConstraint) MatchesConstraint(provider Constraint) bool {
	if p, ok := provider.(*VersionConstraint); ok {
		return c.MatchSpecific(p, false)
	}
	return provider.MatchesConstraint(c)
}

// MatchSpecific reports whether two single constraints intersect
// (Constraint::matchSpecific). With compareBranches, dev-* versions are
// ordered by version_compare instead of matching no range at all.
func (c *VersionConstraint) MatchSpecific(provider *VersionConstraint, compareBranches bool) bool {
	isEq, isNe := c.op == OpEQ, c.op == OpNE
	pEq, pNe := provider.op == OpEQ, provider.op == OpNE

	// != intersects everything except the one version it excludes.
	if isNe || pNe {
		if isNe && !pNe && !pEq && isBranch(provider.version) {
			return false
		}
		if pNe && !isNe && !isEq && isBranch(c.version) {
			return false
		}
		if !isEq && !pEq {
			return true
		}
		return versionCompare(provider.version, c.version, OpNE, compareBranches)
	}

	// Two ranges open in the same direction always intersect.
	if !isEq && c.op.noEqual() == provider.op.noEqual() {
		return !(isBranch(c.version) || isBranch(provider.version))
	}

	v1, v2, op := provider.version, c.version, c.op
	if isEq {
		v1, v2, op = c.version, provider.version, provider.op
	}
	if !versionCompare(v1, v2, op, compareBranches) {
		return false
	}
	// ">= 1.0" and "< 1.0" touch at 1.0, which the strict side excludes.
	return !(provider.op.strict() && !c.op.strict() && PHPVersionCompare(provider.version, c.version) == 0)
}

// MatchAllConstraint matches every version ("*"). The zero value is ready to use.
type MatchAllConstraint struct{ pretty string }

func (*MatchAllConstraint) isConstraint() {}

// Matches always returns true.
func (*MatchAllConstraint) Matches(string) bool { return true }

// MatchesConstraint always returns true.
func (*MatchAllConstraint) MatchesConstraint(Constraint) bool { return true }

// Canonical returns "*".
func (*MatchAllConstraint) Canonical() string { return "*" }

// String returns the pretty form.
func (c *MatchAllConstraint) String() string { return prettyOr(c.pretty, c) }

// MatchNoneConstraint matches no version. The zero value is ready to use.
type MatchNoneConstraint struct{ pretty string }

func (*MatchNoneConstraint) isConstraint() {}

// Matches always returns false.
func (*MatchNoneConstraint) Matches(string) bool { return false }

// MatchesConstraint always returns false.
func (*MatchNoneConstraint) MatchesConstraint(Constraint) bool { return false }

// Canonical returns "[]".
func (*MatchNoneConstraint) Canonical() string { return "[]" }

// String returns the pretty form.
func (c *MatchNoneConstraint) String() string { return prettyOr(c.pretty, c) }

// prettyOr is getPrettyString: PHP treats "" and "0" as unset.
func prettyOr(pretty string, c Constraint) string {
	if pretty == "" || pretty == "0" {
		return c.Canonical()
	}
	return pretty
}

// withPretty returns c carrying the pretty string, as setPrettyString does
// on the freshly parsed object.
func withPretty(c Constraint, pretty string) Constraint {
	switch c := c.(type) {
	case *VersionConstraint:
		c.pretty = pretty
	case *MultiConstraint:
		c.pretty = pretty
	case *MatchAllConstraint:
		c.pretty = pretty
	case *MatchNoneConstraint:
		c.pretty = pretty
	}
	return c
}
