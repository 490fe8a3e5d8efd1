package composerjson

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
)

// ErrInvalidLicense is wrapped by every CheckLicense error, for errors.Is.
var ErrInvalidLicense = errors.New("invalid SPDX license expression")

// LicenseError says why a license expression is invalid.
type LicenseError struct {
	Expr   string
	Reason string // e.g. `unknown license identifier "Foo" at offset 4`
}

func (e *LicenseError) Error() string {
	return fmt.Sprintf("invalid SPDX license expression %q: %s", e.Expr, e.Reason)
}

func (e *LicenseError) Unwrap() error { return ErrInvalidLicense }

// ValidLicense reports whether expr is a valid SPDX license expression, with
// the same answers as composer/spdx-licenses' SpdxLicenses::validate(string):
// a listed identifier (any case, optionally followed by "+"), a
// [DocumentRef-x:]LicenseRef-y reference, "id WITH exception", AND/OR
// combinations (any case, whitespace around the operator), parentheses, or
// exactly NONE or NOASSERTION. It keeps that regex's quirks (one final
// newline is ignored; LicenseRef ids are judged byte by byte), since matching
// `composer validate` exactly is the point. "proprietary" is not SPDX;
// Validate handles it.
func ValidLicense(expr string) bool {
	_, err := parseLicense(expr)
	return err == nil
}

// CheckLicense explains why expr is not valid with a *LicenseError, or
// returns nil (see ValidLicense).
func CheckLicense(expr string) error {
	_, err := parseLicense(expr)
	return err
}

// licenseToken is an operand, operator or parenthesis, with its byte offset
// and whether whitespace precedes it (operators must be surrounded by it).
type licenseToken struct {
	text        string
	off         int
	spaceBefore bool
}

// isLicenseSpace is PCRE's \s without the u flag: ASCII whitespace only.
func isLicenseSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

// licenseScanner yields tokens one at a time, so a huge expression costs no
// more memory than its string.
type licenseScanner struct {
	expr string
	pos  int
}

func (s *licenseScanner) next() (licenseToken, bool) {
	space := false
	for s.pos < len(s.expr) && isLicenseSpace(s.expr[s.pos]) {
		space = true
		s.pos++
	}
	if s.pos >= len(s.expr) {
		return licenseToken{}, false
	}
	start := s.pos
	if c := s.expr[s.pos]; c == '(' || c == ')' {
		s.pos++
	} else {
		for s.pos < len(s.expr) && !isLicenseSpace(s.expr[s.pos]) && s.expr[s.pos] != '(' && s.expr[s.pos] != ')' {
			s.pos++
		}
	}
	return licenseToken{s.expr[start:s.pos], start, space}, true
}

// parseLicense validates expr and returns the operands that are SPDX list
// identifiers, as written, so callers can warn about deprecated ones.
//
// The grammar (from SpdxLicenses::isValidLicenseString) is checked by a
// small state machine with a parenthesis counter instead of recursion, so a
// hostile "((((…" cannot grow the stack.
func parseLicense(expr string) ([]string, error) {
	fail := func(format string, args ...any) ([]string, error) {
		return nil, &LicenseError{Expr: expr, Reason: fmt.Sprintf(format, args...)}
	}
	if _, ok := LookupLicense(expr); ok {
		return []string{expr}, nil
	}
	if expr == "" {
		return fail("it is empty")
	}
	// Composer's regex ends in "$" without the D flag, which also matches
	// before one final newline, so "MIT\n" is valid there; so it is here.
	if trimmed, ok := strings.CutSuffix(expr, "\n"); ok && trimmed != "" && !isLicenseSpace(trimmed[len(trimmed)-1]) {
		ids, err := parseLicense(trimmed)
		if err != nil {
			return fail("%s", err.(*LicenseError).Reason)
		}
		return ids, nil
	}
	if isLicenseSpace(expr[0]) || isLicenseSpace(expr[len(expr)-1]) {
		return fail("it has leading or trailing whitespace")
	}
	if equalFoldASCII(expr, "NONE") || equalFoldASCII(expr, "NOASSERTION") {
		return nil, nil
	}

	const (
		wantOperand   = iota // a term or "("
		afterTerm            // WITH, AND, OR, ")" or end
		wantException        // an exception id after WITH
		afterOperand         // AND, OR, ")" or end
	)
	var ids []string
	state, depth := wantOperand, 0
	var prevOp *licenseToken // the previous token, if it was an operator
	scan := licenseScanner{expr: expr}
	for {
		t, ok := scan.next()
		if !ok {
			break
		}
		isOp := equalFoldASCII(t.text, "AND") || equalFoldASCII(t.text, "OR") || equalFoldASCII(t.text, "WITH")
		if prevOp != nil && !t.spaceBefore {
			return fail("operator %q at offset %d must have whitespace on both sides", prevOp.text, prevOp.off)
		}
		if isOp && !t.spaceBefore {
			return fail("operator %q at offset %d must have whitespace on both sides", t.text, t.off)
		}
		prevOp = nil
		if isOp {
			prevOp = &t
		}
		switch state {
		case wantOperand:
			switch {
			case t.text == "(":
				depth++
			case t.text == ")" || isOp:
				return fail("expected a license at offset %d, found %q", t.off, t.text)
			default:
				id, ok, msg := licenseOperand(t.text)
				if !ok {
					return fail("%s at offset %d", msg, t.off)
				}
				if id != "" {
					ids = append(ids, t.text)
				}
				state = afterTerm
			}
		case wantException:
			if _, ok := LookupLicenseException(t.text); !ok {
				return fail("unknown license exception %q at offset %d", t.text, t.off)
			}
			state = afterOperand
		case afterTerm, afterOperand:
			switch {
			case equalFoldASCII(t.text, "WITH") && state == afterTerm:
				state = wantException
			case equalFoldASCII(t.text, "AND") || equalFoldASCII(t.text, "OR"):
				state = wantOperand
			case t.text == ")" && depth > 0:
				depth--
				state = afterOperand
			case t.text == ")":
				return fail("unbalanced \")\" at offset %d", t.off)
			default:
				return fail("expected AND, OR or \")\" at offset %d, found %q", t.off, t.text)
			}
		}
	}
	switch {
	case state == wantOperand || state == wantException:
		return fail("it ends where a license or exception is expected")
	case depth > 0:
		return fail("%d unclosed \"(\"", depth)
	}
	return ids, nil
}

// licenseOperand classifies a simple expression: a listed identifier
// (optionally with "+", returned as id) or a LicenseRef (id "").
func licenseOperand(text string) (id string, ok bool, problem string) {
	if l, found := LookupLicense(text); found {
		return l.ID, true, ""
	}
	if base, plus := strings.CutSuffix(text, "+"); plus {
		if l, found := LookupLicense(base); found {
			return l.ID, true, ""
		}
	}
	if isLicenseRef(text) {
		return "", true, ""
	}
	return "", false, fmt.Sprintf("unknown license identifier %q", text)
}

// isLicenseRef matches [DocumentRef-<idstring>:]LicenseRef-<idstring>, ignoring case.
func isLicenseRef(text string) bool {
	if rest, ok := cutPrefixFold(text, "DocumentRef-"); ok {
		doc, after, found := strings.Cut(rest, ":")
		if !found || !isIDString(doc) {
			return false
		}
		text = after
	}
	ref, ok := cutPrefixFold(text, "LicenseRef-")
	return ok && isIDString(ref)
}

// isIDString is SPDX idstring as Composer's regex has it: [\pL\pN.-]+.
// That regex has no /u flag, so PCRE tests each byte as the code point of
// the same value: ASCII letters and digits plus Latin-1 letters and numbers
// such as 0xE9. Most UTF-8 sequences fail because their continuation bytes
// are not letters; we reproduce that to give Composer's answer exactly.
func isIDString(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '.' && c != '-' && !unicode.IsLetter(rune(c)) && !unicode.IsNumber(rune(c)) {
			return false
		}
	}
	return true
}

func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) >= len(prefix) && equalFoldASCII(s[:len(prefix)], prefix) {
		return s[len(prefix):], true
	}
	return s, false
}
