package composerjson

import (
	"github.com/cargoman/cargoman/internal/phpstr"

	"encoding/json"
	"errors"
	"maps"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"unicode"
)

var parseSeeds = []string{
	``, `{}`, `[]`, `null`, `"x"`, `{"a": x}`, "\xEF\xBB\xBF{}", "{\"d\": \"\xff\"}",
	base(""), realWorld,
	`{"name": 5}`, `{"require": {"a/b": 1}}`, `{"require": []}`, `{"keywords": {}}`,
	`{"autoload": {"psr-4": {"A\\": ["src", "lib"]}, "classmap": ["x"], "files": [], "foo": 1}}`,
	`{"license": ["MIT", "(GPL-2.0+ or proprietary)"], "bin": "bin/x", "abandoned": "a/b"}`,
	`{"extra": {"branch-alias": {"dev-main": "1.x-dev"}}, "archive": {"exclude": ["/t"]}}`,
	`{"name": "a/b", "name": "c/d", "authors": [{"name": "x", "email": "a@b.c"}, 1]}`,
	`{"support": {"irc": "irc://x/y", "email": 3}, "funding": [{"url": "x"}]}`,
	`{"extra":` + strings.Repeat("[", 70) + strings.Repeat("]", 70) + `}`,
}

// FuzzParse checks that Parse never panics, fails only with *ParseError, and
// that whatever it accepts can be validated and republished safely.
func FuzzParse(f *testing.F) {
	for _, s := range parseSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := Parse(data)
		if err != nil {
			var pe *ParseError
			if m != nil || !errors.As(err, &pe) || err.Error() == "" {
				t.Fatalf("Parse error %T %v with manifest %v", err, err, m)
			}
			if !slices.ContainsFunc([]error{ErrTooLarge, ErrTooDeep, ErrSyntax, ErrNotObject, ErrFieldType},
				func(k error) bool { return errors.Is(err, k) }) {
				t.Fatalf("error %v has no known kind", err)
			}
			return
		}
		if len(data) > MaxSize || !json.Valid(data) {
			t.Fatalf("accepted oversized or invalid JSON")
		}
		exerciseAccessors(m)
		r := Validate(m, ValidateOptions{
			CheckVersion: func(v string) error {
				if strings.Contains(v, " ") {
					return errors.New("space")
				}
				return nil
			},
			CheckConstraint: func(c string) error {
				if len(c)%3 == 0 {
					return errors.New("odd")
				}
				return nil
			},
			PathExists: func(p string) bool {
				if p == "" || strings.HasPrefix(p, "/") || p == ".." || strings.HasPrefix(p, "../") {
					t.Fatalf("PathExists(%q)", p)
				}
				return len(p)%2 == 0
			},
		})
		for _, i := range append(r.Errors, r.Warnings...) {
			if i.Message == "" {
				t.Fatalf("empty message in %+v", i)
			}
		}
		// Republished metadata must itself be a document Parse accepts.
		for _, fld := range m.Metadata() {
			if !json.Valid(fld.Value) || !fieldByKey[fld.Key].kinds.matches(fld.Value) {
				t.Fatalf("metadata %s = %s", fld.Key, fld.Value)
			}
		}
		out, err := json.Marshal(m.MetadataFields())
		if err != nil {
			t.Fatal(err)
		}
		m2, err := Parse(out)
		if err != nil {
			t.Fatalf("republished metadata does not parse: %v\n%s", err, out)
		}
		if m2.Name() != m.Name() || !slices.Equal(m2.License(), m.License()) || m2.Type() != m.Type() {
			t.Fatalf("republished metadata differs")
		}
	})
}

func exerciseAccessors(m *Manifest) {
	_, _ = m.Version()
	_, _ = m.Abandoned()
	_ = []any{m.Name(), m.Description(), m.Type(), m.License(), m.Keywords(), m.Homepage(), m.Readme(),
		m.Time(), m.Require(), m.RequireDev(), m.Conflict(), m.Replace(), m.Provide(), m.Suggest(),
		m.Autoload().Paths(), m.AutoloadDev().Paths(), m.Archive(), m.Bin(), m.Extra(), m.Keys(),
		m.DuplicateKeys(), m.MetadataFields()}
	for _, k := range m.Keys() {
		_, _ = m.Raw(k)
	}
}

// referenceLicense is an RE2 version of SpdxLicenses' regex for expressions
// without parentheses (the only part that is a regular language), matched
// against referenceInput(expr).
var referenceLicense = func() *regexp.Regexp {
	quote := func(ids []string) string {
		q := make([]string, len(ids))
		for i, id := range ids {
			q[i] = regexp.QuoteMeta(id)
		}
		sort.Strings(q)
		return strings.Join(q, "|")
	}
	lists := loadSPDX()
	ws := `[\t\n\v\f\r ]+`
	idstring := `[\pL\pN.-]+`
	simple := `(?:(?:` + quote(slices.Collect(maps.Keys(lists.licenses))) + `)\+?|(?:documentref-` + idstring + `:)?licenseref-` + idstring + `)`
	term := simple + `(?:` + ws + `with` + ws + `(?:` + quote(slices.Collect(maps.Keys(lists.exceptions))) + `))?`
	return regexp.MustCompile(`^(?:none|noassertion|` + term + `(?:` + ws + `(?:and|or)` + ws + term + `)*)\n?$`)
}()

// referenceInput prepares expr for referenceLicense: ASCII lowercasing (PCRE
// /i without /u) and, since RE2 cannot match bytes as Latin-1 code points,
// each non-ASCII byte replaced by "x" if PCRE would see a letter or number
// and by "!" otherwise.
func referenceInput(expr string) string {
	b := []byte(phpstr.Lower(expr))
	for i, c := range b {
		if c >= 0x80 {
			if unicode.IsLetter(rune(c)) || unicode.IsNumber(rune(c)) {
				b[i] = 'x'
			} else {
				b[i] = '!'
			}
		}
	}
	return string(b)
}

// FuzzSPDX checks that the expression parser never panics, agrees with its
// own error reporting, matches the reference regex where one exists, and
// composes (a valid expression stays valid in parentheses and in an OR).
func FuzzSPDX(f *testing.F) {
	for _, s := range []string{"MIT", "mit+", "(MIT OR Apache-2.0) AND BSD-3-Clause", "GPL-2.0-only WITH Autoconf-exception-2.0",
		"LicenseRef-a", "DocumentRef-x:LicenseRef-y", "NONE", "NOASSERTION", "", " MIT", "MIT AND", "((MIT)", "MIT OR(ISC)",
		"LicenseRef-Café", "M\u212aT", "MIT\tor\nISC", "GPL-2.0++"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, expr string) {
		valid := ValidLicense(expr)
		err := CheckLicense(expr)
		if valid != (err == nil) {
			t.Fatalf("ValidLicense = %v but CheckLicense = %v", valid, err)
		}
		if err != nil {
			var le *LicenseError
			if !errors.As(err, &le) || le.Reason == "" || le.Expr != expr {
				t.Fatalf("CheckLicense error %#v", err)
			}
		}
		if !strings.ContainsAny(expr, "()") {
			if ref := referenceLicense.MatchString(referenceInput(expr)); ref != valid {
				t.Fatalf("ValidLicense(%q) = %v, reference regex says %v", expr, valid, ref)
			}
		}
		if valid && !equalFoldASCII(expr, "NONE") && !equalFoldASCII(expr, "NOASSERTION") {
			for _, composed := range []string{"(" + expr + ")", "MIT OR " + expr, "( " + expr + " ) AND ISC"} {
				if !ValidLicense(composed) {
					t.Fatalf("%q is valid but %q is not", expr, composed)
				}
			}
		}
	})
}

// FuzzName checks that ValidName (the schema regex) and CheckName (the
// explanations) always agree.
func FuzzName(f *testing.F) {
	for _, s := range []string{"acme/widget", "Acme/Widget", "a--b/c", "a/b--c", "con/x", "a/b.json", "", "/", "a/b/c", "a/\u212a"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		valid := ValidName(name)
		err := CheckName(name)
		if valid != (err == nil) {
			t.Fatalf("ValidName(%q) = %v but CheckName = %v", name, valid, err)
		}
		if err != nil && !errors.Is(err, ErrInvalidName) {
			t.Fatalf("CheckName(%q) = %v", name, err)
		}
	})
}
