package composerjson

import (
	"github.com/cargoman/cargoman/internal/phpstr"

	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// ErrInvalidName is wrapped by every CheckName error, for errors.Is.
var ErrInvalidName = errors.New("invalid package name")

// namePattern is the "name" pattern of composer/composer res/composer-schema.json.
var namePattern = regexp.MustCompile(`^[a-z0-9]([_.-]?[a-z0-9]+)*/[a-z0-9](([_.]|-{1,2})?[a-z0-9]+)*$`)

// reservedNames are Windows device names, refused as vendor or package name
// by ValidatingArrayLoader::hasPackageNamingError because they cannot be
// directories on Windows.
var reservedNames = []string{"nul", "con", "prn", "aux",
	"com1", "com2", "com3", "com4", "com5", "com6", "com7", "com8", "com9",
	"lpt1", "lpt2", "lpt3", "lpt4", "lpt5", "lpt6", "lpt7", "lpt8", "lpt9"}

// platformPattern is PlatformRepository::PLATFORM_PACKAGE_REGEX: names like
// php, ext-json or lib-curl that Composer resolves from the running system.
var platformPattern = regexp.MustCompile(`(?i)^(?:php(?:-64bit|-ipv6|-zts|-debug)?|hhvm|(?:ext|lib)-[a-z0-9](?:[_.-]?[a-z0-9]+)*|composer(?:-(?:plugin|runtime)-api)?)$`)

// ValidName reports whether name is a publishable Composer package name:
// it matches the schema pattern and is neither reserved nor ending in .json.
func ValidName(name string) bool {
	return namePattern.MatchString(name) && nameRuleError(name) == ""
}

// IsPlatformPackage reports whether name is a platform requirement (php,
// ext-*, lib-*, composer-plugin-api, ...), which needs no vendor prefix.
func IsPlatformPackage(name string) bool { return platformPattern.MatchString(name) }

// CheckName explains why name is not valid, or returns nil when ValidName
// would return true. The message says which part is wrong and how to fix it.
func CheckName(name string) error {
	if msg := nameError(name); msg != "" {
		return fmt.Errorf("%w: %s", ErrInvalidName, msg)
	}
	return nil
}

func nameError(name string) string {
	if name == "" {
		return "package name is empty"
	}
	vendor, pkg, found := strings.Cut(name, "/")
	if !found {
		return fmt.Sprintf("%q must be a vendor name, a forward slash and a package name such as \"acme/logger\"", name)
	}
	if strings.Contains(pkg, "/") {
		return fmt.Sprintf("%q must contain exactly one forward slash", name)
	}
	if msg := partError("vendor name", vendor, false); msg != "" {
		return fmt.Sprintf("%q: %s", name, msg)
	}
	if msg := partError("package name", pkg, true); msg != "" {
		return fmt.Sprintf("%q: %s", name, msg)
	}
	return nameRuleError(name)
}

// nameRuleError checks the rules beyond the pattern (reserved, .json,
// upper case); name's characters are already known to be acceptable.
func nameRuleError(name string) string {
	vendor, pkg, _ := strings.Cut(phpstr.Lower(name), "/")
	if slices.Contains(reservedNames, vendor) || slices.Contains(reservedNames, pkg) {
		return fmt.Sprintf("%q is reserved: vendor and package names cannot be any of %s", name, strings.Join(reservedNames, ", "))
	}
	if strings.HasSuffix(phpstr.Lower(name), ".json") {
		return fmt.Sprintf("%q cannot end in .json; consider a -json suffix instead", name)
	}
	if phpstr.Lower(name) != name {
		return fmt.Sprintf("%q must not contain uppercase characters; use %q instead", name, suggestLowercase(name))
	}
	return ""
}

// partError checks one side of the slash, ignoring case (case is reported
// separately with a suggestion). Vendor names separate words with one of
// "-", "_", "."; package names also allow "--".
func partError(what, part string, allowDoubleDash bool) string {
	if part == "" {
		return what + " is empty"
	}
	for _, r := range part {
		if !isNameAlnum(r) && r != '-' && r != '_' && r != '.' {
			return fmt.Sprintf("%s %q contains %q; only letters a-z, digits and the separators -, _ and . are allowed", what, part, r)
		}
	}
	if !isNameAlnum(rune(part[0])) || !isNameAlnum(rune(part[len(part)-1])) {
		return fmt.Sprintf("%s %q must start and end with a letter or digit", what, part)
	}
	for i := 0; i < len(part); {
		j := i
		for j < len(part) && !isNameAlnum(rune(part[j])) {
			j++
		}
		if sep := part[i:j]; len(sep) > 1 && !(allowDoubleDash && sep == "--") {
			allowed := `a single "-", "_" or "."`
			if allowDoubleDash {
				allowed = `a single "-", "_" or ".", or "--"`
			}
			return fmt.Sprintf("%s %q has the separator %q; separate words with %s", what, part, sep, allowed)
		}
		i = j + 1
	}
	return ""
}

func isNameAlnum(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
}

var camelBoundary = regexp.MustCompile(`([a-z])([A-Z])|([A-Z])([A-Z][a-z])`)

// suggestLowercase turns "Acme/FooBar" into "acme/foo-bar", as Composer suggests.
func suggestLowercase(name string) string {
	return phpstr.Lower(camelBoundary.ReplaceAllString(name, "${1}${3}-${2}${4}"))
}
