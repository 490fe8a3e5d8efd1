package semver

import "github.com/cargoman/cargoman/internal/phpstr"

import "strings"

// Normalize turns a version string into the normalized form composer stores
// as version_normalized and compares on (VersionParser::normalize):
// "v1.2.3" -> "1.2.3.0", "1.0.0-RC2" -> "1.0.0.0-RC2", "1.x-dev" ->
// "1.9999999.9999999.9999999-dev", "master" -> "dev-master". Aliases
// ("dev-x as 1.0"), @stability flags and build metadata are dropped.
// Errors wrap ErrInvalidVersion and carry composer's message.
func Normalize(version string) (string, error) {
	return normalize(version, "", false)
}

// NormalizeInContext is Normalize with composer's optional $fullVersion: the
// whole "<source> as <alias>" string the version came from, which only makes
// the error message say whether the alias or its source is at fault.
func NormalizeInContext(version, fullVersion string) (string, error) {
	return normalize(version, fullVersion, true)
}

// IsValid reports whether Normalize accepts version (VersionParser::isValid).
func IsValid(version string) bool {
	_, err := Normalize(version)
	return err == nil
}

func normalize(raw, fullVersion string, hasFull bool) (string, error) {
	version := phpTrim(raw)
	if v, ok := fastNormalize(version); ok {
		return v, nil
	}
	orig := version
	if !hasFull {
		fullVersion = version
	}

	if m := matchAlias(version); m != nil {
		version = group(version, m, 1)
	}
	version = stripStabilityFlag(version)

	switch version {
	case "master", "trunk", "default":
		version = "dev-" + version
	}
	if hasPrefixFold(version, "dev-") {
		return "dev-" + version[4:], nil
	}

	if strings.IndexByte(version, '+') >= 0 {
		if m := reBuild.FindStringSubmatchIndex(version); m != nil {
			version = group(version, m, 1)
		}
	}

	if v, ok := matchClassical(version); ok {
		return v, nil
	}
	if m := reDate.FindStringSubmatchIndex(version); m != nil {
		b := []byte(group(version, m, 1))
		for i, c := range b {
			if !isDigit(c) {
				b[i] = '.'
			}
		}
		return addModifiers(string(b), version, m, 2), nil
	}

	// "<numeric branch>-dev"; anything that would need a dev- prefix is
	// rejected, since it should have been written dev-<name>.
	if m := reDevTail.FindStringSubmatchIndex(version); m != nil {
		if n := NormalizeBranch(group(version, m, 1)); !strings.Contains(n, "dev-") {
			return n, nil
		}
	}

	extra := ""
	if isAliasTarget(fullVersion, version) {
		extra = ` in "` + fullVersion + `", the alias must be an exact version`
	} else if isAliasSource(fullVersion, version) {
		extra = ` in "` + fullVersion + `", the alias source must be an exact version, if it is a branch name you should prefix it with dev-`
	}
	return "", newError(`Invalid version string "`+orig+`"`+extra, ErrInvalidVersion)
}

// matchAlias runs the "<source> as <alias>" pattern, skipping the regular
// expression when the string cannot contain " as ".
func matchAlias(s string) []int {
	if !strings.Contains(s, " as ") {
		return nil
	}
	return reAlias.FindStringSubmatchIndex(s)
}

// fastNormalize handles the overwhelmingly common plain numeric versions
// ("1.2.3", "v2.0", "1.2.3.4") without regular expressions. It accepts
// exactly what the classical pattern accepts without a modifier, and returns
// the input itself (no allocation) when it is already normalized.
func fastNormalize(s string) (string, bool) {
	i := 0
	if len(s) > 0 && (s[0] == 'v' || s[0] == 'V') {
		i = 1
	}
	start := i
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	if i == start || i-start > 5 {
		return "", false
	}
	parts := 1
	for i < len(s) {
		if s[i] != '.' || parts == 4 {
			return "", false
		}
		i++
		d := i
		for i < len(s) && isDigit(s[i]) {
			i++
		}
		if i == d {
			return "", false
		}
		parts++
	}
	v := s[start:]
	if parts == 4 {
		return v, true
	}
	return v + ".0.0.0"[:2*(4-parts)], true
}

// classicalWords are the modifier words of composer's $modifierRegex, in
// its alternation order.
var classicalWords = [...]string{"stable", "beta", "b", "rc", "alpha", "a", "patch", "pl", "p"}

// matchClassical normalizes a "classical" version, doing by hand what
// normalize's pattern
//
//	^v?(\d{1,5}+)(\.\d++)?(\.\d++)?(\.\d++)?[._-]?(?:(stable|beta|b|RC|alpha|a|patch|pl|p)((?:[.-]?\d+)*+)?)?([.-]?dev)?$   (case-insensitive)
//
// does (it is the bulk of normalization work). Every step takes the one
// choice a backtracking match could succeed with: giving back digits or a
// separator, or trying a shorter word, always leaves something later parts
// cannot consume. FuzzNormalize checks it against the pattern.
func matchClassical(s string) (string, bool) {
	i := 0
	if i < len(s) && (s[i] == 'v' || s[i] == 'V') {
		i++
	}
	start := i
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	if i == start || i-start > 5 {
		return "", false
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	b.WriteString(s[start:i])
	for n := 0; n < 3; n++ {
		if i+1 < len(s) && s[i] == '.' && isDigit(s[i+1]) {
			j := i + 1
			for j < len(s) && isDigit(s[j]) {
				j++
			}
			b.WriteString(s[i:j])
			i = j
		} else {
			b.WriteString(".0")
		}
	}
	// [._-]? : leaving the separator to the dev suffix instead ("1.0-dev")
	// matches the same strings with the same result.
	if i < len(s) && (s[i] == '.' || s[i] == '_' || s[i] == '-') {
		i++
	}
	word, nums := "", ""
	for _, w := range classicalWords {
		if hasPrefixFold(s[i:], w) {
			word = s[i : i+len(w)]
			i += len(w)
			j := i
			for {
				k := j
				if k < len(s) && (s[k] == '.' || s[k] == '-') {
					k++
				}
				if k >= len(s) || !isDigit(s[k]) {
					break
				}
				for k < len(s) && isDigit(s[k]) {
					k++
				}
				j = k
			}
			nums, i = s[i:j], j
			break
		}
	}
	dev := false
	if j := i; j < len(s) {
		if s[j] == '.' || s[j] == '-' {
			j++
		}
		if hasPrefixFold(s[j:], "dev") {
			dev, i = true, j+3
		}
	}
	if i != len(s) && !(i == len(s)-1 && s[i] == '\n') {
		return "", false
	}
	if word != "" {
		if word == "stable" {
			return b.String(), true
		}
		b.WriteString("-" + expandStability(word) + strings.TrimLeft(nums, ".-"))
	}
	if dev {
		b.WriteString("-dev")
	}
	return b.String(), true
}

// stripStabilityFlag drops a trailing "@stable", "@RC", ... (any case), as
// normalize's '{@(?:stable|RC|beta|alpha|dev)$}i' does. The version is
// trimmed at this point, so "$" is the end of the string.
func stripStabilityFlag(v string) string {
	for _, w := range [...]string{"stable", "rc", "beta", "alpha", "dev"} {
		n := len(v) - len(w) - 1
		if n >= 0 && v[n] == '@' && hasPrefixFold(v[n+1:], w) {
			return v[:n]
		}
	}
	return v
}

// addModifiers appends the pre-release/patch/dev suffix matched by the
// modifier groups starting at index idx.
func addModifiers(version, s string, m []int, idx int) string {
	if stab := group(s, m, idx); stab != "" {
		if stab == "stable" {
			return version
		}
		version += "-" + expandStability(stab) + strings.TrimLeft(group(s, m, idx+1), ".-")
	}
	if group(s, m, idx+2) != "" {
		version += "-dev"
	}
	return version
}

func expandStability(s string) string {
	s = phpstr.Lower(s)
	switch s {
	case "a":
		return "alpha"
	case "b":
		return "beta"
	case "p", "pl":
		return "patch"
	case "rc":
		return "RC"
	}
	return s
}

var stabilityFlags = [...]string{"", "@stable", "@RC", "@beta", "@alpha", "@dev"}

// isAliasTarget reports whether full matches '{ +as +<version>(?:@(?:stable|RC|beta|alpha|dev))?$}'.
func isAliasTarget(full, version string) bool {
	ends := []string{full}
	if strings.HasSuffix(full, "\n") {
		ends = append(ends, full[:len(full)-1])
	}
	for _, s := range ends {
		for _, flag := range stabilityFlags {
			tail := version + flag
			if strings.HasSuffix(s, tail) && endsWithSpacedAs(s[:len(s)-len(tail)]) {
				return true
			}
		}
	}
	return false
}

// isAliasSource reports whether full matches '{^<version>(?:@(?:stable|RC|beta|alpha|dev))? +as +}'.
func isAliasSource(full, version string) bool {
	if !strings.HasPrefix(full, version) {
		return false
	}
	rest := full[len(version):]
	for _, flag := range stabilityFlags {
		if strings.HasPrefix(rest, flag) && startsWithSpacedAs(rest[len(flag):]) {
			return true
		}
	}
	return false
}

// endsWithSpacedAs: s matches '/ +as +$/' with "$" at the very end.
func endsWithSpacedAs(s string) bool {
	t := strings.TrimRight(s, " ")
	if len(t) == len(s) || !strings.HasSuffix(t, "as") {
		return false
	}
	t = t[:len(t)-2]
	return strings.HasSuffix(t, " ")
}

// startsWithSpacedAs: s matches '/^ +as +/'.
func startsWithSpacedAs(s string) bool {
	t := strings.TrimLeft(s, " ")
	if len(t) == len(s) || !strings.HasPrefix(t, "as") {
		return false
	}
	return strings.HasPrefix(t[2:], " ")
}
