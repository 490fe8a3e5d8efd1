// Package validate holds the field rules of the data model. ent schemas use
// them as field validators, so every writer (GraphQL, REST, workers) gets the
// same rules and the same messages.
package validate

import (
	"fmt"
	"net/mail"
	"regexp"
	"strings"
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
		case strings.ContainsAny(s, "\r\n\x00"):
			return fmt.Errorf("must be a single line")
		}
		return nil
	}
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
		return fmt.Errorf("%q is not a valid Composer package name (vendor/name in lower case, e.g. acme/lib)", s)
	}
	return nil
}
