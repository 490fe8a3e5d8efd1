package composerjson

import (
	"encoding/json"
	"fmt"
	"slices"
)

// Autoload is an "autoload" or "autoload-dev" section. The registry needs the
// paths to check that an archive really contains them.
type Autoload struct {
	// PSR4 and PSR0 map a namespace prefix to its directories ("" = package root).
	PSR4 map[string][]string
	PSR0 map[string][]string
	// Classmap lists files or directories (may contain * wildcards).
	Classmap []string
	// Files lists files included on every request.
	Files []string
	// ExcludeFromClassmap lists exclusion patterns, not paths.
	ExcludeFromClassmap []string

	// unknown holds rule names Composer does not know, for Validate.
	unknown []string
}

// autoloadRules are the rule names Composer accepts in an autoload section.
var autoloadRules = []string{"psr-0", "psr-4", "classmap", "files", "exclude-from-classmap"}

// decodeAutoload decodes a section; on a type problem it returns the dotted
// sub-field ("psr-4") together with what it must be and what was found.
func decodeAutoload(raw json.RawMessage) (a Autoload, sub, want, problem string) {
	members, problem := decodeObject(raw)
	if problem != "" {
		return a, "", "an object", problem
	}
	for _, rule := range sortedKeys(members) {
		v := members[rule]
		if kindOf(v) == kindNull {
			continue
		}
		switch rule {
		case "psr-4", "psr-0":
			m, problem := decodeNamespaceMap(v)
			if problem != "" {
				return a, rule, "an object of namespace: path or [paths]", problem
			}
			if rule == "psr-4" {
				a.PSR4 = m
			} else {
				a.PSR0 = m
			}
		case "classmap", "files", "exclude-from-classmap":
			list, problem := decodeList(v, false)
			if problem != "" {
				return a, rule, "an array of strings", problem
			}
			switch rule {
			case "classmap":
				a.Classmap = list
			case "files":
				a.Files = list
			default:
				a.ExcludeFromClassmap = list
			}
		default:
			a.unknown = append(a.unknown, rule)
		}
	}
	return a, "", "", ""
}

// decodeNamespaceMap decodes {"Ns\\": "dir"} or {"Ns\\": ["a", "b"]}.
func decodeNamespaceMap(raw json.RawMessage) (map[string][]string, string) {
	members, problem := decodeObject(raw)
	if problem != "" {
		return nil, problem
	}
	out := make(map[string][]string, len(members))
	for _, ns := range sortedKeys(members) {
		v := members[ns]
		if kindOf(v) != kindString && !kindArray.matches(v) {
			return nil, fmt.Sprintf("%q is %s", ns, describe(v))
		}
		dirs, problem := decodeStringOrList(v, false)
		if problem != "" {
			return nil, fmt.Sprintf("%q %s", ns, problem)
		}
		out[ns] = dirs
	}
	return out, ""
}

// Paths lists every path the section refers to (not exclusion patterns),
// de-duplicated and sorted.
func (a Autoload) Paths() []string {
	var out []string
	for _, m := range []map[string][]string{a.PSR4, a.PSR0} {
		for _, dirs := range m {
			out = append(out, dirs...)
		}
	}
	out = append(out, a.Classmap...)
	out = append(out, a.Files...)
	slices.Sort(out)
	return slices.Compact(out)
}

// clone deep-copies the section so accessors can hand it out safely.
func (a Autoload) clone() Autoload {
	c := Autoload{
		Classmap:            slices.Clone(a.Classmap),
		Files:               slices.Clone(a.Files),
		ExcludeFromClassmap: slices.Clone(a.ExcludeFromClassmap),
		unknown:             slices.Clone(a.unknown),
	}
	c.PSR4 = cloneNamespaceMap(a.PSR4)
	c.PSR0 = cloneNamespaceMap(a.PSR0)
	return c
}

func cloneNamespaceMap(m map[string][]string) map[string][]string {
	if m == nil {
		return nil
	}
	c := make(map[string][]string, len(m))
	for k, v := range m {
		c[k] = slices.Clone(v)
	}
	return c
}
