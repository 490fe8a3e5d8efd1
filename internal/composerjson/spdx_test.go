package composerjson

import (
	"errors"
	"strings"
	"testing"
)

func TestSPDXData(t *testing.T) {
	lists := loadSPDX()
	if n := len(lists.licenses); n < 700 {
		t.Errorf("only %d licenses loaded", n)
	}
	if n := len(lists.exceptions); n < 80 {
		t.Errorf("only %d exceptions loaded", n)
	}
	l, ok := LookupLicense("mit")
	if !ok || l.ID != "MIT" || !l.OSIApproved || l.Deprecated || l.Name != "MIT License" {
		t.Errorf("LookupLicense(mit) = %+v, %v", l, ok)
	}
	if l, ok := LookupLicense("GPL-3.0"); !ok || !l.Deprecated {
		t.Errorf("GPL-3.0 = %+v, %v; want deprecated", l, ok)
	}
	if l, ok := LookupLicense("AGPL-1.0-only"); !ok || l.Name != "Affero General Public License v1.0 only" || l.OSIApproved {
		t.Errorf("AGPL-1.0-only = %+v", l)
	}
	if _, ok := LookupLicense("AGPL-1.0-Illegal"); ok {
		t.Error("found AGPL-1.0-Illegal")
	}
	if e, ok := LookupLicenseException("font-exception-2.0"); !ok || e.ID != "Font-exception-2.0" || e.Name != "Font exception 2.0" {
		t.Errorf("LookupLicenseException = %+v, %v", e, ok)
	}
	if _, ok := LookupLicenseException("MIT"); ok {
		t.Error("MIT is not an exception")
	}
}

func TestDecodeSPDXRejectsBadData(t *testing.T) {
	for _, c := range []struct{ licenses, exceptions string }{
		{`[]`, `{}`},
		{`{"MIT": ["MIT License", true]}`, `{"X": ["x"]}`},
		{`{"MIT": ["MIT License", "yes", false]}`, `{"X": ["x"]}`},
		{`{}`, `{"X": ["x"]}`},
		{`{"MIT": ["MIT License", true, false]}`, `{"X": "x"}`},
	} {
		if _, err := decodeSPDX([]byte(c.licenses), []byte(c.exceptions)); err == nil {
			t.Errorf("decodeSPDX(%s, %s) = nil error", c.licenses, c.exceptions)
		}
	}
}

// TestEveryListedLicenseIsValid mirrors composer/spdx-licenses' test data
// provider, which adds every identifier to the valid cases.
func TestEveryListedLicenseIsValid(t *testing.T) {
	for _, l := range loadSPDX().licenses {
		for _, expr := range []string{l.ID, strings.ToLower(l.ID), l.ID + "+", "(" + l.ID + ")", "MIT OR " + l.ID} {
			if !ValidLicense(expr) {
				t.Errorf("ValidLicense(%q) = false", expr)
			}
		}
	}
	for _, e := range loadSPDX().exceptions {
		if expr := "GPL-2.0-only WITH " + e.ID; !ValidLicense(expr) {
			t.Errorf("ValidLicense(%q) = false", expr)
		}
	}
}

func TestValidLicense(t *testing.T) {
	valid := []string{
		// composer/spdx-licenses SpdxLicensesTest::provideValidLicenses
		"MIT", "MIT+", "(MIT)", "NONE", "NOASSERTION", "LicenseRef-3",
		"(LGPL-2.0-only or GPL-3.0-or-later)", "(LGPL-2.0-only OR GPL-3.0-or-later)",
		"EUDatagrid and GPL-3.0-or-later", "(EUDatagrid and GPL-3.0-or-later)", "(EUDatagrid AND GPL-3.0-or-later)",
		"GPL-2.0-only with Autoconf-exception-2.0", "GPL-2.0-only WITH Autoconf-exception-2.0",
		"GPL-2.0-or-later WITH Autoconf-exception-2.0", "(GPL-3.0-only and GPL-2.0-only or GPL-3.0-or-later)",
		// more
		"mit", "none", "NoAssertion", "Apache-2.0", "GPL-2.0+", "GPL-2.0++", "BSD-3-Clause OR MIT",
		"(MIT OR Apache-2.0) AND BSD-3-Clause", "((MIT))", "( MIT )", "(\tMIT\n)", "MIT  OR\tApache-2.0",
		"MIT OR (Apache-2.0 AND (BSD-2-Clause OR ISC))", "licenseref-foo", "LicenseRef-foo.bar-1",
		"DocumentRef-spdx-tool-1.2:LicenseRef-MIT-Style-2", "documentref-x:licenseref-y",
		"LicenseRef-foo WITH Classpath-exception-2.0",
		// PCRE quirks Composer has: "$" before a final newline, Latin-1 bytes as letters.
		"MIT\n", "(MIT)\n", "NONE\n", "LicenseRef-\xe9t\xe9", "LicenseRef-\xff", "LicenseRef-\xb2",
		"GPL-3.0-or-later WITH GCC-exception-3.1 OR MIT", "(MIT) AND (ISC)", "MIT AND ISC AND 0BSD",
		"MIT with classpath-exception-2.0",
	}
	for _, expr := range valid {
		if err := CheckLicense(expr); err != nil {
			t.Errorf("CheckLicense(%q) = %v", expr, err)
		}
	}
	invalid := map[string]string{
		// composer/spdx-licenses SpdxLicensesTest::provideInvalidLicenses
		"":                     "it is empty",
		"The system pwns you":  `unknown license identifier "The"`,
		"()":                   `expected a license at offset 1, found ")"`,
		"(MIT":                 `1 unclosed "("`,
		"MIT)":                 `unbalanced ")" at offset 3`,
		"MIT NONE":             `expected AND, OR or ")" at offset 4, found "NONE"`,
		"MIT AND NONE":         `unknown license identifier "NONE"`,
		"MIT (MIT and MIT)":    `found "("`,
		"(MIT and MIT) MIT":    `found "MIT"`,
		"and GPL-3.0-or-later": `operator "and" at offset 0 must have whitespace on both sides`,
		"(EUDatagrid and GPL-3.0-or-later and  )": `found ")"`,
		"(EUDatagrid xor GPL-3.0-or-later)":       `found "xor"`,
		"(NONE or MIT)":                           `unknown license identifier "NONE"`,
		"(NOASSERTION or MIT)":                    `unknown license identifier "NOASSERTION"`,
		"Autoconf-exception-2.0 WITH MIT":         `unknown license identifier "Autoconf-exception-2.0"`,
		"MIT WITH":                                "ends where a license or exception is expected",
		"MIT OR":                                  "ends where",
		"MIT AND":                                 "ends where",
		// more
		" MIT":                              "leading or trailing whitespace",
		"MIT ":                              "leading or trailing whitespace",
		"MIT\n\n":                           "leading or trailing whitespace",
		"MIT \n":                            "leading or trailing whitespace",
		"\n":                                "leading or trailing whitespace",
		"MIT OR\n":                          "ends where",
		"LicenseRef-Café":                   "unknown license identifier",
		"LicenseRef-٣":                      "unknown license identifier",
		"LicenseRef-\xa9":                   "unknown license identifier",
		"proprietary":                       `unknown license identifier "proprietary"`,
		"MIT+ +":                            `found "+"`,
		"MIT +":                             `found "+"`,
		"+MIT":                              "unknown license identifier",
		"MIT OR(ISC)":                       "must have whitespace on both sides",
		"MIT)OR (ISC":                       "unbalanced",
		"(MIT)OR ISC":                       "must have whitespace on both sides",
		"MIT WITH Classpath-exception-2.0+": "unknown license exception",
		"MIT WITH GPL-2.0":                  `unknown license exception "GPL-2.0"`,
		"MIT WITH Classpath-exception-2.0 WITH Classpath-exception-2.0": `found "WITH"`,
		"(MIT) WITH Classpath-exception-2.0":                            `found "WITH"`,
		"MIT OR OR ISC":                                                 `expected a license at offset 7, found "OR"`,
		"MIT,ISC":                                                       "unknown license identifier",
		"MIT/ISC":                                                       "unknown license identifier",
		"LicenseRef-":                                                   "unknown license identifier",
		"LicenseRef-a+":                                                 "unknown license identifier",
		"LicenseRef-a_b":                                                "unknown license identifier",
		"DocumentRef-:LicenseRef-a":                                     "unknown license identifier",
		"DocumentRef-a:b":                                               "unknown license identifier",
		"DocumentRef-a":                                                 "unknown license identifier",
		"NONE+":                                                         "unknown license identifier",
		"(NONE)":                                                        "unknown license identifier",
		"MIT\u00a0OR ISC":                                               "unknown license identifier",
		"M\u0130T":                                                      "unknown license identifier",
		"\u212a":                                                        "unknown license identifier",
		"NOA\u017fSERTION":                                              "unknown license identifier",
		"((((MIT)))":                                                    `1 unclosed "("`,
		strings.Repeat("(", 100000) + "MIT":                             `100000 unclosed "("`,
	}
	for expr, want := range invalid {
		if ValidLicense(expr) {
			t.Errorf("ValidLicense(%q) = true", expr)
		}
		err := CheckLicense(expr)
		var le *LicenseError
		if !errors.As(err, &le) || !errors.Is(err, ErrInvalidLicense) || le.Expr != expr {
			t.Errorf("CheckLicense(%q) = %#v", expr, err)
			continue
		}
		if !strings.Contains(le.Reason, want) {
			t.Errorf("CheckLicense(%.40q) reason = %q, want it to contain %q", expr, le.Reason, want)
		}
	}
}

// TestLicenseMatchesReference compares the parser with the reference regex
// (see fuzz_test.go) on every short combination of tricky tokens.
func TestLicenseMatchesReference(t *testing.T) {
	words := []string{"MIT", "mit+", "GPL-2.0+", "GPL-2.0++", "LicenseRef-x", "DocumentRef-a:LicenseRef-b", "WITH", "with",
		"Classpath-exception-2.0", "AND", "or", "NONE", "+", "foo", "MIT+Apache-2.0"}
	seps := []string{" ", "\t", "", "  \n"}
	n, maxDepth, minChecked := 0, 3, 10000
	if raceEnabled { // the big regex is slow under the race detector
		maxDepth, minChecked = 2, 500
	}
	var walk func(expr string, depth int)
	walk = func(expr string, depth int) {
		if expr != "" {
			n++
			if got, want := ValidLicense(expr), referenceLicense.MatchString(referenceInput(expr)); got != want {
				t.Errorf("ValidLicense(%q) = %v, reference says %v", expr, got, want)
			}
		}
		if depth == maxDepth {
			return
		}
		for _, w := range words {
			if expr == "" {
				walk(w, depth+1)
				continue
			}
			for _, s := range seps {
				walk(expr+s+w, depth+1)
			}
		}
	}
	walk("", 0)
	if n < minChecked {
		t.Errorf("only %d expressions checked", n)
	}
}
