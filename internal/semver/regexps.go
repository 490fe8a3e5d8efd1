package semver

import (
	"regexp"
	"strings"
)

// composer/semver is built on PCRE patterns. Go's regexp (RE2) picks the same
// submatches as a backtracking engine for patterns without possessive
// quantifiers, lookaround or back-references, so the patterns below are
// composer's, rewritten where PCRE and RE2 differ:
//
//   - PCRE's "\s" includes \v (vertical tab), RE2's does not: spell the class out.
//   - PCRE's "$" also matches before a final "\n": write "\n?$" where the
//     token before it cannot consume "\n" (so captures are unchanged).
//   - PCRE's /i folds ASCII only, RE2's (?i) folds Unicode (ſ matches s, K
//     matches k): spell letters as [sS] classes instead.
//   - Possessive quantifiers ("++", "*+") are written greedy; in every pattern
//     here nothing after them can match what they would give back.
//   - Lookbehind/lookahead (the AND separator) is hand-written in splitAnd.

// ws is PCRE's \s without Unicode support.
const ws = `\t\n\v\f\r `

// eol is PCRE's "$" (end of subject, or before a final newline).
const eol = `\n?$`

// ci spells an ASCII word case-insensitively, e.g. "dev" -> "[dD][eE][vV]".
func ci(word string) string {
	var b strings.Builder
	for i := 0; i < len(word); i++ {
		c := word[i]
		switch {
		case c >= 'a' && c <= 'z':
			b.WriteString("[" + string(c) + string(c-'a'+'A') + "]")
		case c >= 'A' && c <= 'Z':
			b.WriteString("[" + string(c-'A'+'a') + string(c) + "]")
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	return b.String()
}

// ciAlt spells an alternation of words case-insensitively.
func ciAlt(words ...string) string {
	parts := make([]string, len(words))
	for i, w := range words {
		parts[i] = ci(w)
	}
	return strings.Join(parts, "|")
}

// modifier is VersionParser::$modifierRegex (pre-release/patch/dev suffix).
// Groups: 1 stability word, 2 its number, 3 dev suffix.
func modifier(caseInsensitive bool) string {
	words := []string{"stable", "beta", "b", "RC", "alpha", "a", "patch", "pl", "p"}
	alt, dev := strings.Join(words, "|"), "dev"
	if caseInsensitive {
		alt, dev = ciAlt(words...), ci("dev")
	}
	return `[._-]?(?:(` + alt + `)((?:[.-]?\d+)*)?)?([.-]?` + dev + `)?`
}

// versionRE is the version part of parseConstraint's tilde, caret and hyphen
// patterns (case-insensitive). Groups: 1-4 numbers, 5 stability, 6 its
// number, 7 dev suffix, 8 ".x-dev" wildcard.
var versionRE = `[vV]?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:\.(\d+))?(?:` + modifier(true) +
	`|\.([xX*][.-]?` + ci("dev") + `))(?:\+[^` + ws + `]+)?`

var stabilityFlagWords = ciAlt("stable", "RC", "beta", "alpha", "dev")

var (
	// normalize
	reAlias    = regexp.MustCompile(`^([^,` + ws + `]+) +as +([^,` + ws + `]+)` + eol)
	reBuild    = regexp.MustCompile(`^([^,` + ws + `+]+)\+[^` + ws + `]+` + eol)
	reDate     = regexp.MustCompile(`^[vV]?(\d{4}(?:[.:-]?\d{2}){1,6}(?:[.:-]?\d{1,3}){0,2})` + modifier(true) + eol)
	reDevTail  = regexp.MustCompile(`(.*?)[.-]?` + ci("dev") + eol)
	reBranch   = regexp.MustCompile(`^[vV]?(\d+)(\.(?:\d+|[xX*]))?(\.(?:\d+|[xX*]))?(\.(?:\d+|[xX*]))?` + eol)
	reNumAlias = regexp.MustCompile(`^((?:\d+\.)*\d+)(?:\.[xX])?-` + ci("dev") + eol)

	// parseStability runs on a lower-cased version, so a lower-case pattern
	// is equivalent to composer's case-insensitive one.
	reStabilityTail = regexp.MustCompile(strings.Replace(modifier(false), "RC", "rc", 1) + `(?:\+.*)?` + eol)

	// parseConstraints / parseConstraint
	reOrSplit       = regexp.MustCompile(`[` + ws + `]*\|\|?[` + ws + `]*`)
	reConstraintFlg = regexp.MustCompile(`^([^,` + ws + `]*?)@(` + stabilityFlagWords + `)` + eol)
	reRef           = regexp.MustCompile(`^(` + ci("dev-") + `[^,` + ws + `@]+?|[^,` + ws + `@]+?\.` + ci("x-dev") + `)#.+` + eol)
	reAnyWildcard   = regexp.MustCompile(`^([vV])?[xX*](\.[xX*])*` + eol)
	reTilde         = regexp.MustCompile(`^~>?` + versionRE + eol)
	reCaret         = regexp.MustCompile(`^\^` + versionRE + `(` + eol + `)`)
	reXRange        = regexp.MustCompile(`^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:\.[xX*])+` + eol)
	reHyphen        = regexp.MustCompile(`^(` + versionRE + `) +- +(` + versionRE + `)(` + eol + `)`)
	reBasic         = regexp.MustCompile(`^(<>|!=|>=?|<=?|==?)?[` + ws + `]*(.*)`)
	reDevCandidate  = regexp.MustCompile(`^[0-9a-zA-Z\-./]+` + eol)
	reHasModifier   = regexp.MustCompile(`-` + modifier(false) + eol)

	// VcsRepository's pretty branch version
	reNines = regexp.MustCompile(`(\.9{7})+`)
)
