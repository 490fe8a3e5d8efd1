package composerjson

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestParseAccessors(t *testing.T) {
	doc := `{
		"name": "Acme/Widget",
		"description": "A widget",
		"version": "1.2.3",
		"type": "Symfony-Bundle",
		"license": ["MIT", "GPL-3.0-or-later"],
		"keywords": ["widget", 2024],
		"homepage": "https://acme.test",
		"readme": "README.md",
		"time": "2024-01-02",
		"require": {"php": ">=8.1", "acme/core": "^1.0"},
		"require-dev": {"phpunit/phpunit": "^10"},
		"conflict": {"acme/old": "*"},
		"replace": {"acme/widget-legacy": "self.version"},
		"provide": {"psr/log-implementation": "1.0"},
		"suggest": {"ext-intl": "for translations"},
		"autoload": {
			"psr-4": {"Acme\\Widget\\": "src/", "Acme\\Extra\\": ["extra/", "more/"]},
			"psr-0": {"Legacy_": "lib/"},
			"classmap": ["classes/"],
			"files": ["helpers.php"],
			"exclude-from-classmap": ["/Tests/"]
		},
		"autoload-dev": {"psr-4": {"Acme\\Tests\\": "tests/"}},
		"archive": {"name": "widget", "exclude": ["/tests", "!/tests/fixtures"]},
		"abandoned": "acme/gadget",
		"bin": "bin/widget",
		"extra": {"branch-alias": {"dev-main": "1.x-dev"}},
		"x-custom": {"kept": true}
	}`
	m, err := Parse([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		what      string
		got, want any
	}{
		{"Name", m.Name(), "Acme/Widget"},
		{"Description", m.Description(), "A widget"},
		{"Type", m.Type(), "symfony-bundle"},
		{"License", m.License(), []string{"MIT", "GPL-3.0-or-later"}},
		{"Keywords", m.Keywords(), []string{"widget", "2024"}},
		{"Homepage", m.Homepage(), "https://acme.test"},
		{"Readme", m.Readme(), "README.md"},
		{"Time", m.Time(), "2024-01-02"},
		{"Require", m.Require(), map[string]string{"php": ">=8.1", "acme/core": "^1.0"}},
		{"RequireDev", m.RequireDev(), map[string]string{"phpunit/phpunit": "^10"}},
		{"Conflict", m.Conflict(), map[string]string{"acme/old": "*"}},
		{"Replace", m.Replace(), map[string]string{"acme/widget-legacy": "self.version"}},
		{"Provide", m.Provide(), map[string]string{"psr/log-implementation": "1.0"}},
		{"Suggest", m.Suggest(), map[string]string{"ext-intl": "for translations"}},
		{"PSR4", m.Autoload().PSR4, map[string][]string{`Acme\Widget\`: {"src/"}, `Acme\Extra\`: {"extra/", "more/"}}},
		{"PSR0", m.Autoload().PSR0, map[string][]string{"Legacy_": {"lib/"}}},
		{"Classmap", m.Autoload().Classmap, []string{"classes/"}},
		{"Files", m.Autoload().Files, []string{"helpers.php"}},
		{"ExcludeFromClassmap", m.Autoload().ExcludeFromClassmap, []string{"/Tests/"}},
		{"Paths", m.Autoload().Paths(), []string{"classes/", "extra/", "helpers.php", "lib/", "more/", "src/"}},
		{"AutoloadDev", m.AutoloadDev().PSR4, map[string][]string{`Acme\Tests\`: {"tests/"}}},
		{"Archive", m.Archive(), Archive{Name: "widget", Exclude: []string{"/tests", "!/tests/fixtures"}}},
		{"Bin", m.Bin(), []string{"bin/widget"}},
		{"Extra", string(m.Extra()), `{"branch-alias":{"dev-main":"1.x-dev"}}`},
		{"Keys", m.Keys()[:3], []string{"name", "description", "version"}},
	}
	for _, c := range checks {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s = %#v, want %#v", c.what, c.got, c.want)
		}
	}
	if v, ok := m.Version(); !ok || v != "1.2.3" {
		t.Errorf("Version = %q, %v", v, ok)
	}
	if ab, repl := m.Abandoned(); !ab || repl != "acme/gadget" {
		t.Errorf("Abandoned = %v, %q", ab, repl)
	}
	if raw, ok := m.Raw("x-custom"); !ok || string(raw) != `{"kept": true}` {
		t.Errorf("Raw(x-custom) = %s, %v", raw, ok)
	}
}

func TestParseDefaultsAndShapes(t *testing.T) {
	cases := []struct {
		name, doc string
		check     func(t *testing.T, m *Manifest)
	}{
		{"empty object", `{}`, func(t *testing.T, m *Manifest) {
			if m.Type() != "library" || m.Name() != "" || m.License() != nil || m.Require() != nil {
				t.Errorf("unexpected defaults: %q %q %v %v", m.Type(), m.Name(), m.License(), m.Require())
			}
			if _, ok := m.Version(); ok {
				t.Error("Version present")
			}
			if ab, _ := m.Abandoned(); ab {
				t.Error("abandoned")
			}
			if m.Extra() != nil {
				t.Error("Extra not nil")
			}
		}},
		{"blank type is library", `{"type": "  "}`, func(t *testing.T, m *Manifest) {
			if m.Type() != "library" {
				t.Errorf("Type = %q", m.Type())
			}
		}},
		{"license string", `{"license": "MIT"}`, func(t *testing.T, m *Manifest) {
			if !reflect.DeepEqual(m.License(), []string{"MIT"}) {
				t.Errorf("License = %v", m.License())
			}
		}},
		{"empty array as object (PHP)", `{"require": [], "autoload": [], "extra": []}`, func(t *testing.T, m *Manifest) {
			if m.Require() == nil || len(m.Require()) != 0 {
				t.Errorf("Require = %#v", m.Require())
			}
		}},
		{"empty object as array (PHP)", `{"keywords": {}, "license": {}}`, func(t *testing.T, m *Manifest) {
			if len(m.Keywords()) != 0 || len(m.License()) != 0 {
				t.Errorf("Keywords = %v License = %v", m.Keywords(), m.License())
			}
		}},
		{"null means absent", `{"name": null, "require": null, "autoload": {"psr-4": null}, "version": null}`, func(t *testing.T, m *Manifest) {
			if _, ok := m.Version(); ok || m.Name() != "" || m.Require() != nil || m.Autoload().PSR4 != nil {
				t.Error("null treated as present")
			}
		}},
		{"abandoned true", `{"abandoned": true}`, func(t *testing.T, m *Manifest) {
			if ab, repl := m.Abandoned(); !ab || repl != "" {
				t.Errorf("Abandoned = %v %q", ab, repl)
			}
		}},
		{"abandoned false", `{"abandoned": false}`, func(t *testing.T, m *Manifest) {
			if ab, _ := m.Abandoned(); ab {
				t.Error("abandoned")
			}
		}},
		{"abandoned empty string", `{"abandoned": ""}`, func(t *testing.T, m *Manifest) {
			if ab, _ := m.Abandoned(); ab {
				t.Error("abandoned")
			}
		}},
		{"bin list with number", `{"bin": ["bin/a", 7]}`, func(t *testing.T, m *Manifest) {
			if !reflect.DeepEqual(m.Bin(), []string{"bin/a", "7"}) {
				t.Errorf("Bin = %v", m.Bin())
			}
		}},
		{"duplicate keys: last wins", `{"name": "a/first", "description": "d", "name": "a/second"}`, func(t *testing.T, m *Manifest) {
			if m.Name() != "a/second" || !reflect.DeepEqual(m.DuplicateKeys(), []string{"name"}) {
				t.Errorf("Name = %q dups = %v", m.Name(), m.DuplicateKeys())
			}
			if !reflect.DeepEqual(m.Keys(), []string{"name", "description"}) {
				t.Errorf("Keys = %v", m.Keys())
			}
		}},
		{"unknown keys of any type are kept", `{"foo": 1, "source": "x", "_comment": ["hi"]}`, func(t *testing.T, m *Manifest) {
			if raw, ok := m.Raw("source"); !ok || string(raw) != `"x"` {
				t.Errorf("Raw(source) = %s", raw)
			}
		}},
		{"extra may be a list", `{"extra": [1, 2]}`, func(t *testing.T, m *Manifest) {
			if string(m.Extra()) != `[1,2]` {
				t.Errorf("Extra = %s", m.Extra())
			}
		}},
		{"unicode and escapes", `{"description": "Caf\u00e9 \ud83d\ude00 ü"}`, func(t *testing.T, m *Manifest) {
			if m.Description() != "Café 😀 ü" {
				t.Errorf("Description = %q", m.Description())
			}
		}},
		{"accessors return copies", `{"license": ["MIT"], "require": {"a/b": "1"}}`, func(t *testing.T, m *Manifest) {
			m.License()[0] = "X"
			m.Require()["a/b"] = "2"
			if m.License()[0] != "MIT" || m.Require()["a/b"] != "1" {
				t.Error("accessor exposed internal state")
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, err := Parse([]byte(c.doc))
			if err != nil {
				t.Fatal(err)
			}
			c.check(t, m)
		})
	}
}

func TestParseErrors(t *testing.T) {
	cases := []struct {
		name string
		doc  string
		kind error
		// want are substrings of err.Error().
		want []string
	}{
		{"empty", ``, ErrSyntax, []string{"composer.json: invalid JSON: document is empty"}},
		{"whitespace", " \n\t", ErrSyntax, []string{"document is empty"}},
		{"bad token", `{"a": x}`, ErrSyntax, []string{"invalid JSON at line 1 column 7", "invalid character 'x'"}},
		{"position on later line", "{\n  \"name\": \"a/b\",\n  \"x\": tru\n}", ErrSyntax, []string{"line 3 column 11"}},
		{"column counts characters", "{\"d\": \"é\", x}", ErrSyntax, []string{"line 1 column 12"}},
		{"trailing comma", "{\n\"a\": 1,\n}", ErrSyntax, []string{"line 3 column 1"}},
		{"unterminated", `{"a": 1`, ErrSyntax, []string{"line 1 column 8", "unexpected end of JSON input"}},
		{"trailing data", `{} {}`, ErrSyntax, []string{"line 1 column 4"}},
		{"comment", "{\n// c\n}", ErrSyntax, []string{"line 2 column 1"}},
		{"single quotes", `{'a': 1}`, ErrSyntax, []string{"line 1 column 2"}},
		{"BOM", "\xEF\xBB\xBF{}", ErrSyntax, []string{"byte order mark"}},
		{"invalid UTF-8", "{\"description\": \"a\xffb\"}", ErrSyntax, []string{"line 1 column 19", "invalid UTF-8"}},
		{"array", `[]`, ErrNotObject, []string{"top-level value must be an object, found an array"}},
		{"string", ` "x"`, ErrNotObject, []string{"found a string (line 1 column 2)"}},
		{"null", `null`, ErrNotObject, []string{"found null"}},
		{"number", `12`, ErrNotObject, []string{"found a number"}},
		{"too large", `{"a":"` + strings.Repeat("x", MaxSize) + `"}`, ErrTooLarge, []string{"more than the 1048576-byte limit"}},
		{"too deep", `{"extra":` + strings.Repeat("[", MaxDepth) + strings.Repeat("]", MaxDepth) + `}`, ErrTooDeep, []string{"nested more than 64 levels", "line 1 column 73"}},
		{"deep inside string is fine?", `{"a":"` + strings.Repeat("[", 200) + `"}`, nil, nil},
		{"max depth ok", `{"extra":` + strings.Repeat("[", MaxDepth-1) + strings.Repeat("]", MaxDepth-1) + `}`, nil, nil},
		{"name number", "{\n  \"name\": 5\n}", ErrFieldType, []string{`composer.json: "name" must be a string, but found a number (line 2 column 11)`}},
		{"description array", `{"description": []}`, ErrFieldType, []string{`"description" must be a string, but found an array`}},
		{"version number", `{"version": 1.0}`, ErrFieldType, []string{`"version" must be a string`}},
		{"type bool", `{"type": true}`, ErrFieldType, []string{`"type" must be a string, but found a boolean`}},
		{"require list", `{"require": ["a/b"]}`, ErrFieldType, []string{`"require" must be an object of package: constraint, but found an array`}},
		{"require value", `{"require": {"a/b": 1}}`, ErrFieldType, []string{`"require" must be an object of package: constraint, but "a/b" is a number`}},
		{"require-dev null value", `{"require-dev": {"a/b": null}}`, ErrFieldType, []string{`"require-dev" must be an object of package: constraint, but "a/b" is null`}},
		{"conflict string", `{"conflict": "a/b"}`, ErrFieldType, []string{`"conflict" must be an object`}},
		{"suggest value", `{"suggest": {"a/b": true}}`, ErrFieldType, []string{`"suggest" must be an object of package: description, but "a/b" is a boolean`}},
		{"license number", `{"license": 5}`, ErrFieldType, []string{`"license" must be a string or an array of strings, but found a number`}},
		{"license item", `{"license": ["MIT", 5]}`, ErrFieldType, []string{`"license" must be a string or an array of strings, but item 1 is a number`}},
		{"keywords string", `{"keywords": "a,b"}`, ErrFieldType, []string{`"keywords" must be an array of strings, but found a string`}},
		{"keywords object", `{"keywords": {"a": "b"}}`, ErrFieldType, []string{`"keywords" must be an array of strings, but found an object`}},
		{"keywords item", `{"keywords": ["a", {}]}`, ErrFieldType, []string{`item 1 is an object`}},
		{"autoload string", `{"autoload": "src"}`, ErrFieldType, []string{`"autoload" must be an object, but found a string`}},
		{"psr-4 list", `{"autoload": {"psr-4": ["src"]}}`, ErrFieldType, []string{`"autoload.psr-4" must be an object of namespace: path or [paths], but found an array`}},
		{"psr-4 value", `{"autoload": {"psr-4": {"A\\": 3}}}`, ErrFieldType, []string{`"autoload.psr-4" must be an object of namespace: path or [paths], but "A\\" is a number`}},
		{"psr-0 list item", `{"autoload-dev": {"psr-0": {"A": ["x", 1]}}}`, ErrFieldType, []string{`"autoload-dev.psr-0" must be an object of namespace: path or [paths], but "A" item 1 is a number`}},
		{"classmap string", `{"autoload": {"classmap": "src"}}`, ErrFieldType, []string{`"autoload.classmap" must be an array of strings, but found a string`}},
		{"files number", `{"autoload": {"files": [1]}}`, ErrFieldType, []string{`"autoload.files" must be an array of strings, but item 0 is a number`}},
		{"archive exclude", `{"archive": {"exclude": "tests"}}`, ErrFieldType, []string{`"archive.exclude" must be an array of strings, but found a string`}},
		{"archive name", `{"archive": {"name": 1}}`, ErrFieldType, []string{`"archive.name" must be a string`}},
		{"archive list", `{"archive": ["x"]}`, ErrFieldType, []string{`"archive" must be an object`}},
		{"abandoned number", `{"abandoned": 1}`, ErrFieldType, []string{`"abandoned" must be a boolean or a replacement package name`}},
		{"bin object", `{"bin": {"a": "b"}}`, ErrFieldType, []string{`"bin" must be a string or an array of strings`}},
		{"extra string", `{"extra": "x"}`, ErrFieldType, []string{`"extra" must be an object, but found a string`}},
		{"authors object", `{"authors": {"name": "x"}}`, ErrFieldType, []string{`"authors" must be an array of author objects`}},
		{"support list", `{"support": ["x"]}`, ErrFieldType, []string{`"support" must be an object`}},
		{"funding object", `{"funding": {"url": "x"}}`, ErrFieldType, []string{`"funding" must be an array`}},
		{"scripts list", `{"scripts": ["x"]}`, ErrFieldType, []string{`"scripts" must be an object`}},
		{"config string", `{"config": "x"}`, ErrFieldType, []string{`"config" must be an object`}},
		{"prefer-stable string", `{"prefer-stable": "true"}`, ErrFieldType, []string{`"prefer-stable" must be a boolean, but found a string`}},
		{"minimum-stability number", `{"minimum-stability": 1}`, ErrFieldType, []string{`"minimum-stability" must be a string`}},
		{"include-path item", `{"include-path": [1]}`, ErrFieldType, []string{`"include-path" must be an array of strings`}},
		{"non-feature-branches string", `{"non-feature-branches": "x"}`, ErrFieldType, []string{`"non-feature-branches" must be an array of strings`}},
		{"repositories string", `{"repositories": "x"}`, ErrFieldType, []string{`"repositories" must be an object or an array`}},
		{"default-branch string", `{"default-branch": "main"}`, ErrFieldType, []string{`"default-branch" must be a boolean`}},
		{"target-dir list", `{"target-dir": []}`, ErrFieldType, []string{`"target-dir" must be a string`}},
		{"php-ext string", `{"php-ext": "x"}`, ErrFieldType, []string{`"php-ext" must be an object`}},
		{"several type errors are all reported in order", `{"require": 1, "name": 2}`, ErrFieldType,
			[]string{"\"require\" must be", "\n", "\"name\" must be"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, err := Parse([]byte(c.doc))
			if c.kind == nil {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("no error; manifest %+v", m)
			}
			if m != nil {
				t.Error("manifest returned with error")
			}
			if !errors.Is(err, c.kind) {
				t.Errorf("error %v is not %v", err, c.kind)
			}
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Errorf("error %T is not a *ParseError", err)
			}
			msg := err.Error()
			last := 0
			for _, w := range c.want {
				i := strings.Index(msg[last:], w)
				if i < 0 {
					t.Fatalf("error %q does not contain %q (in order)", msg, w)
				}
				last += i + len(w)
			}
		})
	}
}

func TestParseErrorFields(t *testing.T) {
	_, err := Parse([]byte("{\n\"autoload\": {\"psr-4\": {\"A\\\\\": 1}}}"))
	var pe *ParseError
	if !errors.As(err, &pe) {
		t.Fatalf("err = %v", err)
	}
	want := ParseError{Kind: ErrFieldType, Field: "autoload.psr-4", Line: 2, Column: 13}
	got := *pe
	got.Msg = ""
	if got != want {
		t.Errorf("got %+v, want %+v", got, want)
	}
}

func TestParseKeepsRawExactly(t *testing.T) {
	doc := `{"extra": {"b": 1,   "a": [1, 2.50, "x"]}, "config": {"sort-packages": true}}`
	m, err := Parse([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := m.Raw("extra")
	if string(raw) != `{"b": 1,   "a": [1, 2.50, "x"]}` {
		t.Errorf("Raw(extra) = %s", raw)
	}
	if !json.Valid(raw) {
		t.Error("raw not valid JSON")
	}
}
