package composerjson

import (
	"github.com/cargoman/cargoman/internal/phpstr"

	"bytes"
	"encoding/json"
	"maps"
	"slices"
	"strings"
)

// Manifest is a parsed composer.json: the raw document (so every key can be
// re-published as written) plus typed views of the fields the registry uses.
// A Manifest is immutable; accessors return copies.
type Manifest struct {
	raw     map[string]json.RawMessage
	keys    []string       // top-level keys in document order
	dups    []string       // top-level keys that appeared more than once
	offsets map[string]int // byte offset of each key's value, for messages

	name, description, version, typ string
	homepage, readme, time          string
	targetDir, minimumStability     string
	hasVersion                      bool
	license, keywords, bin          []string
	links                           map[string]map[string]string
	suggest                         map[string]string
	autoload, autoloadDev           Autoload
	archive                         Archive
	abandoned                       bool
	replacement                     string
	extra                           json.RawMessage
}

// Archive is the "archive" section: how dist zips of this package are built.
type Archive struct {
	Name    string
	Exclude []string
}

// Name is the package name as written (Composer compares it case-insensitively).
func (m *Manifest) Name() string { return m.name }

// Description is the one-line summary, "" when absent.
func (m *Manifest) Description() string { return m.description }

// Version is the explicit "version" field; ok is false when it is absent,
// which is normal: versions come from tags.
func (m *Manifest) Version() (version string, ok bool) { return m.version, m.hasVersion }

// Type is the package type, lower-cased like Composer does, "library" when
// absent or blank.
func (m *Manifest) Type() string {
	if strings.TrimSpace(m.typ) == "" {
		return "library"
	}
	return phpstr.Lower(m.typ)
}

// License lists the license strings; "MIT" and ["MIT"] give the same result.
func (m *Manifest) License() []string { return slices.Clone(m.license) }

// Keywords lists the keywords (numeric keywords are returned as written).
func (m *Manifest) Keywords() []string { return slices.Clone(m.keywords) }

// Homepage is the project URL, "" when absent.
func (m *Manifest) Homepage() string { return m.homepage }

// Readme is the path of the readme file relative to the package root, "" when absent.
func (m *Manifest) Readme() string { return m.readme }

// Time is the release date as written, "" when absent.
func (m *Manifest) Time() string { return m.time }

// Require, RequireDev, Conflict, Replace and Provide map package names to
// version constraints; nil when the section is absent.
func (m *Manifest) Require() map[string]string    { return maps.Clone(m.links["require"]) }
func (m *Manifest) RequireDev() map[string]string { return maps.Clone(m.links["require-dev"]) }
func (m *Manifest) Conflict() map[string]string   { return maps.Clone(m.links["conflict"]) }
func (m *Manifest) Replace() map[string]string    { return maps.Clone(m.links["replace"]) }
func (m *Manifest) Provide() map[string]string    { return maps.Clone(m.links["provide"]) }

// Suggest maps package names to the reason they are suggested.
func (m *Manifest) Suggest() map[string]string { return maps.Clone(m.suggest) }

// Autoload is the "autoload" section (zero when absent).
func (m *Manifest) Autoload() Autoload { return m.autoload.clone() }

// AutoloadDev is the "autoload-dev" section (zero when absent).
func (m *Manifest) AutoloadDev() Autoload { return m.autoloadDev.clone() }

// Archive is the "archive" section (zero when absent).
func (m *Manifest) Archive() Archive {
	return Archive{Name: m.archive.Name, Exclude: slices.Clone(m.archive.Exclude)}
}

// Abandoned reports whether the package says it is abandoned, and the
// suggested replacement package or URL if it named one.
func (m *Manifest) Abandoned() (abandoned bool, replacement string) {
	return m.abandoned, m.replacement
}

// Bin lists the binaries; a single string is returned as a one-item list.
func (m *Manifest) Bin() []string { return slices.Clone(m.bin) }

// Extra is the free-form "extra" value, compacted; nil when absent.
func (m *Manifest) Extra() json.RawMessage { return bytes.Clone(m.extra) }

// Keys lists the top-level keys in document order.
func (m *Manifest) Keys() []string { return slices.Clone(m.keys) }

// Raw returns a top-level value exactly as written; ok is false when absent.
func (m *Manifest) Raw(key string) (value json.RawMessage, ok bool) {
	v, ok := m.raw[key]
	return bytes.Clone(v), ok
}

// DuplicateKeys lists top-level keys that appear more than once; the last
// occurrence is the one used, as in PHP.
func (m *Manifest) DuplicateKeys() []string { return slices.Clone(m.dups) }

// present returns a top-level value unless it is absent or null; PHP's isset
// treats null as absent, and so does Composer.
func (m *Manifest) present(key string) (json.RawMessage, bool) {
	v, ok := m.raw[key]
	if !ok || kindOf(v) == kindNull {
		return nil, false
	}
	return v, true
}
