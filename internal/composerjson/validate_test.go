package composerjson

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// base is a manifest with no findings, plus extra top-level members.
func base(extra string) string {
	doc := `{"name": "acme/widget", "description": "A widget", "license": "MIT"`
	if extra != "" {
		doc += ", " + extra
	}
	return doc + "}"
}

// fakeFS is a PathExists over a fixed set of package paths.
func fakeFS(paths ...string) func(string) bool {
	set := map[string]bool{}
	for _, p := range paths {
		set[p] = true
	}
	return func(p string) bool {
		if strings.HasPrefix(p, "/") || strings.HasPrefix(p, "..") || p == "" {
			panic("PathExists got " + p)
		}
		return set[p]
	}
}

func fakeConstraint(c string) error {
	if c == "" || strings.Contains(c, "bogus") {
		return errors.New("could not parse")
	}
	return nil
}

const realWorld = `{
    "name": "monolog/monolog",
    "description": "Sends your logs to files, sockets, inboxes, databases and various web services",
    "keywords": ["log", "logging", "psr-3"],
    "homepage": "https://github.com/Seldaek/monolog",
    "type": "library",
    "license": "MIT",
    "authors": [
        {"name": "Jordi Boggiano", "email": "j.boggiano@seld.be", "homepage": "https://seld.be"}
    ],
    "require": {"php": ">=8.1", "psr/log": "^2.0 || ^3.0"},
    "require-dev": {"ext-json": "*", "phpunit/phpunit": "^10.5.17"},
    "suggest": {"ext-mbstring": "Allow to work properly with unicode symbols"},
    "provide": {"psr/log-implementation": "3.0.0"},
    "autoload": {"psr-4": {"Monolog\\": "src/Monolog"}},
    "autoload-dev": {"psr-4": {"Monolog\\": "tests"}},
    "support": {"issues": "https://github.com/Seldaek/monolog/issues", "source": "https://github.com/Seldaek/monolog/tree/3.9.0"},
    "funding": [{"url": "https://github.com/Seldaek", "type": "github"}],
    "extra": {"branch-alias": {"dev-main": "3.x-dev"}},
    "scripts": {"test": "@php vendor/bin/phpunit"},
    "scripts-descriptions": {"test": "Run the tests"},
    "config": {"lock": false, "sort-packages": true},
    "minimum-stability": "dev",
    "prefer-stable": true
}`

func TestValidate(t *testing.T) {
	withFS := ValidateOptions{PathExists: fakeFS("src", "src/Monolog", "lib", "helpers.php", "bin/widget", "README.md", "classes")}
	withConstraints := ValidateOptions{CheckConstraint: fakeConstraint}
	cases := []struct {
		name  string
		doc   string
		opts  ValidateOptions
		errs  []string // "field|message substring", all must match, nothing else allowed
		warns []string
	}{
		{name: "minimal valid", doc: base("")},
		{name: "real world library", doc: realWorld, opts: ValidateOptions{CheckConstraint: fakeConstraint, PathExists: fakeFS("src/Monolog")}},

		// name
		{name: "name missing", doc: `{"description": "d", "license": "MIT"}`, errs: []string{"name|must be present"}},
		{name: "name blank", doc: `{"name": " ", "description": "d", "license": "MIT"}`, errs: []string{"name|must be present"}},
		{name: "name format", doc: `{"name": "acme/-widget", "description": "d", "license": "MIT"}`, errs: []string{`name|package name "-widget" must start and end with a letter or digit`}},
		{name: "name without vendor", doc: `{"name": "widget", "description": "d", "license": "MIT"}`, errs: []string{"name|forward slash"}},
		{name: "name uppercase", doc: `{"name": "Acme/WidgetPro", "description": "d", "license": "MIT"}`, errs: []string{`name|use "acme/widget-pro"`}},
		{name: "name reserved", doc: `{"name": "aux/widget", "description": "d", "license": "MIT"}`, errs: []string{"name|reserved"}},

		// description
		{name: "description missing", doc: `{"name": "acme/widget", "license": "MIT"}`, warns: []string{"description|no description"}},
		{name: "description blank", doc: `{"name": "acme/widget", "description": "\t", "license": "MIT"}`, warns: []string{"description|no description"}},

		// license
		{name: "license missing", doc: `{"name": "acme/widget", "description": "d"}`, warns: []string{"license|no license specified"}},
		{name: "license empty list", doc: `{"name": "acme/widget", "description": "d", "license": []}`, warns: []string{"license|no license specified"}},
		{name: "license invalid", doc: `{"name": "acme/widget", "description": "d", "license": "MIT License"}`, warns: []string{`license|"MIT License" is not a valid SPDX license identifier or expression (expected AND, OR or ")" at offset 4, found "License")`}},
		{name: "license needs trim", doc: `{"name": "acme/widget", "description": "d", "license": " MIT "}`, warns: []string{"license|must not contain extra spaces"}},
		{name: "license proprietary", doc: `{"name": "acme/widget", "description": "d", "license": "proprietary"}`},
		{name: "license proprietary in expression", doc: `{"name": "acme/widget", "description": "d", "license": "(proprietary or GPL-3.0-only)"}`},
		{name: "license Proprietary capitalised", doc: `{"name": "acme/widget", "description": "d", "license": "Proprietary"}`, warns: []string{"license|not a valid SPDX"}},
		{name: "license expression", doc: `{"name": "acme/widget", "description": "d", "license": "(MIT or GPL-3.0-or-later)"}`},
		{name: "license list with bad item", doc: `{"name": "acme/widget", "description": "d", "license": ["MIT", "BSD"]}`, warns: []string{`license.1|"BSD" is not a valid SPDX`}},
		{name: "license GPL+ deprecated", doc: `{"name": "acme/widget", "description": "d", "license": "GPL-2.0+"}`, warns: []string{`license|"GPL-2.0+" is a deprecated SPDX license identifier; use "GPL-2.0-or-later" instead`}},
		{name: "license GPL deprecated", doc: `{"name": "acme/widget", "description": "d", "license": "lgpl-2.1"}`, warns: []string{`license|use "lgpl-2.1-only" or "lgpl-2.1-or-later" instead`}},
		{name: "license other deprecated", doc: `{"name": "acme/widget", "description": "d", "license": "wxWindows"}`, warns: []string{`license|"wxWindows" is a deprecated SPDX license identifier; see https://spdx.org/licenses/`}},
		{name: "license deprecated inside expression, once", doc: `{"name": "acme/widget", "description": "d", "license": ["MIT OR GPL-3.0", "GPL-3.0 AND ISC"]}`, warns: []string{`license.0|"GPL-3.0" is a deprecated`}},

		// version
		{name: "version present", doc: base(`"version": "1.0.0"`), warns: []string{"version|recommended to leave it out"}},
		{name: "version dev branch", doc: base(`"version": "dev-main"`), warns: []string{"version|recommended"}},
		{name: "version prerelease", doc: base(`"version": "v2.0.0-beta.2"`), warns: []string{"version|recommended"}},
		{name: "version x-dev", doc: base(`"version": "1.0.x-dev"`), warns: []string{"version|recommended"}},
		{name: "version invalid, by pattern", doc: base(`"version": "latest"`), warns: []string{`version|invalid version "latest"; use a version`}},
		{name: "version empty, by pattern", doc: base(`"version": ""`), warns: []string{`version|invalid version ""`}},
		{name: "version invalid, by parser", doc: base(`"version": "1.0 as 2.0"`), opts: ValidateOptions{CheckVersion: func(v string) error {
			if v != "1.0 as 2.0" {
				t.Errorf("CheckVersion got %q", v)
			}
			return errors.New("bad")
		}}, errs: []string{`version|invalid version "1.0 as 2.0": bad; use a version`}},
		{name: "version valid, by parser", doc: base(`"version": "20100102+"`), opts: ValidateOptions{CheckVersion: func(string) error { return nil }},
			warns: []string{"version|recommended to leave it out"}},

		// type
		{name: "type custom", doc: base(`"type": "wordpress-plugin"`)},
		{name: "type uppercase", doc: base(`"type": "Library"`), warns: []string{`type|invalid value "Library"`}},
		{name: "type underscore", doc: base(`"type": "my_type"`), warns: []string{"type|only a-z, 0-9 and -"}},
		{name: "type composer-installer", doc: base(`"type": "composer-installer"`), warns: []string{"type|deprecated"}},

		// keywords, homepage, readme, time
		{name: "keywords ok", doc: base(`"keywords": ["log", "Überwachung", "日本語", "php 8", "a.b_c-d", 2024]`)},
		{name: "keywords bad", doc: base(`"keywords": ["ok", "bad!", "a/b"]`), warns: []string{`keywords.1|invalid keyword "bad!"`, `keywords.2|invalid keyword "a/b"`}},
		{name: "homepage ok", doc: base(`"homepage": "https://acme.test/widget?x=1"`)},
		{name: "homepage empty", doc: base(`"homepage": ""`)},
		{name: "homepage ftp", doc: base(`"homepage": "ftp://acme.test"`), warns: []string{"homepage|must be an http or https URL"}},
		{name: "homepage upper scheme", doc: base(`"homepage": "HTTPS://acme.test"`), warns: []string{"homepage|must be an http or https URL"}},
		{name: "homepage no scheme", doc: base(`"homepage": "acme.test"`), warns: []string{"homepage|must be"}},
		{name: "homepage no host", doc: base(`"homepage": "https:///path"`), warns: []string{"homepage|must be"}},
		{name: "readme present", doc: base(`"readme": "./README.md"`), opts: withFS},
		{name: "readme missing", doc: base(`"readme": "docs/README.md"`), opts: withFS, warns: []string{`readme|file "docs/README.md" does not exist`}},
		{name: "readme unchecked without PathExists", doc: base(`"readme": "docs/README.md"`)},
		{name: "time forms", doc: base(`"time": "2024-01-02 03:04:05"`)},
		{name: "time rfc3339", doc: base(`"time": "2024-01-02T03:04:05+02:00"`)},
		{name: "time date", doc: base(`"time": "2024-01-02"`)},
		{name: "time bad", doc: base(`"time": "yesterday"`), warns: []string{`time|cannot read date "yesterday"`}},

		// authors, support, funding
		{name: "authors ok", doc: base(`"authors": [{"name": "A", "email": "a.b+c@mail.acme.test", "homepage": "http://a.test", "role": "Dev"}]`)},
		{name: "authors entry not object", doc: base(`"authors": ["Jane"]`), errs: []string{"authors.0|must be an object, found a string"}},
		{name: "authors wrong types", doc: base(`"authors": [{"name": 1, "email": []}]`), errs: []string{"authors.0.name|must be a string, found a number", "authors.0.email|must be a string, found an array"}, warns: []string{"authors.0.name|missing"}},
		{name: "authors bad email and homepage", doc: base(`"authors": [{"name": "A", "email": "a@localhost", "homepage": "a.test"}]`), warns: []string{`authors.0.homepage|invalid value "a.test"`, `authors.0.email|invalid value "a@localhost"`}},
		{name: "authors missing name, unknown key", doc: base(`"authors": [{"email": "a@b.test", "url": "x"}]`), warns: []string{"authors.0.name|missing", "authors.0.url|unknown author property"}},
		{name: "support ok", doc: base(`"support": {"email": "help@acme.test", "irc": "ircs://irc.libera.chat/composer", "issues": "https://x.test/i", "rss": "whatever", "docs": ""}`)},
		{name: "support bad", doc: base(`"support": {"email": "help", "irc": "https://x.test", "issues": "x.test/i", "docs": 5}`), errs: []string{"support.docs|must be a string"}, warns: []string{`support.email|invalid value "help"`, "support.irc|irc://", "support.issues|http or https"}},
		{name: "funding ok", doc: base(`"funding": [{"type": "github", "url": "https://github.com/sponsors/acme"}]`)},
		{name: "funding bad", doc: base(`"funding": ["x", {"type": 1, "url": "github.com/acme"}]`), errs: []string{"funding.0|must be an object", "funding.1.type|must be a string"}, warns: []string{`funding.1.url|invalid value "github.com/acme"`}},

		// links
		{name: "require self", doc: base(`"require": {"acme/widget": "^1.0"}`), errs: []string{"require.acme/widget|a package cannot set a require on itself"}},
		{name: "require-dev self, other case", doc: base(`"require-dev": {"ACME/Widget": "*"}`), errs: []string{"require-dev.ACME/Widget|cannot set a require-dev on itself"}},
		{name: "replace self", doc: base(`"replace": {"acme/widget": "self.version"}`), errs: []string{"replace.acme/widget|on itself"}},
		{name: "require platform packages", doc: base(`"require": {"php": "^8.1", "ext-json": "*", "lib-icu": ">=60", "composer-plugin-api": "^2.0", "PHP-64bit": "*"}`)},
		{name: "require bad names warn", doc: base(`"require": {"Acme/Core": "^1", "monolog": "^3", "a/-b": "1"}`), warns: []string{`require.Acme/Core|use "acme/core"`, "require.a/-b|must start and end", "require.monolog|forward slash"}},
		{name: "require bad characters error", doc: base(`"require": {"acme/co re": "^1", "acme/c\u00f6re": "1"}`), errs: []string{`require.acme/co re|invalid package name "acme/co re"`, "require.acme/cöre|only A-Z"}},
		{name: "constraints checked", doc: base(`"require": {"a/b": "bogus", "c/d": "^1"}, "require-dev": {"e/f": ""}, "conflict": {"g/h": "<1 bogus"}`), opts: withConstraints,
			errs: []string{`require.a/b|invalid version constraint "bogus": could not parse`, `require-dev.e/f|invalid version constraint ""`, "conflict.g/h|invalid version constraint"}},
		{name: "self.version not checked", doc: base(`"replace": {"acme/widget-old": "self.version"}`), opts: ValidateOptions{CheckConstraint: func(string) error { return errors.New("no") }}},
		{name: "constraints unchecked without callback", doc: base(`"require": {"a/b": "bogus"}`)},
		{name: "commit reference", doc: base(`"require": {"a/b": "dev-main#abc123"}, "require-dev": {"c/d": "1.0#x"}, "conflict": {"e/f": "1#x"}`), opts: withConstraints,
			warns: []string{"require.a/b|commit reference", "require-dev.c/d|commit reference"}},
		{name: "conflict and replace", doc: base(`"conflict": {"a/b": "*"}, "replace": {"a/b": "*"}`), errs: []string{"conflict.a/b|also replaced"}},
		{name: "require and require-dev overlap", doc: base(`"require": {"a/b": "1", "c/d": "1", "e/f": "1"}, "require-dev": {"c/d": "1", "a/b": "2"}`), warns: []string{"require-dev|a/b, c/d required both in require and require-dev"}},
		{name: "provide and replace satisfy requirements", doc: base(`"require": {"a/b": "1"}, "require-dev": {"c/d": "1"}, "provide": {"a/b": "1"}, "replace": {"c/d": "1"}`),
			warns: []string{"provide.a/b|a/b in require is also listed in provide", "replace.c/d|c/d in require-dev is also listed in replace"}},
		{name: "suggest names are free-form", doc: base(`"suggest": {"Some Thing": "because"}`)},

		// minimum-stability
		{name: "stability values", doc: base(`"minimum-stability": "RC"`)},
		{name: "stability rc", doc: base(`"minimum-stability": "rc"`)},
		{name: "stability case", doc: base(`"minimum-stability": "Beta"`), warns: []string{`minimum-stability|write "Beta" as "beta"`}},
		{name: "stability invalid", doc: base(`"minimum-stability": "unstable"`), errs: []string{`minimum-stability|invalid value "unstable"`}},

		// autoload
		{name: "autoload unknown type", doc: base(`"autoload": {"psr-5": {}, "classmap": []}`), errs: []string{`autoload|unknown autoload type "psr-5"`}},
		{name: "autoload-dev unknown type warns", doc: base(`"autoload-dev": {"files2": []}`), warns: []string{`autoload-dev|unknown autoload type "files2"`}},
		{name: "psr-4 namespace separator", doc: base(`"autoload": {"psr-4": {"Acme\\Widget": "src", "Acme\\Ok\\": "src"}}`), errs: []string{`autoload.psr-4|namespace "Acme\\Widget" must end with a namespace separator; use "Acme\\Widget\\"`}},
		{name: "psr-4 dev namespace separator warns", doc: base(`"autoload-dev": {"psr-4": {"Acme": "tests"}}`), warns: []string{"autoload-dev.psr-4|must end with a namespace separator"}},
		{name: "psr-0 namespace without separator ok", doc: base(`"autoload": {"psr-0": {"Acme_": "lib", "Acme": "lib"}}`)},
		{name: "empty prefixes", doc: base(`"autoload": {"psr-4": {"": "src"}, "psr-0": {"": "lib"}}, "autoload-dev": {"psr-4": {"": "tests"}}`),
			warns: []string{"autoload.psr-0|empty namespace prefix", "autoload.psr-4|empty namespace prefix"}},
		{name: "autoload paths exist", doc: base(`"autoload": {"psr-4": {"A\\": ["src/", "./lib"], "B\\": ""}, "classmap": ["classes/", "src/*/Legacy"], "files": ["helpers.php"], "exclude-from-classmap": ["/nope/"]}`), opts: withFS},
		{name: "autoload paths missing", doc: base(`"autoload": {"psr-4": {"A\\": ["src", "nope"]}, "psr-0": {"B": "gone"}, "classmap": ["missing/"], "files": ["src/helpers.php", "../outside.php"]}`), opts: withFS,
			errs:  []string{`autoload.classmap.0|path "missing/" does not exist`, `autoload.files.0|path "src/helpers.php" does not exist`, `autoload.files.1|path "../outside.php" points outside the package`},
			warns: []string{`autoload.psr-4.A\|path "nope" does not exist`, `autoload.psr-0.B|path "gone" does not exist`}},
		{name: "autoload absolute path", doc: base(`"autoload": {"classmap": ["/etc"], "psr-4": {"A\\": "C:\\src"}}`), opts: withFS,
			errs: []string{`autoload.classmap.0|points outside`}, warns: []string{`autoload.psr-4.A\|points outside`}},
		{name: "autoload-dev paths not checked", doc: base(`"autoload-dev": {"psr-4": {"T\\": "tests"}, "files": ["tests/bootstrap.php"]}`), opts: withFS},
		{name: "target-dir with psr-4", doc: base(`"target-dir": "Acme/Widget", "autoload": {"psr-4": {"A\\": "src"}}`), errs: []string{"target-dir|cannot be used together with autoload.psr-4"}},
		{name: "target-dir with psr-0", doc: base(`"target-dir": "Acme/Widget", "autoload": {"psr-0": {"A": "src"}}`)},

		// bin, branch alias, scripts, duplicates
		{name: "bin ok", doc: base(`"bin": ["bin/widget"]`), opts: withFS},
		{name: "bin dot-dot", doc: base(`"bin": ["bin/../../etc/passwd", "..\\x", "bin/..x"]`), errs: []string{`bin.0|must not contain a ".." path segment`, "bin.1|must not contain"}},
		{name: "bin missing", doc: base(`"bin": "bin/other"`), opts: withFS, warns: []string{`bin.0|path "bin/other" does not exist`}},
		{name: "branch alias ok", doc: base(`"extra": {"branch-alias": {"dev-main": "2.x-dev", "dev-1.x": "1.0.x-dev"}}`)},
		{name: "branch alias bad", doc: base(`"extra": {"branch-alias": {"dev-main": "2.x", "dev-next": 3}}`), warns: []string{`extra.branch-alias.dev-main|"2.x" must end in -dev`, "extra.branch-alias.dev-next|must be a string, found a number"}},
		{name: "branch alias not object", doc: base(`"extra": {"branch-alias": "dev-main"}`), errs: []string{"extra.branch-alias|must be an object"}},
		{name: "extra list ignored", doc: base(`"extra": ["x"]`)},
		{name: "script references", doc: base(`"scripts": {"test": "phpunit"}, "scripts-descriptions": {"test": "t", "lint": "l"}, "scripts-aliases": {"tset": ["t"]}`),
			warns: []string{`scripts-descriptions.lint|refers to script "lint"`, `scripts-aliases.tset|refers to script "tset"`}},
		{name: "script descriptions wrong type", doc: base(`"scripts-descriptions": "x"`), warns: []string{"scripts-descriptions|must be an object"}},
		{name: "duplicate key", doc: `{"name": "acme/widget", "description": "d", "license": "MIT", "license": "ISC"}`, warns: []string{"license|appears more than once"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, err := Parse([]byte(c.doc))
			if err != nil {
				t.Fatal(err)
			}
			r := Validate(m, c.opts)
			matchIssues(t, "error", r.Errors, c.errs)
			matchIssues(t, "warning", r.Warnings, c.warns)
			if r.OK() != (len(c.errs) == 0) {
				t.Errorf("OK() = %v", r.OK())
			}
		})
	}
}

// matchIssues checks that got and want correspond one to one, in order.
func matchIssues(t *testing.T, what string, got []Issue, want []string) {
	t.Helper()
	for i := 0; i < max(len(got), len(want)); i++ {
		switch {
		case i >= len(want):
			t.Errorf("unexpected %s %q", what, got[i])
		case i >= len(got):
			t.Errorf("missing %s %q", what, want[i])
		default:
			field, msg, _ := strings.Cut(want[i], "|")
			if got[i].Field != field || !strings.Contains(got[i].Message, msg) {
				t.Errorf("%s %d = %q, want field %q with %q", what, i, got[i], field, msg)
			}
		}
	}
}

func TestValidateNil(t *testing.T) {
	r := Validate(nil, ValidateOptions{})
	if r.OK() || len(r.Errors) != 1 {
		t.Errorf("Validate(nil) = %+v", r)
	}
}

func TestIssueString(t *testing.T) {
	if s := (Issue{"name", "must be present"}).String(); s != "name: must be present" {
		t.Error(s)
	}
	if s := (Issue{"", "x"}).String(); s != "x" {
		t.Error(s)
	}
}

func ExampleValidate() {
	m, err := Parse([]byte(`{"name": "acme/widget", "license": "GPL-3.0", "require": {"acme/widget": "*"}}`))
	if err != nil {
		panic(err)
	}
	r := Validate(m, ValidateOptions{})
	for _, i := range r.Errors {
		fmt.Println("error:", i)
	}
	for _, i := range r.Warnings {
		fmt.Println("warning:", i)
	}
	// Output:
	// error: require.acme/widget: a package cannot set a require on itself
	// warning: description: no description; add a one-line summary of the package
	// warning: license: license "GPL-3.0" is a deprecated SPDX license identifier; use "GPL-3.0-only" or "GPL-3.0-or-later" instead
}
