package semver

import "strings"

// Op is a comparison operator of a single version constraint.
type Op int8

// Operators, numbered as composer's Constraint::OP_* constants.
const (
	OpEQ Op = iota // == (also written =)
	OpLT           // <
	OpLE           // <=
	OpGT           // >
	OpGE           // >=
	OpNE           // != (also written <>)
)

var opStrings = [...]string{OpEQ: "==", OpLT: "<", OpLE: "<=", OpGT: ">", OpGE: ">=", OpNE: "!="}

// String returns composer's canonical spelling (== and != for = and <>).
func (o Op) String() string {
	if o >= 0 && int(o) < len(opStrings) {
		return opStrings[o]
	}
	return "Op(" + itoa(int(o)) + ")"
}

// noEqual is the operator with '=' removed (PHP: str_replace of "=" by ""), which
// Constraint::matchSpecific uses to spot operators of the same direction.
func (o Op) noEqual() string {
	switch o {
	case OpLT, OpLE:
		return "<"
	case OpGT, OpGE:
		return ">"
	case OpNE:
		return "!"
	}
	return ""
}

// strict reports whether the operator is < or > (contains no '=').
func (o Op) strict() bool { return o == OpLT || o == OpGT }

// ParseOp accepts the operators composer's Constraint accepts:
// = == < <= > >= <> !=.
func ParseOp(s string) (Op, error) {
	switch s {
	case "=", "==":
		return OpEQ, nil
	case "<":
		return OpLT, nil
	case "<=":
		return OpLE, nil
	case ">":
		return OpGT, nil
	case ">=":
		return OpGE, nil
	case "<>", "!=":
		return OpNE, nil
	}
	return 0, newError(`Invalid operator "`+s+`" given, expected one of: =, ==, <, <=, >, >=, <>, !=`, ErrInvalidOperator)
}

// phpCompareOp is version_compare($a, $b, $op).
func phpCompareOp(a, b string, op Op) bool {
	return opHolds(PHPVersionCompare(a, b), op)
}

// opHolds tells whether a version_compare result satisfies op.
func opHolds(c int, op Op) bool {
	switch op {
	case OpEQ:
		return c == 0
	case OpLT:
		return c < 0
	case OpLE:
		return c <= 0
	case OpGT:
		return c > 0
	case OpGE:
		return c >= 0
	case OpNE:
		return c != 0
	}
	return false
}

func isBranch(v string) bool { return strings.HasPrefix(v, "dev-") }

// versionCompare is Constraint::versionCompare: dev-* branches equal only
// themselves, and unless compareBranches is set they satisfy no ordering.
func versionCompare(a, b string, op Op, compareBranches bool) bool {
	aBranch, bBranch := isBranch(a), isBranch(b)
	if op == OpNE && (aBranch || bBranch) {
		return a != b
	}
	if aBranch && bBranch {
		return op == OpEQ && a == b
	}
	if !compareBranches && (aBranch || bBranch) {
		return false
	}
	return phpCompareOp(a, b, op)
}

// CompareOp evaluates "a op b" on normalized versions exactly like composer's
// Comparator::compare (so Comparator::lessThan is CompareOp(a, "<", b)).
// Unlike constraint matching, dev-* branches are ordered here by
// version_compare against non-branches (dev-foo < 1.0), but two different
// branches are neither smaller, greater nor equal.
func CompareOp(a, op, b string) (bool, error) {
	o, err := ParseOp(op)
	if err != nil {
		return false, err
	}
	return compareOp(a, o, b), nil
}

// compareOp is Comparator::compare with a parsed operator:
// new Constraint(op, b)->matchSpecific(new Constraint('==', a), true).
func compareOp(a string, op Op, b string) bool {
	switch op {
	case OpEQ:
		return versionCompare(b, a, OpEQ, true)
	case OpNE:
		return versionCompare(a, b, OpNE, true)
	}
	return versionCompare(a, b, op, true)
}

// Compare orders two normalized versions with composer's Comparator: -1 if
// a < b, 1 if a > b, else 0. Zero therefore also means "unordered", which
// happens for two different dev-* branches (composer never orders branch
// names); use a == b to test identity.
func Compare(a, b string) int {
	// lessThan and greaterThan both reduce to version_compare(a, b) unless
	// both are branches, which are never ordered.
	if isBranch(a) && isBranch(b) {
		return 0
	}
	return PHPVersionCompare(a, b)
}
