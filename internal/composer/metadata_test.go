package composer

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/cargoman/cargoman/internal/composerjson"
)

// expand is composer/metadata-minifier's expand, to check Document.
func expand(t *testing.T, doc []byte, name string) []map[string]any {
	t.Helper()
	var d struct {
		Packages map[string][]map[string]any `json:"packages"`
		Minified string                      `json:"minified"`
	}
	if err := json.Unmarshal(doc, &d); err != nil {
		t.Fatalf("document is not JSON: %v\n%s", err, doc)
	}
	if d.Minified != "composer/2.0" {
		t.Fatalf("minified = %q", d.Minified)
	}
	var out []map[string]any
	var cur map[string]any
	for _, v := range d.Packages[name] {
		if cur == nil {
			cur = v
		} else {
			next := map[string]any{}
			for k, val := range cur {
				next[k] = val
			}
			for k, val := range v {
				if val == "__unset" {
					delete(next, k)
				} else {
					next[k] = val
				}
			}
			cur = next
		}
		out = append(out, cur)
	}
	return out
}

func entryMap(t *testing.T, e Entry) map[string]any {
	m := map[string]any{}
	for _, f := range e.Fields {
		var v any
		if err := json.Unmarshal(f.Value, &v); err != nil {
			t.Fatal(err)
		}
		m[f.Key] = v
	}
	return m
}

func manifest(t *testing.T, s string) *composerjson.Manifest {
	t.Helper()
	m, err := composerjson.Parse([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestDocumentRoundTrips(t *testing.T) {
	when := time.Date(2024, 1, 15, 10, 30, 0, 0, time.UTC)
	releases := []Release{
		{Name: "acme/lib", Version: "1.0.0", Normalized: "1.0.0.0", Reference: "aaa", Shasum: "s1", DistURL: "https://r/1.zip", Time: &when,
			Manifest: manifest(t, `{"name":"acme/lib","description":"Lib","require":{"php":">=8.1"},"license":"MIT","scripts":{"x":"y"},"config":{"a":1}}`)},
		{Name: "acme/lib", Version: "2.0.0-beta1", Normalized: "2.0.0.0-beta1", Reference: "ccc", Shasum: "s3", DistURL: "https://r/3.zip",
			Manifest: manifest(t, `{"name":"acme/lib","description":"Lib <b>&</b>","type":"symfony-bundle"}`), Abandoned: "acme/new"},
		{Name: "acme/lib", Version: "1.1.0", Normalized: "1.1.0.0", Reference: "bbb", Shasum: "s2", DistURL: "https://r/2.zip", Time: &when,
			Manifest: manifest(t, `{"name":"acme/lib","description":"Lib","require":{"php":">=8.2"},"license":"MIT"}`)},
	}
	var entries []Entry
	for _, r := range releases {
		entries = append(entries, NewEntry(r))
	}
	SortNewestFirst(entries)
	if entries[0].Normalized != "2.0.0.0-beta1" || entries[2].Normalized != "1.0.0.0" {
		t.Fatalf("order: %s %s %s", entries[0].Normalized, entries[1].Normalized, entries[2].Normalized)
	}
	doc := Document("acme/lib", entries)
	got := expand(t, doc, "acme/lib")
	if len(got) != 3 {
		t.Fatalf("%d versions", len(got))
	}
	for i, e := range entries {
		if want := entryMap(t, e); !reflect.DeepEqual(got[i], want) {
			t.Errorf("version %d expands to %v, want %v", i, got[i], want)
		}
	}
	v1 := got[2]
	if v1["name"] != "acme/lib" || v1["type"] != "library" || v1["time"] != "2024-01-15T10:30:00Z" || v1["scripts"] != nil || v1["config"] != nil {
		t.Errorf("1.0.0 = %v", v1)
	}
	if got[0]["abandoned"] != "acme/new" || got[0]["type"] != "symfony-bundle" || got[1]["abandoned"] != nil {
		t.Errorf("abandoned/type: %v / %v", got[0], got[1])
	}
	// The minified second entry holds only what changed.
	var raw struct {
		Packages map[string][]map[string]json.RawMessage `json:"packages"`
	}
	if err := json.Unmarshal(doc, &raw); err != nil {
		t.Fatal(err)
	}
	second := raw.Packages["acme/lib"][1]
	if _, ok := second["name"]; ok {
		t.Errorf("unchanged name repeated: %s", doc)
	}
	if string(second["abandoned"]) != `"__unset"` {
		t.Errorf("removed key not unset: %s", doc)
	}
	if !json.Valid(doc) || string(doc) == "" {
		t.Fatal("invalid document")
	}
	if want := `"description":"Lib <b>&</b>"`; !strings.Contains(string(doc), want) {
		t.Errorf("HTML escaped: %s", doc)
	}
}

func TestEmptyDocument(t *testing.T) {
	doc := Document("acme/none", nil)
	if string(doc) != `{"packages":{"acme/none":[]},"minified":"composer/2.0"}` {
		t.Fatalf("empty = %s", doc)
	}
}

// TestTemplateWithBase: a template completed with a base is the document
// rendered with absolute dist URLs, whatever the base holds, and a
// manifest that mentions /dists/ is left alone.
func TestTemplateWithBase(t *testing.T) {
	release := func(distURL string, i int) Release {
		return Release{Name: "acme/lib", Version: fmt.Sprintf("1.%d.0", i), Normalized: fmt.Sprintf("1.%d.0.0", i), Reference: "r", DistURL: distURL,
			Manifest: manifest(t, `{"name":"acme/lib","homepage":"/dists/x","extra":{"dist":{"type":"zip","url":"/dists/y"}}}`)}
	}
	for _, base := range []string{"http://127.0.0.1:8080", "https://packages.example.com/composer", `http://h"\`} {
		var rel, abs []Entry
		for i := range 3 {
			path := fmt.Sprintf("/dists/acme/lib/1.%d.0.0/r.zip", i)
			rel = append(rel, NewEntry(release(path, i)))
			abs = append(abs, NewEntry(release(base+path, i)))
		}
		if got, want := NewTemplate("acme/lib", rel).With(base), Document("acme/lib", abs); !bytes.Equal(got, want) {
			t.Errorf("base %q:\n got %s\nwant %s", base, got, want)
		}
	}
}
