package rest

import (
	"fmt"
	"sort"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/cargoman/cargoman/internal/apperr"
	"github.com/cargoman/cargoman/internal/casing"
)

// snakeKeys rewrites the object keys of a JSON document from GraphQL's
// camelCase to the REST API's snake_case, leaving values untouched. It
// scans bytes instead of decoding and re-encoding: GraphQL results are
// valid, compact JSON whose keys are GraphQL names and never escaped.
func snakeKeys(in []byte) ([]byte, error) {
	out := make([]byte, 0, len(in)+len(in)/16)
	// inObject[d] tells whether depth d is an object; expectKey says the
	// next string is a key.
	var inObject []bool
	expectKey := false
	for i := 0; i < len(in); i++ {
		c := in[i]
		switch c {
		case '{':
			inObject = append(inObject, true)
			expectKey = true
			out = append(out, c)
		case '[':
			inObject = append(inObject, false)
			expectKey = false
			out = append(out, c)
		case '}', ']':
			if len(inObject) == 0 {
				return nil, fmt.Errorf("rest: unbalanced JSON at byte %d", i)
			}
			inObject = inObject[:len(inObject)-1]
			expectKey = false
			out = append(out, c)
		case ',':
			expectKey = len(inObject) > 0 && inObject[len(inObject)-1]
			out = append(out, c)
		case '"':
			end := stringEnd(in, i)
			if end < 0 {
				return nil, fmt.Errorf("rest: unterminated string at byte %d", i)
			}
			if expectKey {
				out = append(out, '"')
				out = append(out, casing.Snake(string(in[i+1:end]))...)
				out = append(out, '"')
				expectKey = false
			} else {
				out = append(out, in[i:end+1]...)
			}
			i = end
		default:
			out = append(out, c)
		}
	}
	if len(inObject) != 0 {
		return nil, fmt.Errorf("rest: unbalanced JSON at end")
	}
	return out, nil
}

// stringEnd returns the index of the quote closing the string that starts
// at in[start], or -1.
func stringEnd(in []byte, start int) int {
	for j := start + 1; j < len(in); j++ {
		switch in[j] {
		case '\\':
			j++
		case '"':
			return j
		}
	}
	return -1
}

// camelKeys converts the keys of a decoded REST request body, at every
// depth, into GraphQL's camelCase.
func camelKeys(v any) any {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, val := range t {
			out[casing.Camel(k)] = camelKeys(val)
		}
		return out
	case []any:
		for i := range t {
			t[i] = camelKeys(t[i])
		}
		return t
	}
	return v
}

// camelKeyError refuses a body key written in GraphQL's camelCase that
// input does not know by that spelling, naming its snake_case form when
// that is a field: REST speaks snake_case, and "externalId: unknown field"
// alone leaves the caller guessing (GraphQL spells it externalID).
func camelKeyError(body map[string]any, input *ast.Definition) error {
	if input == nil {
		return nil
	}
	keys := make([]string, 0, len(body))
	for k := range body {
		keys = append(keys, k)
	}
	sort.Strings(keys) // the same answer for the same body
	for _, k := range keys {
		snake := casing.Snake(k)
		if snake == k || input.Fields.ForName(k) != nil {
			continue
		}
		if input.Fields.ForName(casing.Camel(snake)) != nil {
			return apperr.Invalid(snake, "%s: unknown field; did you mean %s?", k, snake)
		}
	}
	return nil
}
