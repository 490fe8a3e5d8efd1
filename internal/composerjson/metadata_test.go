package composerjson

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
)

func TestMetadata(t *testing.T) {
	doc := `{
		"x-unknown": 1,
		"require": {"php": ">=8.1"},
		"name": "acme/widget",
		"source": {"type": "git", "url": "https://evil.test/x.git", "reference": "abc"},
		"dist": {"type": "zip", "url": "https://evil.test/x.zip"},
		"description": null,
		"license": "MIT",
		"extra": {
			"b": [1,   2]
		},
		"scripts-descriptions": {"a": "b"},
		"_comment": "hi",
		"php-ext": {"extension-name": "widget"},
		"default-branch": true,
		"autoload": []
	}`
	m, err := Parse([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, f := range m.Metadata() {
		keys = append(keys, f.Key)
	}
	want := []string{"name", "license", "require", "autoload", "extra", "default-branch", "php-ext"}
	if !reflect.DeepEqual(keys, want) {
		t.Errorf("Metadata keys = %v, want %v", keys, want)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(m.MetadataFields()); err != nil {
		t.Fatal(err)
	}
	got := bytes.TrimSpace(buf.Bytes())
	const wantJSON = `{"autoload":[],"default-branch":true,"extra":{"b":[1,2]},"license":"MIT","name":"acme/widget","php-ext":{"extension-name":"widget"},"require":{"php":">=8.1"}}`
	if string(got) != wantJSON {
		t.Errorf("MetadataFields JSON =\n%s\nwant\n%s", got, wantJSON)
	}
}

func TestMetadataKeys(t *testing.T) {
	keys := MetadataKeys()
	seen := map[string]bool{}
	for _, k := range keys {
		if seen[k] {
			t.Errorf("duplicate key %q", k)
		}
		seen[k] = true
	}
	for _, k := range []string{"name", "description", "version", "type", "keywords", "homepage", "readme", "time",
		"license", "authors", "support", "funding", "require", "require-dev", "conflict", "replace", "provide",
		"suggest", "autoload", "autoload-dev", "include-path", "target-dir", "bin", "extra", "scripts", "config",
		"archive", "abandoned", "non-feature-branches", "minimum-stability", "prefer-stable", "repositories",
		"default-branch"} {
		if !seen[k] {
			t.Errorf("MetadataKeys misses %q", k)
		}
	}
	for _, k := range []string{"source", "dist", "_comment", "scripts-descriptions", "scripts-aliases"} {
		if seen[k] {
			t.Errorf("MetadataKeys includes %q", k)
		}
	}
	keys[0] = "changed"
	if MetadataKeys()[0] != "name" {
		t.Error("MetadataKeys exposes internal state")
	}
}

// TestMetadataStable checks that formatting does not change the output.
func TestMetadataStable(t *testing.T) {
	a, _ := Parse([]byte(`{"name":"a/b","keywords":["x","y"],"extra":{"k":{"z":1}}}`))
	b, _ := Parse([]byte("{\n  \"extra\" : { \"k\" : { \"z\" : 1 } },\n  \"keywords\" : [ \"x\" , \"y\" ],\n  \"name\" : \"a/b\"\n}\n"))
	ja, _ := json.Marshal(a.MetadataFields())
	jb, _ := json.Marshal(b.MetadataFields())
	if string(ja) != string(jb) {
		t.Errorf("%s != %s", ja, jb)
	}
	if !reflect.DeepEqual(a.Metadata(), b.Metadata()) {
		t.Error("Metadata differs")
	}
}
