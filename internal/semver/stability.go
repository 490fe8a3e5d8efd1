package semver

import "github.com/cargoman/cargoman/internal/phpstr"

import "strings"

// Stability is a package stability. The values are composer's
// BasePackage::STABILITIES, so a smaller value means more stable and
// "minimum-stability" checks are plain comparisons.
type Stability int8

// Stabilities, most stable first.
const (
	Stable Stability = 0
	RC     Stability = 5
	Beta   Stability = 10
	Alpha  Stability = 15
	Dev    Stability = 20
)

// String returns composer's spelling: stable, RC, beta, alpha or dev.
func (s Stability) String() string {
	switch s {
	case Stable:
		return "stable"
	case RC:
		return "RC"
	case Beta:
		return "beta"
	case Alpha:
		return "alpha"
	case Dev:
		return "dev"
	}
	return "Stability(" + itoa(int(s)) + ")"
}

// ParseStability returns the stability of a (pretty or normalized) version,
// like VersionParser::parseStability: dev for dev-* and *-dev, otherwise the
// pre-release word of the version's suffix; patch levels and unknown
// suffixes are stable. It never fails.
func ParseStability(version string) Stability {
	version = stripHashRef(version)
	if strings.HasPrefix(version, "dev-") || strings.HasSuffix(version, "-dev") {
		return Dev
	}
	lower := phpstr.Lower(version)
	m := reStabilityTail.FindStringSubmatchIndex(lower)
	if m == nil {
		return Stable
	}
	if m[6] >= 0 && m[7] > m[6] {
		return Dev
	}
	if m[2] >= 0 {
		switch lower[m[2]:m[3]] {
		case "beta", "b":
			return Beta
		case "alpha", "a":
			return Alpha
		case "rc":
			return RC
		}
	}
	return Stable
}

// stripHashRef removes a trailing "#reference" the way parseStability's
// preg_replace of '{#.+$}' does: from the first '#' whose tail holds no
// newline except possibly a final one (which PCRE's "$" leaves in place).
func stripHashRef(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] != '#' {
			continue
		}
		rest := s[i+1:]
		nl := strings.IndexByte(rest, '\n')
		switch {
		case nl < 0 && len(rest) > 0:
			return s[:i]
		case nl > 0 && nl == len(rest)-1:
			return s[:i] + "\n"
		}
	}
	return s
}

// NormalizeStability maps a stability name, in any case, to its Stability
// (VersionParser::normalizeStability).
func NormalizeStability(name string) (Stability, error) {
	switch phpstr.Lower(name) {
	case "stable":
		return Stable, nil
	case "rc":
		return RC, nil
	case "beta":
		return Beta, nil
	case "alpha":
		return Alpha, nil
	case "dev":
		return Dev, nil
	}
	return 0, newError(`Invalid stability string "`+phpstr.Lower(name)+`", expected one of stable, RC, beta, alpha or dev`, ErrInvalidStability)
}
