package validate

import (
	"fmt"
	"path"
	"regexp"
	"strings"

	"github.com/cargoman/cargoman/internal/semver"
)

// Limits of the customer-access fields, documented in README.md.
const (
	MaxPackageScopes    = 100
	MaxPackagePattern   = 214
	MaxConstraintLen    = 1000
	MaxCollectionSlug   = 64
	MaxAccessListLength = 5000
)

// packagePatternPart is one side of a package pattern: Composer's name
// characters plus the * wildcard, starting and ending with a letter, digit
// or *.
var packagePatternPart = regexp.MustCompile(`^[a-z0-9*]([a-z0-9*_.-]*[a-z0-9*])?$`)

// PackagePattern checks a package scope of a customer token or JWT: a
// lower-case Composer name in which * stands for any run of characters
// other than "/", e.g. vendor/* or vendor/pkg-*.
func PackagePattern(s string) error {
	vendor, name, ok := strings.Cut(s, "/")
	switch {
	case len(s) > MaxPackagePattern:
		return fmt.Errorf("%q is longer than %d characters", s, MaxPackagePattern)
	case !ok || !packagePatternPart.MatchString(vendor) || !packagePatternPart.MatchString(name):
		return fmt.Errorf("%q is not a valid package pattern: use a lower-case vendor/name in which * matches any characters but /, e.g. vendor/* or vendor/package", s)
	}
	return nil
}

// PackageScopes checks the package scopes of a customer token or JWT; an
// empty list means every package the customer may see.
func PackageScopes(scopes []string) error {
	if len(scopes) > MaxPackageScopes {
		return fmt.Errorf("must have at most %d entries (got %d)", MaxPackageScopes, len(scopes))
	}
	for _, s := range scopes {
		if err := PackagePattern(s); err != nil {
			return err
		}
	}
	return nil
}

// MatchPackage reports whether the package name matches the pattern (a
// pattern PackagePattern accepts): * matches any run of characters but /.
func MatchPackage(pattern, name string) bool {
	ok, err := path.Match(pattern, name)
	return ok && err == nil
}

// MatchPackageScopes reports whether a token or JWT with these package
// scopes may reach the package name; no scopes match everything.
func MatchPackageScopes(scopes []string, name string) bool {
	if len(scopes) == 0 {
		return true
	}
	for _, p := range scopes {
		if MatchPackage(p, name) {
			return true
		}
	}
	return false
}

// Constraint checks a Composer version constraint such as ^1.0 or
// >=2.0 <3.0 || dev-main; the message is composer's own.
func Constraint(s string) error {
	if len(s) > MaxConstraintLen {
		return fmt.Errorf("must be at most %d characters", MaxConstraintLen)
	}
	if _, err := semver.ParseConstraint(s); err != nil {
		return err
	}
	return nil
}

var collectionSlugPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,63}$`)

// CollectionSlug checks the URL name of a collection, e.g. enterprise.
func CollectionSlug(s string) error {
	if !collectionSlugPattern.MatchString(s) {
		return fmt.Errorf("%q is not a valid slug: 1 to %d lower-case letters, digits and hyphens, starting with a letter or digit", s, MaxCollectionSlug)
	}
	return nil
}
