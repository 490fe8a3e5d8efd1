package semver

import "strings"

// MultiConstraint is a conjunction (all must match) or a disjunction (any
// must match) of at least two constraints.
type MultiConstraint struct {
	constraints []Constraint
	conjunctive bool
	canonical   string
	pretty      string
}

// NewMultiConstraint combines constraints as given; CreateMultiConstraint
// also simplifies and accepts fewer than two.
func NewMultiConstraint(constraints []Constraint, conjunctive bool) (*MultiConstraint, error) {
	if len(constraints) < 2 {
		return nil, newError("Must provide at least two constraints for a MultiConstraint. Use the regular Constraint class for one constraint only or MatchAllConstraint for none. You may use MultiConstraint::create() which optimizes and handles those cases automatically.", ErrInvalidConstraint)
	}
	return newMulti(append([]Constraint(nil), constraints...), conjunctive), nil
}

func newMulti(cs []Constraint, conjunctive bool) *MultiConstraint {
	sep := " || "
	if conjunctive {
		sep = " "
	}
	var b strings.Builder
	b.WriteByte('[')
	for i, c := range cs {
		if i > 0 {
			b.WriteString(sep)
		}
		b.WriteString(c.Canonical())
	}
	b.WriteByte(']')
	return &MultiConstraint{constraints: cs, conjunctive: conjunctive, canonical: b.String()}
}

// CreateMultiConstraint is MultiConstraint::create: no constraints match
// everything, one is returned as is, and in a disjunction adjacent ranges
// that touch ("[>= 1 < 2] || [>= 2 < 3]") are merged ("[>= 1 < 3]").
func CreateMultiConstraint(constraints []Constraint, conjunctive bool) Constraint {
	switch len(constraints) {
	case 0:
		return &MatchAllConstraint{}
	case 1:
		return constraints[0]
	}
	if !conjunctive {
		if merged, ok := mergeAdjacentRanges(constraints); ok {
			if len(merged) == 1 {
				return merged[0]
			}
			return newMulti(merged, false)
		}
	}
	return newMulti(append([]Constraint(nil), constraints...), conjunctive)
}

// mergeAdjacentRanges is MultiConstraint::optimizeConstraints. It compares
// the members' canonical strings, exactly as composer does.
func mergeAdjacentRanges(cs []Constraint) ([]Constraint, bool) {
	left := cs[0]
	var merged []Constraint
	optimized := false
	for _, right := range cs[1:] {
		l, lok := left.(*MultiConstraint)
		r, rok := right.(*MultiConstraint)
		if lok && rok && l.conjunctive && r.conjunctive && len(l.constraints) == 2 && len(r.constraints) == 2 {
			l0, l1 := l.constraints[0].Canonical(), l.constraints[1].Canonical()
			r0, r1 := r.constraints[0].Canonical(), r.constraints[1].Canonical()
			if strings.HasPrefix(l0, ">=") && strings.HasPrefix(l1, "<") &&
				strings.HasPrefix(r0, ">=") && strings.HasPrefix(r1, "<") &&
				l1[2:] == r0[3:] {
				optimized = true
				left = newMulti([]Constraint{l.constraints[0], r.constraints[1]}, true)
				continue
			}
		}
		merged = append(merged, left)
		left = right
	}
	if !optimized {
		return nil, false
	}
	return append(merged, left), true
}

// Constraints returns a copy of the members.
func (m *MultiConstraint) Constraints() []Constraint {
	return append([]Constraint(nil), m.constraints...)
}

// Conjunctive reports whether all members must match (else any one must).
func (m *MultiConstraint) Conjunctive() bool { return m.conjunctive }

func (m *MultiConstraint) isConstraint() {}

// Canonical returns "[a b]" for a conjunction and "[a || b]" for a disjunction.
func (m *MultiConstraint) Canonical() string { return m.canonical }

// String returns the pretty form.
func (m *MultiConstraint) String() string { return prettyOr(m.pretty, m) }

// Matches implements Constraint. Members are asked as composer asks them:
// through the provider, which swaps the comparison's operands.
func (m *MultiConstraint) Matches(v string) bool {
	var p probe
	p.parse(v)
	return m.matchesProbe(&p)
}

func (m *MultiConstraint) matchesProbe(p *probe) bool {
	if m.conjunctive {
		for _, c := range m.constraints {
			if !memberMatches(c, p) {
				return false
			}
		}
		return true
	}
	for _, c := range m.constraints {
		if memberMatches(c, p) {
			return true
		}
	}
	return false
}

// memberMatches is $provider->matches($member) for a MultiConstraint member.
func memberMatches(c Constraint, p *probe) bool {
	switch c := c.(type) {
	case *VersionConstraint:
		return c.matchesAsProvided(p)
	case *MultiConstraint:
		return c.matchesProbe(p)
	}
	return c.Matches(p.s)
}

// MatchesConstraint implements Constraint.
func (m *MultiConstraint) MatchesConstraint(provider Constraint) bool {
	if !m.conjunctive {
		for _, c := range m.constraints {
			if provider.MatchesConstraint(c) {
				return true
			}
		}
		return false
	}
	// A conjunction must be checked against each branch of a disjunction as
	// a whole: [>1 <2] must not match [<1 || >2] piecewise.
	if p, ok := provider.(*MultiConstraint); ok && !p.conjunctive {
		return p.MatchesConstraint(m)
	}
	for _, c := range m.constraints {
		if !provider.MatchesConstraint(c) {
			return false
		}
	}
	return true
}
