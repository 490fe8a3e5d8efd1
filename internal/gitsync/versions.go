package gitsync

import (
	"fmt"
	"strings"

	"github.com/cargoman/cargoman/internal/composerjson"
	"github.com/cargoman/cargoman/internal/semver"
	"github.com/cargoman/cargoman/internal/vcs"
)

// release is what one ref becomes: a version, or a reason to skip it.
type release struct {
	pretty, normalized string
	stability          semver.Stability
}

// tagVersion turns a tag name into a version by Composer's rules. A
// leading v is dropped from the shown version (v1.2.0 shows as 1.2.0).
func tagVersion(tag string) (release, error) {
	normalized, err := semver.Normalize(tag)
	if err != nil {
		return release{}, fmt.Errorf("tag %q is not a valid version: %w", tag, err)
	}
	if strings.HasSuffix(normalized, "-dev") {
		return release{}, fmt.Errorf("tag %q names a development version; tags must be releases", tag)
	}
	pretty := tag
	if len(pretty) > 1 && (pretty[0] == 'v' || pretty[0] == 'V') && pretty[1] >= '0' && pretty[1] <= '9' {
		pretty = pretty[1:]
	}
	return release{pretty: pretty, normalized: normalized, stability: semver.ParseStability(normalized)}, nil
}

// branchVersion turns a branch name into its dev version (dev-main,
// 1.x-dev).
func branchVersion(branch string) (release, error) {
	pretty, normalized, err := semver.ParseBranch(branch)
	if err != nil {
		return release{}, fmt.Errorf("branch %q cannot be a version: %w", branch, err)
	}
	return release{pretty: pretty, normalized: normalized, stability: semver.Dev}, nil
}

// refVersion is the version a ref stands for.
func refVersion(ref vcs.Ref) (release, error) {
	if ref.Kind == vcs.Tag {
		return tagVersion(ref.Name)
	}
	return branchVersion(ref.Name)
}

// checkManifest decides whether composer.json at a ref may become a
// version of pkgName, and whether it is safe to serve
// (composerjson.CheckServed); a refusal skips the ref with the reason.
func checkManifest(pkgName string, ref vcs.Ref, rel release, m *composerjson.Manifest) error {
	name := m.Name()
	switch {
	case name == "":
		return fmt.Errorf("composer.json has no name")
	case name != pkgName:
		return fmt.Errorf("composer.json names the package %q, not %q", name, pkgName)
	}
	if v, ok := m.Version(); ok && ref.Kind == vcs.Tag {
		n, err := semver.Normalize(v)
		if err != nil {
			return fmt.Errorf("composer.json version %q is invalid: %w", v, err)
		}
		if n != rel.normalized {
			return fmt.Errorf("composer.json declares version %q but the tag is %q", v, ref.Name)
		}
	}
	return composerjson.CheckServed(m)
}
