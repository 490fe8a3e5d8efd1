// Package validate holds the field rules of the data model. ent schemas use
// them as field validators, so every writer (GraphQL, REST, workers) gets the
// same rules and the same messages.
package validate

import (
	"fmt"
	"net/mail"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits of free-text fields, documented in README.md.
const (
	MaxNameLen       = 200
	MaxEmailLen      = 254
	MaxExternalIDLen = 255
	MaxReasonLen     = 1000
)

// Text returns a validator for a required single-line text of at most max
// characters without surrounding white space.
func Text(max int) func(string) error {
	return func(s string) error {
		n := utf8.RuneCountInString(s)
		switch {
		case strings.TrimSpace(s) == "":
			return fmt.Errorf("must not be empty")
		case n > max:
			return fmt.Errorf("must be at most %d characters (got %d)", max, n)
		case strings.TrimSpace(s) != s:
			return fmt.Errorf("must not start or end with white space")
		case strings.ContainsAny(s, "\r\n"):
			return fmt.Errorf("must be a single line")
		}
		return Identifier(s)
	}
}

// FreeText checks the characters of any text a caller sends: valid UTF-8,
// no NUL (PostgreSQL cannot store it) and no control characters other than
// tab, line feed and carriage return. It is the rule every GraphQL String
// input passes (graph/scalar), so no input type can forget it.
func FreeText(s string) error {
	if !utf8.ValidString(s) {
		return fmt.Errorf("must be valid UTF-8")
	}
	for _, r := range s {
		if r == 0 {
			return fmt.Errorf("must not contain a NUL character")
		}
		if unicode.IsControl(r) && r != '\t' && r != '\n' && r != '\r' {
			return fmt.Errorf("must not contain control character %U", r)
		}
	}
	return nil
}

// Identifier checks the characters of a name, slug or other single-line
// identifier: FreeText's rule without tab or line breaks, and without the
// bidirectional controls that make a name display as something else
// (CVE-2021-42574, "Trojan Source").
func Identifier(s string) error {
	if err := FreeText(s); err != nil {
		return err
	}
	for _, r := range s {
		switch {
		case unicode.IsControl(r):
			return fmt.Errorf("must not contain control character %U", r)
		case IsBidiControl(r):
			return fmt.Errorf("must not contain bidirectional control character %U", r)
		}
	}
	return nil
}

// IsBidiControl reports the Unicode bidirectional formatting characters
// (embeddings, overrides, isolates and marks).
func IsBidiControl(r rune) bool {
	switch {
	case r == '\u061C', r == '\u200E', r == '\u200F':
		return true
	case r >= '\u202A' && r <= '\u202E':
		return true
	case r >= '\u2066' && r <= '\u2069':
		return true
	}
	return false
}

// Email checks a bare e-mail address such as dev@acme.com.
func Email(s string) error {
	if len(s) > MaxEmailLen {
		return fmt.Errorf("must be at most %d characters", MaxEmailLen)
	}
	addr, err := mail.ParseAddress(s)
	if err != nil || addr.Address != s || addr.Name != "" {
		return fmt.Errorf("%q is not a valid e-mail address", s)
	}
	return nil
}

var externalIDPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._:@+-]*$`)

// ExternalID checks an id from the vendor's own systems (e.g. a Stripe
// customer id). It appears in URL paths, so it is kept to URL-safe
// characters.
func ExternalID(s string) error {
	switch {
	case s == "":
		return fmt.Errorf("must not be empty (omit it or send null instead)")
	case len(s) > MaxExternalIDLen:
		return fmt.Errorf("must be at most %d characters", MaxExternalIDLen)
	case !externalIDPattern.MatchString(s):
		return fmt.Errorf("may contain only letters, digits and . _ : @ + - and must start with a letter or digit")
	}
	return nil
}

// packageNamePattern is Composer's rule for package names (vendor/name,
// lower case), as composer/composer's ValidatingArrayLoader checks it.
var packageNamePattern = regexp.MustCompile(`^[a-z0-9]([_.-]?[a-z0-9]+)*/[a-z0-9](([_.]|-{1,2})?[a-z0-9]+)*$`)

// PackageName checks a Composer package name such as acme/lib.
func PackageName(s string) error {
	if len(s) > 214 {
		return fmt.Errorf("must be at most 214 characters")
	}
	if !packageNamePattern.MatchString(s) {
		if lower := strings.ToLower(s); lower != s && packageNamePattern.MatchString(lower) {
			return fmt.Errorf("must be lower case (Composer package names are): %q", lower)
		}
		return fmt.Errorf("%q is not a valid Composer package name (vendor/name in lower case, e.g. acme/lib)", s)
	}
	return nil
}
