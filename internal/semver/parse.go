package semver

import (
	"github.com/cargoman/cargoman/internal/phpstr"

	"errors"
	"regexp"
	"strings"
)

// ParseConstraint parses a composer constraint string
// (VersionParser::parseConstraints): "^1.2", "~1.2.3", "1.2.*", "1.0 - 2.0",
// ">=1.0 <2.0", "^1 || ^2", "dev-main", "1.x-dev", "@dev" and the rest.
// "||" (or "|") separates alternatives, a comma or space separates
// constraints that must all hold. The result can be kept and reused; its
// String() is the input. Errors wrap ErrInvalidConstraint and carry
// composer's message ("Could not parse version constraint ...").
func ParseConstraint(constraints string) (Constraint, error) {
	orParts := splitOr(phpTrim(constraints))
	groups := make([]Constraint, 0, len(orParts))
	for _, orPart := range orParts {
		andParts := splitAnd(orPart)
		var cs []Constraint
		for _, part := range andParts {
			parsed, err := parseSingle(part)
			if err != nil {
				return nil, err
			}
			cs = append(cs, parsed...)
		}
		if len(cs) == 1 {
			groups = append(groups, cs[0])
		} else {
			groups = append(groups, newMulti(cs, true))
		}
	}
	return withPretty(CreateMultiConstraint(groups, false), constraints), nil
}

// MustParseConstraint is ParseConstraint for constants known to be valid; it
// panics on error.
func MustParseConstraint(constraints string) Constraint {
	c, err := ParseConstraint(constraints)
	if err != nil {
		panic(err)
	}
	return c
}

// splitOr is preg_split('{\s*\|\|?\s*}', $s): empty pieces are kept, so a
// leading, trailing or tripled "|" yields an empty (invalid) constraint.
func splitOr(s string) []string {
	if strings.IndexByte(s, '|') < 0 {
		return []string{s}
	}
	var parts []string
	last := 0
	for _, m := range reOrSplit.FindAllStringIndex(s, -1) {
		parts = append(parts, s[last:m[0]])
		last = m[1]
	}
	return append(parts, s[last:])
}

// splitAnd splits one alternative into constraints that must all hold,
// emulating composer's
//
//	preg_split('{(?<!^|as|[=>< ,]) *(?<!-)[, ](?!-) *(?!,|as|$)}', $s)
//
// by trying, at each position, the greedy-first choices a backtracking
// engine would. It never splits after an operator, around the " - " of a
// hyphen range, or before/after the "as" of an alias.
func splitAnd(s string) []string {
	var parts []string
	last := 0
	for p := 1; p < len(s); {
		if end, ok := andSeparatorAt(s, p); ok {
			parts = append(parts, s[last:p])
			last, p = end, end
			continue
		}
		p++
	}
	return append(parts, s[last:])
}

// andSeparatorAt reports whether the AND separator matches starting at p,
// and where the match ends.
func andSeparatorAt(s string, p int) (int, bool) {
	// (?<!^|as|[=>< ,])
	if p == 0 || (p >= 2 && s[p-2:p] == "as") {
		return 0, false
	}
	switch s[p-1] {
	case '=', '>', '<', ' ', ',':
		return 0, false
	}
	for n1 := countSpaces(s, p); n1 >= 0; n1-- {
		q := p + n1 // the [, ] character
		if q >= len(s) || (s[q] != ',' && s[q] != ' ') {
			continue
		}
		if q > 0 && s[q-1] == '-' { // (?<!-)
			continue
		}
		if q+1 < len(s) && s[q+1] == '-' { // (?!-)
			continue
		}
		for n2 := countSpaces(s, q+1); n2 >= 0; n2-- {
			r := q + 1 + n2
			// (?!,|as|$) with PCRE's "$": end, or a final newline.
			if r < len(s) && s[r] == ',' {
				continue
			}
			if strings.HasPrefix(s[r:], "as") {
				continue
			}
			if r == len(s) || (r == len(s)-1 && s[r] == '\n') {
				continue
			}
			return r, true
		}
	}
	return 0, false
}

func countSpaces(s string, from int) int {
	n := 0
	for from+n < len(s) && s[from+n] == ' ' {
		n++
	}
	return n
}

// parseSingle is VersionParser::parseConstraint: one constraint without
// "||" or AND separators, which may still expand to a lower and upper bound.
func parseSingle(constraint string) ([]Constraint, error) {
	// Drop an alias: "dev-foo as 1.0" constrains dev-foo.
	if m := matchAlias(constraint); m != nil {
		constraint = group(constraint, m, 1)
	}

	// A stability flag ("^1.0@beta", "@dev") only matters for ranges on
	// stable versions, see the end of this function.
	stabilityModifier := ""
	if m := matchIf(strings.IndexByte(constraint, '@') >= 0, reConstraintFlg, constraint); m != nil {
		if flag := group(constraint, m, 2); flag != "stable" {
			stabilityModifier = flag
		}
		if v := group(constraint, m, 1); v != "" {
			constraint = v
		} else {
			constraint = "*"
		}
	}

	// "#ref" after a dev version pins a commit; constraints ignore it.
	if m := matchIf(strings.IndexByte(constraint, '#') >= 0, reRef, constraint); m != nil {
		constraint = group(constraint, m, 1)
	}

	if m := matchIf(constraint != "" && strings.IndexByte("vVxX*", constraint[0]) >= 0, reAnyWildcard, constraint); m != nil {
		if group(constraint, m, 1) != "" || group(constraint, m, 2) != "" {
			return []Constraint{newVC(OpGE, "0.0.0.0-dev")}, nil
		}
		return []Constraint{&MatchAllConstraint{}}, nil
	}

	if m := matchIf(strings.HasPrefix(constraint, "~"), reTilde, constraint); m != nil {
		return parseTilde(constraint, m)
	}
	if m := matchIf(strings.HasPrefix(constraint, "^"), reCaret, constraint); m != nil {
		return parseCaret(constraint, m)
	}
	if m := matchIf(strings.ContainsAny(constraint, "xX*"), reXRange, constraint); m != nil {
		return parseXRange(constraint, m), nil
	}
	if m := matchIf(strings.Contains(constraint, " - "), reHyphen, constraint); m != nil {
		return parseHyphen(constraint, m)
	}

	// Plain comparison: [op] version.
	m := reBasic.FindStringSubmatchIndex(constraint) // always matches
	opStr, rest := group(constraint, m, 1), group(constraint, m, 2)
	version, err := Normalize(rest)
	if err != nil && strings.HasSuffix(rest, "-dev") && reDevCandidate.MatchString(rest) {
		// "foobar-dev" means dev-foobar.
		version, err = Normalize("dev-" + rest[:len(rest)-4])
	}
	if err != nil {
		return nil, newError("Could not parse version constraint "+constraint+": "+err.Error(), ErrInvalidConstraint, ErrInvalidVersion)
	}
	if opStr == "" {
		opStr = "="
	}
	if opStr != "==" && opStr != "=" && stabilityModifier != "" && ParseStability(version) == Stable {
		version += "-" + stabilityModifier
	} else if (opStr == "<" || opStr == ">=") && !reHasModifier.MatchString(phpstr.Lower(rest)) && !strings.HasPrefix(rest, "dev-") {
		// "<2.0" must exclude 2.0's pre-releases, ">=2.0" include them.
		version += "-dev"
	}
	op, _ := ParseOp(opStr)
	return []Constraint{newVC(op, version)}, nil
}

// matchIf runs re only when a cheap test shows it could match: each test
// is implied by its pattern, so results are unchanged.
func matchIf(possible bool, re *regexp.Regexp, s string) []int {
	if !possible {
		return nil
	}
	return re.FindStringSubmatchIndex(s)
}

// parseTilde handles "~1.2" (>=1.2 <2.0) and "~1.2.3" (>=1.2.3 <1.3).
func parseTilde(constraint string, m []int) ([]Constraint, error) {
	if strings.HasPrefix(constraint, "~>") {
		return nil, newError("Could not parse version constraint "+constraint+`: Invalid operator "~>", you probably meant to use the "~" operator`, ErrInvalidConstraint)
	}
	position := 1
	switch {
	case group(constraint, m, 4) != "":
		position = 4
	case group(constraint, m, 3) != "":
		position = 3
	case group(constraint, m, 2) != "":
		position = 2
	}
	// "~2.x-dev" and "~3.0.x-dev" count the wildcard as a position.
	if group(constraint, m, 8) != "" {
		position++
	}
	low, err := Normalize((constraint + devSuffixUnlessModified(constraint, m, 5))[1:])
	if err != nil {
		return nil, asConstraintError(err)
	}
	high := bumpVersion(numberGroups(constraint, m, 1), max(1, position-1), true) + "-dev"
	return []Constraint{newVC(OpGE, low), newVC(OpLT, high)}, nil
}

// parseCaret handles "^1.2.3" (>=1.2.3 <2.0), "^0.3" (>=0.3 <0.4), "^0.0.3".
func parseCaret(constraint string, m []int) ([]Constraint, error) {
	g := numberGroups(constraint, m, 1)
	position := 3
	switch {
	case g[1] != "0" || g[2] == "":
		position = 1
	case g[2] != "0" || g[3] == "":
		position = 2
	}
	low, err := Normalize((constraint + devSuffixUnlessModified(constraint, m, 5))[1:])
	if err != nil {
		return nil, asConstraintError(err)
	}
	high := bumpVersion(g, position, true) + "-dev"
	return []Constraint{newVC(OpGE, low), newVC(OpLT, high)}, nil
}

// parseXRange handles "1.2.*", "2.x", "1.2.x.x": >=low-dev <next-dev.
func parseXRange(constraint string, m []int) []Constraint {
	g := numberGroups(constraint, m, 1)
	position := 1
	switch {
	case g[3] != "":
		position = 3
	case g[2] != "":
		position = 2
	}
	low := bumpVersion(g, position, false) + "-dev"
	high := bumpVersion(g, position, true) + "-dev"
	if low == "0.0.0.0-dev" {
		return []Constraint{newVC(OpLT, high)}
	}
	return []Constraint{newVC(OpGE, low), newVC(OpLT, high)}
}

// parseHyphen handles "1.0 - 2.0": inclusive at both ends, where a partial
// upper version ("2.0") means "anything that starts with it" (<2.1-dev).
func parseHyphen(constraint string, m []int) ([]Constraint, error) {
	lowSuffix := devSuffixUnlessModified(constraint, m, 6)
	low, err := Normalize(group(constraint, m, 1))
	if err != nil {
		return nil, asConstraintError(err)
	}
	lower := newVC(OpGE, low+lowSuffix)

	to := group(constraint, m, 10)
	hi := numberGroups(constraint, m, 11)
	if (hi[2] != "" && hi[3] != "") || group(constraint, m, 15) != "" || group(constraint, m, 17) != "" || group(constraint, m, 18) != "" {
		high, err := Normalize(to)
		if err != nil {
			return nil, asConstraintError(err)
		}
		return []Constraint{lower, newVC(OpLE, high)}, nil
	}
	if _, err := Normalize(to); err != nil {
		return nil, asConstraintError(err)
	}
	position := 2
	if hi[2] == "" {
		position = 1
	}
	return []Constraint{lower, newVC(OpLT, bumpVersion(hi, position, true)+"-dev")}, nil
}

// devSuffixUnlessModified is the "-dev" composer appends to a range's lower
// bound unless the version names a stability (groups stab, stab+2 and
// stab+3 are the stability word, the dev suffix and the .x-dev wildcard).
func devSuffixUnlessModified(s string, m []int, stab int) string {
	if group(s, m, stab) == "" && group(s, m, stab+2) == "" && group(s, m, stab+3) == "" {
		return "-dev"
	}
	return ""
}

// numberGroups returns the four version numbers captured from group first
// on, indexed 1-4 like composer's $matches.
func numberGroups(s string, m []int, first int) [5]string {
	var g [5]string
	for i := 1; i <= 4; i++ {
		g[i] = group(s, m, first+i-1)
	}
	return g
}

// bumpVersion is manipulateVersionString: zero the numbers after position
// and, if increment is set, add one to the number at position (with PHP's
// integer/float arithmetic). Earlier numbers are kept verbatim.
func bumpVersion(g [5]string, position int, increment bool) string {
	for i := 4; i > 0; i-- {
		switch {
		case i > position:
			g[i] = "0"
		case i == position && increment:
			g[i] = phpIncrement(g[i])
		}
	}
	return g[1] + "." + g[2] + "." + g[3] + "." + g[4]
}

// asConstraintError keeps a version error's message (composer lets the
// exception through unchanged) but also marks it as a constraint error.
func asConstraintError(err error) error {
	var e *Error
	if errors.As(err, &e) {
		return newError(e.msg, append([]error{ErrInvalidConstraint}, e.kinds...)...)
	}
	return newError(err.Error(), ErrInvalidConstraint, err)
}
