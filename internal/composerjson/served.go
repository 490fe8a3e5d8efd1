package composerjson

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"

	"github.com/cargoman/cargoman/internal/validate"
)

// ErrUnsafe is the kind of every CheckServed failure, for errors.Is.
var ErrUnsafe = errors.New("composer.json is unsafe to serve")

// UnsafeError is why CheckServed refuses a manifest: the dotted JSON path of
// the offending value ("bin.0", "autoload.files.1", "authors.0.homepage")
// and the reason.
type UnsafeError struct {
	Field string
	Msg   string
}

func (e *UnsafeError) Error() string {
	return fmt.Sprintf("composer.json %q %s", e.Field, e.Msg)
}

func (e *UnsafeError) Unwrap() error { return ErrUnsafe }

// CheckServed applies the rules for what the registry republishes to every
// consumer, which Validate only warns about or leaves to Composer (as
// Packagist refuses them at submission):
//
//   - text: no lone UTF-16 surrogate (encoding/json would silently serve
//     U+FFFD instead) and no NUL anywhere; outside "extra" (free-form plugin
//     data) also no other control character than tab, LF and CR, and no
//     bidirectional control ("Trojan Source": a name, description or script
//     that displays as something else);
//   - paths: bin, target-dir, include-path and every autoload and
//     autoload-dev path (exclude-from-classmap holds patterns, where a
//     leading "/" anchors at the package root, and only ever excludes)
//     must be relative and stay inside the package (a
//     "files" entry of "../x" is included on every request of every
//     consumer; a bin of "../x" is chmod'ed and linked at install);
//   - links: homepage, authors[].homepage, funding[].url and support URLs
//     must be http(s) (support.irc irc(s), support.email an e-mail
//     address), so no "javascript:" link reaches a page that shows them.
//
// The error is an *UnsafeError naming the first offending JSON path.
func CheckServed(m *Manifest) error {
	if m == nil {
		return &UnsafeError{Msg: "is missing"}
	}
	for _, key := range m.keys {
		raw := m.raw[key]
		if err := validate.JSONText(raw); err != nil {
			return &UnsafeError{Field: key, Msg: err.Error()}
		}
		var v any
		if err := json.Unmarshal(raw, &v); err != nil {
			return &UnsafeError{Field: key, Msg: "cannot be read: " + err.Error()}
		}
		if err := checkServedText(key, v, key == "extra"); err != nil {
			return err
		}
	}
	if err := m.checkServedPaths(); err != nil {
		return err
	}
	return m.checkServedLinks()
}

// checkServedText checks every string and object key in v.
func checkServedText(field string, v any, lenient bool) error {
	switch x := v.(type) {
	case string:
		if problem := servedTextProblem(x, lenient); problem != "" {
			return &UnsafeError{Field: field, Msg: problem}
		}
	case []any:
		for i, e := range x {
			if err := checkServedText(indexField(field, i), e, lenient); err != nil {
				return err
			}
		}
	case map[string]any:
		for _, k := range sortedKeys(x) {
			if problem := servedTextProblem(k, lenient); problem != "" {
				return &UnsafeError{Field: field, Msg: "has a key " + strconv.Quote(k) + " that " + problem}
			}
			if err := checkServedText(field+"."+k, x[k], lenient); err != nil {
				return err
			}
		}
	}
	return nil
}

// servedTextProblem says what is wrong with one string, or "".
func servedTextProblem(s string, lenient bool) string {
	for _, r := range s {
		switch {
		case r == 0:
			return "must not contain a NUL character"
		case lenient:
		case unicode.IsControl(r) && r != '\t' && r != '\n' && r != '\r':
			return fmt.Sprintf("must not contain control character %U", r)
		case validate.IsBidiControl(r):
			return fmt.Sprintf("must not contain bidirectional control character %U", r)
		}
	}
	return ""
}

// checkServedPaths refuses paths that are absolute or climb out of the
// package.
func (m *Manifest) checkServedPaths() error {
	for i, b := range m.bin {
		if err := servedPath(indexField("bin", i), b, true); err != nil {
			return err
		}
	}
	if m.targetDir != "" {
		if err := servedPath("target-dir", m.targetDir, false); err != nil {
			return err
		}
	}
	if raw, ok := m.present("include-path"); ok {
		paths, _ := decodeList(raw, false)
		for i, p := range paths {
			if err := servedPath(indexField("include-path", i), p, false); err != nil {
				return err
			}
		}
	}
	for _, sec := range []struct {
		name string
		a    Autoload
	}{{"autoload", m.autoload}, {"autoload-dev", m.autoloadDev}} {
		for _, rule := range []struct {
			name string
			m    map[string][]string
		}{{"psr-4", sec.a.PSR4}, {"psr-0", sec.a.PSR0}} {
			for _, ns := range sortedKeys(rule.m) {
				for i, p := range rule.m[ns] {
					if err := servedPath(indexField(sec.name+"."+rule.name+"."+ns, i), p, false); err != nil {
						return err
					}
				}
			}
		}
		for _, list := range []struct {
			name  string
			paths []string
		}{{"classmap", sec.a.Classmap}, {"files", sec.a.Files}} {
			for i, p := range list.paths {
				if err := servedPath(indexField(sec.name+"."+list.name, i), p, false); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// servedPath checks one path. strict is Composer's bin rule: no ".."
// segment at all; otherwise the path may use ".." as long as it stays
// inside the package.
func servedPath(field, p string, strict bool) error {
	if strict && hasDotDotSegment(p) {
		return &UnsafeError{Field: field, Msg: fmt.Sprintf("path %q must not contain a \"..\" segment", p)}
	}
	if _, ok := packagePath(strings.ReplaceAll(p, `\`, "/")); !ok {
		return &UnsafeError{Field: field, Msg: fmt.Sprintf("path %q must be relative and stay inside the package", p)}
	}
	return nil
}

// checkServedLinks refuses links a consumer could be tricked into opening.
func (m *Manifest) checkServedLinks() error {
	if !validURL(m.homepage, "http", "https") {
		return badLink("homepage", m.homepage, "an http or https URL")
	}
	for i, entry := range m.servedEntries("authors") {
		if h := entryString(entry, "homepage"); !validURL(h, "http", "https") {
			return badLink(indexField("authors", i)+".homepage", h, "an http or https URL")
		}
	}
	for i, entry := range m.servedEntries("funding") {
		if u := entryString(entry, "url"); !validURL(u, "http", "https") {
			return badLink(indexField("funding", i)+".url", u, "an http or https URL")
		}
	}
	raw, ok := m.present("support")
	if !ok {
		return nil
	}
	support, _ := decodeObject(raw)
	for _, k := range sortedKeys(support) {
		s := entryString(support, k)
		switch k {
		case "email":
			if s != "" && !validEmail(s) {
				return badLink("support.email", s, "an e-mail address")
			}
		case "irc":
			if !validURL(s, "irc", "ircs") {
				return badLink("support.irc", s, "an irc:// or ircs:// URL")
			}
		default:
			if !validURL(s, "http", "https") {
				return badLink("support."+k, s, "an http or https URL")
			}
		}
	}
	return nil
}

func badLink(field, value, want string) error {
	return &UnsafeError{Field: field, Msg: fmt.Sprintf("value %q must be %s", value, want)}
}

// servedEntries decodes a list of objects; entries of another type are
// returned empty (Parse and Validate report their type).
func (m *Manifest) servedEntries(key string) []map[string]json.RawMessage {
	raw, ok := m.present(key)
	if !ok {
		return nil
	}
	var items []json.RawMessage
	if json.Unmarshal(raw, &items) != nil {
		return nil
	}
	out := make([]map[string]json.RawMessage, len(items))
	for i, item := range items {
		out[i], _ = decodeObject(item)
	}
	return out
}

// entryString is a string property, "" when absent or not a string.
func entryString(obj map[string]json.RawMessage, key string) string {
	raw, ok := obj[key]
	if !ok {
		return ""
	}
	s, _ := decodeString(raw)
	return s
}
