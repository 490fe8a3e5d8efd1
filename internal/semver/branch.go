package semver

import "strings"

// NormalizeBranch normalizes a VCS branch name (VersionParser::normalizeBranch):
// numeric branches become dev versions ("1.x" and "v1.*" ->
// "1.9999999.9999999.9999999-dev", "2.0" -> "2.0.9999999.9999999-dev"),
// anything else is prefixed with "dev-" ("master" -> "dev-master").
func NormalizeBranch(name string) string {
	name = phpTrim(name)
	m := reBranch.FindStringSubmatchIndex(name)
	if m == nil {
		return "dev-" + name
	}
	var b strings.Builder
	for i := 1; i <= 4; i++ {
		if m[2*i] < 0 {
			b.WriteString(".x")
			continue
		}
		part := name[m[2*i]:m[2*i+1]]
		part = strings.NewReplacer("*", "x", "X", "x").Replace(part)
		b.WriteString(part)
	}
	return strings.ReplaceAll(b.String(), "x", "9999999") + "-dev"
}

// DefaultBranchAlias is the normalized version composer 1 gave default
// branches (VersionParser::DEFAULT_BRANCH_ALIAS).
const DefaultBranchAlias = "9999999-dev"

// NormalizeDefaultBranch maps dev-master, dev-default and dev-trunk to
// DefaultBranchAlias and returns anything else unchanged
// (VersionParser::normalizeDefaultBranch; Semver::sort relies on it).
func NormalizeDefaultBranch(name string) string {
	switch name {
	case "dev-master", "dev-default", "dev-trunk":
		return DefaultBranchAlias
	}
	return name
}

// NumericAliasPrefix returns the numeric prefix of a dev version usable for
// comparisons ("2.1.x-dev" -> "2.1.", "1-dev" -> "1."), and false for
// anything else (VersionParser::parseNumericAliasPrefix).
func NumericAliasPrefix(branch string) (string, bool) {
	m := reNumAlias.FindStringSubmatchIndex(branch)
	if m == nil {
		return "", false
	}
	return group(branch, m, 1) + ".", true
}

// BranchVersion returns the pretty version Composer gives a VCS branch:
// numeric branches keep their shape with a dev suffix ("1.x" -> "1.x-dev",
// "2.0" -> "2.0.x-dev", "v2.4" -> "v2.4.x-dev"), other branches become
// "dev-<branch>" with '#' replaced by '+'. It does not check that Composer
// would accept the branch name at all; ParseBranch does.
func BranchVersion(branch string) string {
	v, _ := branchVersions(branch)
	return v
}

// ParseBranch returns the pretty and normalized versions Composer's
// VcsRepository assigns to a branch, or an error when Composer would skip
// the branch as having an invalid name (its normalized form is not a valid
// constraint).
func ParseBranch(branch string) (version, normalized string, err error) {
	if _, err := ParseConstraint(NormalizeBranch(branch)); err != nil {
		return "", "", err
	}
	version, normalized = branchVersions(branch)
	return version, normalized, nil
}

func branchVersions(branch string) (version, normalized string) {
	normalized = NormalizeBranch(branch)
	if strings.HasPrefix(normalized, "dev-") || normalized == DefaultBranchAlias {
		return "dev-" + strings.ReplaceAll(branch, "#", "+"), strings.ReplaceAll(normalized, "#", "+")
	}
	prefix := ""
	if strings.HasPrefix(branch, "v") {
		prefix = "v"
	}
	return prefix + reNines.ReplaceAllString(normalized, ".x"), normalized
}
