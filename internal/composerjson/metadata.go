package composerjson

import (
	"bytes"
	"encoding/json"
)

// Field is one top-level key/value pair to publish in package metadata.
type Field struct {
	Key   string
	Value json.RawMessage
}

// MetadataKeys lists, in publishing order, the composer.json keys that are
// copied into Composer package metadata (source and dist are not: the
// registry sets those).
func MetadataKeys() []string {
	keys := make([]string, len(metadataFields))
	for i, f := range metadataFields {
		keys[i] = f.key
	}
	return keys
}

// Metadata returns the fields to publish in Composer (p2) metadata, in
// MetadataKeys order, with values compacted so the output does not depend on
// the file's whitespace. Absent and null fields are omitted. Values keep the
// file's own shape (e.g. "license": "MIT" stays a string); Composer clients
// accept every shape Parse lets through.
func (m *Manifest) Metadata() []Field {
	var out []Field
	for _, f := range metadataFields {
		raw, ok := m.present(f.key)
		if !ok {
			continue
		}
		var buf bytes.Buffer
		if err := json.Compact(&buf, raw); err != nil {
			continue // cannot happen: Parse checked the syntax
		}
		out = append(out, Field{Key: f.key, Value: buf.Bytes()})
	}
	return out
}

// MetadataFields is Metadata as a map; encoding/json marshals it with sorted
// keys, which gives byte-stable output. (json.Marshal escapes <, > and & as
// \u003c etc.; use an Encoder with SetEscapeHTML(false) for Composer-like output.)
func (m *Manifest) MetadataFields() map[string]json.RawMessage {
	fields := m.Metadata()
	out := make(map[string]json.RawMessage, len(fields))
	for _, f := range fields {
		out[f.Key] = f.Value
	}
	return out
}
