// Package composer renders what Composer clients read: the per-version
// package metadata and the p2 documents (/p2/vendor/name.json and
// ~dev.json) in the minified "composer/2.0" format. Rendering happens when
// versions change, never per request.
package composer

import (
	"bytes"
	"encoding/json"
	"sort"
	"time"

	"github.com/cargoman/cargoman/internal/composerjson"
	"github.com/cargoman/cargoman/internal/semver"
)

// Release is one version as the registry knows it.
type Release struct {
	// Name is the registry's package name; it wins over composer.json.
	Name       string
	Version    string
	Normalized string
	Manifest   *composerjson.Manifest
	// Dist archive: where Composer downloads it and how it checks it.
	// DistURL is a path (/dists/...) when the document is a Template,
	// completed with each request's base URL (see internal/origin).
	DistURL   string
	Reference string
	Shasum    string
	Time      *time.Time
	// DefaultBranch marks the version of the repository's default branch.
	DefaultBranch bool
	// Abandoned is false, true, or a replacement package name.
	Abandoned any
}

// Field is one key of a version's metadata object.
type Field struct {
	Key   string
	Value json.RawMessage
}

// Entry is one version's metadata object, fields in publishing order.
type Entry struct {
	Normalized string
	Fields     []Field
}

// rootOnly are composer.json keys Composer reads only from the root
// package; publishing them for a dependency would only add bytes.
var rootOnly = map[string]bool{
	"name": true, "version": true, "time": true, "default-branch": true, "abandoned": true,
	"config": true, "minimum-stability": true, "prefer-stable": true, "repositories": true,
	"scripts": true, "archive": true, "non-feature-branches": true,
}

// NewEntry renders the metadata object of r.
func NewEntry(r Release) Entry {
	fields := []Field{
		{"name", mustJSON(r.Name)},
		{"version", mustJSON(r.Version)},
		{"version_normalized", mustJSON(r.Normalized)},
	}
	hasType := false
	if r.Manifest != nil {
		for _, f := range r.Manifest.Metadata() {
			if rootOnly[f.Key] {
				continue
			}
			hasType = hasType || f.Key == "type"
			fields = append(fields, Field{f.Key, f.Value})
		}
	}
	if !hasType {
		fields = append(fields, Field{"type", mustJSON("library")})
	}
	fields = append(fields, Field{"dist", mustJSON(dist{Type: "zip", URL: r.DistURL, Reference: r.Reference, Shasum: r.Shasum})})
	if r.Time != nil {
		fields = append(fields, Field{"time", mustJSON(r.Time.UTC().Format(time.RFC3339))})
	}
	if r.DefaultBranch {
		fields = append(fields, Field{"default-branch", json.RawMessage("true")})
	}
	switch a := r.Abandoned.(type) {
	case bool:
		if a {
			fields = append(fields, Field{"abandoned", json.RawMessage("true")})
		}
	case string:
		if a != "" {
			fields = append(fields, Field{"abandoned", mustJSON(a)})
		}
	}
	return Entry{Normalized: r.Normalized, Fields: fields}
}

type dist struct {
	Type      string `json:"type"`
	URL       string `json:"url"`
	Reference string `json:"reference"`
	Shasum    string `json:"shasum"`
}

// SortNewestFirst orders tagged entries as Packagist does: highest version
// first. Branch entries keep a stable order by normalized name.
func SortNewestFirst(entries []Entry) {
	sort.SliceStable(entries, func(i, j int) bool {
		return semver.Compare(entries[i].Normalized, entries[j].Normalized) > 0
	})
}

// Document renders the p2 document of a package from its entries, minified
// as composer/metadata-minifier does: the first entry whole, each later one
// only with the keys that changed from the one before, and "__unset" for
// keys that disappeared.
func Document(name string, entries []Entry) []byte {
	return NewTemplate(name, entries).body
}

// distURLPrefix is how every dist field starts (see dist): the URL
// follows.
var distURLPrefix = []byte(`{"type":"zip","url":"`)

// Template is a p2 document whose dist URLs are paths, with the places a
// base URL goes before them: Composer needs absolute dist URLs, and the
// base depends on the request (internal/origin) while the rest of the
// document does not.
type Template struct {
	body []byte
	// at are the offsets in body where a base URL is inserted.
	at []int
}

// With is the document with base (scheme://host[:port][/path], no
// trailing slash) before every dist URL.
func (t *Template) With(base string) []byte {
	esc := mustJSON(base)
	esc = esc[1 : len(esc)-1]
	out := make([]byte, 0, len(t.body)+len(t.at)*len(esc))
	prev := 0
	for _, at := range t.at {
		out = append(out, t.body[prev:at]...)
		out = append(out, esc...)
		prev = at
	}
	return append(out, t.body[prev:]...)
}

// NewTemplate renders the p2 document of a package as Document does,
// recording where its dist URLs begin.
func NewTemplate(name string, entries []Entry) *Template {
	t := &Template{}
	var b bytes.Buffer
	b.WriteString(`{"packages":{`)
	b.Write(mustJSON(name))
	b.WriteString(":[")
	var last []Field
	for i, e := range entries {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('{')
		n := 0
		write := func(k string, v json.RawMessage) {
			if n > 0 {
				b.WriteByte(',')
			}
			b.Write(mustJSON(k))
			b.WriteByte(':')
			if k == "dist" && bytes.HasPrefix(v, distURLPrefix) {
				t.at = append(t.at, b.Len()+len(distURLPrefix))
			}
			b.Write(v)
			n++
		}
		for _, f := range e.Fields {
			if prev, ok := lookup(last, f.Key); i == 0 || !ok || !bytes.Equal(prev, f.Value) {
				write(f.Key, f.Value)
			}
		}
		if i > 0 {
			for _, f := range last {
				if _, ok := lookup(e.Fields, f.Key); !ok {
					write(f.Key, json.RawMessage(`"__unset"`))
				}
			}
		}
		b.WriteByte('}')
		last = e.Fields
	}
	b.WriteString(`]},"minified":"composer/2.0"}`)
	t.body = b.Bytes()
	return t
}

func lookup(fields []Field, key string) (json.RawMessage, bool) {
	for _, f := range fields {
		if f.Key == key {
			return f.Value, true
		}
	}
	return nil, false
}

// mustJSON encodes values that cannot fail to encode (strings, plain
// structs), without HTML escaping, as Composer's own output is.
func mustJSON(v any) json.RawMessage {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic("composer: encode " + err.Error())
	}
	return bytes.TrimRight(b.Bytes(), "\n")
}
