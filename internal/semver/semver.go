package semver

// Satisfies reports whether a version (pretty or normalized) satisfies a
// constraint string, like Semver::satisfies. It parses the constraint on
// every call: to test many versions, ParseConstraint once and call Matches
// with normalized versions.
func Satisfies(version, constraint string) (bool, error) {
	v, err := Normalize(version)
	if err != nil {
		return false, err
	}
	c, err := ParseConstraint(constraint)
	if err != nil {
		return false, err
	}
	return c.Matches(v), nil
}

// SatisfiedBy returns the versions that satisfy the constraint, in their
// original order (Semver::satisfiedBy). An invalid version or constraint is
// an error, as in composer.
func SatisfiedBy(versions []string, constraint string) ([]string, error) {
	c, err := ParseConstraint(constraint)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, v := range versions {
		n, err := Normalize(v)
		if err != nil {
			return nil, err
		}
		if c.Matches(n) {
			out = append(out, v)
		}
	}
	return out, nil
}
