package artifact

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/cargoman/cargoman/internal/composerjson"
	"github.com/cargoman/cargoman/internal/semver"
)

// VersionOf decides the version an upload is published as: explicit (the
// uploader's form field) when not blank, else composer.json "version". It
// returns the pretty version as written (trimmed) and Composer's normalized
// form.
//
// Rules:
//   - neither given: ErrNoVersion;
//   - not a version Composer's VersionParser::normalize accepts, or written
//     with an alias ("1.0 as 2.0"), a stability flag ("1.0@beta"), a commit
//     reference ("dev-main#abc") or inner blanks: ErrInvalidVersion;
//   - a dev version ("dev-main", "master", "2.x-dev", "1.0.0-dev") only when
//     given explicitly: a stale "version": "dev-master" left in composer.json
//     must not silently turn a release upload into a moving branch, so that
//     case is ErrDevVersion. A caller that accepts an explicit dev version
//     replaces that version's archive on every upload, as a branch would.
//
// The explicit version wins over a different composer.json "version":
// Composer installs from the registry's metadata, so the file's value does
// not matter once published.
func VersionOf(m *composerjson.Manifest, explicit string) (pretty, normalized string, err error) {
	from := "the version"
	pretty = strings.TrimSpace(explicit)
	if pretty == "" && m != nil {
		if v, ok := m.Version(); ok {
			pretty = strings.TrimSpace(v)
			from = `composer.json "version"`
		}
	}
	if pretty == "" {
		return "", "", fmt.Errorf("%w: give the version to publish, or set \"version\" in composer.json", ErrNoVersion)
	}
	if len(pretty) > 255 {
		return "", "", fmt.Errorf("%w: %s is longer than 255 characters", ErrInvalidVersion, from)
	}
	for _, r := range pretty {
		switch {
		case unicode.IsSpace(r):
			return "", "", fmt.Errorf("%w: %s %q contains blanks (aliases such as \"1.0 as 2.0\" are not allowed)", ErrInvalidVersion, from, pretty)
		case r == '@':
			return "", "", fmt.Errorf("%w: %s %q contains a stability flag", ErrInvalidVersion, from, pretty)
		case r == '#':
			return "", "", fmt.Errorf("%w: %s %q contains a commit reference", ErrInvalidVersion, from, pretty)
		}
	}
	normalized, err = semver.Normalize(pretty)
	if err != nil {
		return "", "", fmt.Errorf("%w: %s: %w", ErrInvalidVersion, from, err)
	}
	if semver.ParseStability(normalized) == semver.Dev && strings.TrimSpace(explicit) == "" {
		return "", "", fmt.Errorf("%w: composer.json \"version\" is the dev version %q; give the version explicitly to publish a dev build, or remove \"version\" and give a release version",
			ErrDevVersion, pretty)
	}
	return pretty, normalized, nil
}
