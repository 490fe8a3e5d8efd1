package composerjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// fieldByKey indexes metadataFields for type checks.
var fieldByKey = func() map[string]field {
	m := make(map[string]field, len(metadataFields))
	for _, f := range metadataFields {
		m[f.key] = f
	}
	return m
}()

// decodeFields type-checks every known top-level field (in document order, so
// errors read top to bottom) and fills the typed views. Unknown keys are kept
// raw and never rejected: Composer ignores them too.
func (m *Manifest) decodeFields(data []byte) error {
	var errs []error
	for _, key := range m.keys {
		f, known := fieldByKey[key]
		raw, present := m.present(key)
		if !known || !present {
			continue
		}
		sub, want, problem := "", f.want, ""
		if !f.kinds.matches(raw) {
			problem = "found " + describe(raw)
		} else {
			var subWant string
			sub, subWant, problem = m.decodeField(key, raw)
			if subWant != "" {
				want = subWant
			}
		}
		if problem == "" {
			continue
		}
		name := key
		if sub != "" {
			name += "." + sub
		}
		line, col := position(data, m.offsets[key])
		errs = append(errs, &ParseError{Kind: ErrFieldType, Field: name, Line: line, Column: col,
			Msg: fmt.Sprintf("%q must be %s, but %s", name, want, problem)})
	}
	return errors.Join(errs...)
}

// decodeField fills the typed view of one field whose JSON type is already
// right. sub and want refine the message when a nested part is wrong.
func (m *Manifest) decodeField(key string, raw json.RawMessage) (sub, want, problem string) {
	switch key {
	case "name":
		m.name, problem = decodeString(raw)
	case "description":
		m.description, problem = decodeString(raw)
	case "version":
		m.version, problem = decodeString(raw)
		m.hasVersion = problem == ""
	case "type":
		m.typ, problem = decodeString(raw)
	case "homepage":
		m.homepage, problem = decodeString(raw)
	case "readme":
		m.readme, problem = decodeString(raw)
	case "time":
		m.time, problem = decodeString(raw)
	case "target-dir":
		m.targetDir, problem = decodeString(raw)
	case "minimum-stability":
		m.minimumStability, problem = decodeString(raw)
	case "license":
		m.license, problem = decodeStringOrList(raw, false)
	case "keywords":
		m.keywords, problem = decodeList(raw, true)
	case "bin":
		m.bin, problem = decodeStringOrList(raw, true)
	case "include-path", "non-feature-branches":
		_, problem = decodeList(raw, false)
	case "require", "require-dev", "conflict", "replace", "provide":
		var links map[string]string
		if links, problem = decodeStringMap(raw); problem == "" {
			if m.links == nil {
				m.links = map[string]map[string]string{}
			}
			m.links[key] = links
		}
	case "suggest":
		m.suggest, problem = decodeStringMap(raw)
	case "autoload":
		m.autoload, sub, want, problem = decodeAutoload(raw)
	case "autoload-dev":
		m.autoloadDev, sub, want, problem = decodeAutoload(raw)
	case "archive":
		sub, want, problem = m.decodeArchive(raw)
	case "abandoned":
		if kindOf(raw) == kindBool {
			m.abandoned = bytes.HasPrefix(bytes.TrimSpace(raw), []byte("true"))
		} else {
			m.replacement, problem = decodeString(raw)
			m.abandoned = m.replacement != ""
		}
	case "extra":
		var buf bytes.Buffer
		if json.Compact(&buf, raw) == nil {
			m.extra = buf.Bytes()
		}
	}
	return sub, want, problem
}

func (m *Manifest) decodeArchive(raw json.RawMessage) (sub, want, problem string) {
	members, problem := decodeObject(raw)
	if problem != "" {
		return "", "", problem
	}
	if v, ok := members["name"]; ok && kindOf(v) != kindNull {
		if m.archive.Name, problem = decodeString(v); problem != "" {
			return "name", "a string", problem
		}
	}
	if v, ok := members["exclude"]; ok && kindOf(v) != kindNull {
		if m.archive.Exclude, problem = decodeList(v, false); problem != "" {
			return "exclude", "an array of strings", problem
		}
	}
	return "", "", ""
}
