package composerjson

import (
	"encoding/json"
	"fmt"
	"strings"
)

// The decoders below turn a raw (already syntax-checked) value into the Go
// type an accessor returns. On mismatch they return a short problem such as
// `found a number` or `"foo/bar" is a number`, which Parse appends to the
// field's "must be ..." message.

func decodeString(raw json.RawMessage) (string, string) {
	var s string
	if kindOf(raw) != kindString || json.Unmarshal(raw, &s) != nil {
		return "", "found " + describe(raw)
	}
	return s, ""
}

// decodeList decodes an array of strings. allowNumbers mirrors Composer's
// validateFlatArray, which accepts numeric items (e.g. a keyword 2024); they
// are kept as written.
func decodeList(raw json.RawMessage, allowNumbers bool) ([]string, string) {
	if isEmptyContainer(raw) {
		return nil, ""
	}
	var items []json.RawMessage
	if kindOf(raw) != kindArray || json.Unmarshal(raw, &items) != nil {
		return nil, "found " + describe(raw)
	}
	out := make([]string, 0, len(items))
	for i, item := range items {
		switch {
		case kindOf(item) == kindString:
			s, _ := decodeString(item)
			out = append(out, s)
		case allowNumbers && kindOf(item) == kindNumber:
			out = append(out, strings.TrimSpace(string(item)))
		default:
			return nil, fmt.Sprintf("item %d is %s", i, describe(item))
		}
	}
	return out, ""
}

// decodeStringOrList accepts "x" as shorthand for ["x"] (license, bin).
func decodeStringOrList(raw json.RawMessage, allowNumbers bool) ([]string, string) {
	if kindOf(raw) == kindString {
		s, problem := decodeString(raw)
		return []string{s}, problem
	}
	return decodeList(raw, allowNumbers)
}

// decodeObject decodes any JSON object (or the empty []) into its members.
func decodeObject(raw json.RawMessage) (map[string]json.RawMessage, string) {
	if isEmptyContainer(raw) {
		return map[string]json.RawMessage{}, ""
	}
	var m map[string]json.RawMessage
	if kindOf(raw) != kindObject || json.Unmarshal(raw, &m) != nil {
		return nil, "found " + describe(raw)
	}
	return m, ""
}

// decodeStringMap decodes an object whose values are all strings
// (require-like sections and suggest).
func decodeStringMap(raw json.RawMessage) (map[string]string, string) {
	members, problem := decodeObject(raw)
	if problem != "" {
		return nil, problem
	}
	out := make(map[string]string, len(members))
	for _, k := range sortedKeys(members) {
		s, problem := decodeString(members[k])
		if problem != "" {
			return nil, fmt.Sprintf("%q is %s", k, describe(members[k]))
		}
		out[k] = s
	}
	return out, ""
}
