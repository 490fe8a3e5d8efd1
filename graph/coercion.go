package graph

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/cargoman/cargoman/graph/scalar"
)

// The messages gqlgen and gqlparser give when a value does not fit its
// type. They name GraphQL types ("nope is not a valid TaskKind") and word
// type errors differently from graph/scalar ("cannot use string as
// Boolean"); coercionMessage rewrites them so that GraphQL and REST callers
// read one wording, which lists an enum's values and names no type.
var (
	// gqlgen's and ent's enum UnmarshalGQL, for variables.
	enumInvalid = regexp.MustCompile(`^(.*) is not a valid (\w+)$`)
	// gqlparser's validation of literals.
	enumLiteral    = regexp.MustCompile(`^Value "(.*)" does not exist in "(\w+)!?" enum\.$`)
	enumNonEnum    = regexp.MustCompile(`^Enum "(\w+)!?" cannot represent non-enum value: (.*)\.$`)
	kindMismatch   = regexp.MustCompile(`^cannot use (\w+) as (\w+)$`)
	valueMismatch  = regexp.MustCompile(`^cannot use value (.+) as (\w+)$`)
	literalScalar  = regexp.MustCompile(`^(String|Int|Boolean|Float|ID) cannot represent [^:]*: (.*)$`)
	literalMissing = regexp.MustCompile(`^Expected value of type "(\w+)!?", found (.*)\.$`)
)

// reflectKinds names the kinds gqlparser's variable validation reports
// (reflect.Kind strings) as graph/scalar names JSON values.
var reflectKinds = map[string]any{
	"string": "", "bool": false, "map": map[string]any{}, "slice": []any{},
	"int": 0, "int32": 0, "int64": 0, "float32": 0.0, "float64": 0.0,
}

// coercionMessage rewords msg, an error gqlgen raised about a value of the
// input field field ("" when unknown), and says whether it did.
func coercionMessage(schema *ast.Schema, field, msg string) (string, bool) {
	subject := field
	if subject == "" {
		subject = "the value"
	}
	if m := enumInvalid.FindStringSubmatch(msg); m != nil {
		if values, ok := enumValues(schema, m[2]); ok {
			return fmt.Sprintf("%s must be one of %s, not %q", subject, values, m[1]), true
		}
	}
	if m := enumLiteral.FindStringSubmatch(msg); m != nil {
		if values, ok := enumValues(schema, m[2]); ok {
			return fmt.Sprintf("%s must be one of %s, not %q", subject, values, m[1]), true
		}
	}
	if m := enumNonEnum.FindStringSubmatch(msg); m != nil {
		if values, ok := enumValues(schema, m[1]); ok {
			return fmt.Sprintf("%s must be one of %s, not %s", subject, values, literalKind(m[2])), true
		}
	}
	if m := kindMismatch.FindStringSubmatch(msg); m != nil {
		got := m[1]
		if v, ok := reflectKinds[got]; ok {
			got = scalar.Kind(v)
		}
		if want, ok := wanted(schema, m[2]); ok {
			return fmt.Sprintf("%s must be %s, not %s", subject, want, got), true
		}
	}
	if m := valueMismatch.FindStringSubmatch(msg); m != nil {
		if want, ok := wanted(schema, m[2]); ok {
			return fmt.Sprintf("%s must be %s, not %s", subject, want, m[1]), true
		}
	}
	if m := literalScalar.FindStringSubmatch(msg); m != nil {
		want, _ := scalar.Want(m[1])
		return fmt.Sprintf("%s must be %s, not %s", subject, want, literalKind(m[2])), true
	}
	if m := literalMissing.FindStringSubmatch(msg); m != nil {
		if want, ok := wanted(schema, m[1]); ok {
			return fmt.Sprintf("%s must be %s, not %s", subject, want, literalKind(m[2])), true
		}
	}
	return msg, false
}

// wanted says what a value of the named type must be.
func wanted(schema *ast.Schema, typeName string) (string, bool) {
	if want, ok := scalar.Want(typeName); ok {
		return want, true
	}
	if values, ok := enumValues(schema, typeName); ok {
		return "one of " + values, true
	}
	if def := schema.Types[typeName]; def != nil && def.Kind == ast.InputObject {
		return "an object", true
	}
	return "", false
}

// enumValues lists the values of the enum typeName, comma-separated.
func enumValues(schema *ast.Schema, typeName string) (string, bool) {
	def := schema.Types[typeName]
	if def == nil || def.Kind != ast.Enum {
		return "", false
	}
	names := make([]string, len(def.EnumValues))
	for i, v := range def.EnumValues {
		names[i] = v.Name
	}
	return strings.Join(names, ", "), true
}

// literalKind names the JSON type of a GraphQL literal as gqlparser prints
// it ("5", "\"x\"", "{a: 1}"); an enum-like bare word stays as written.
func literalKind(lit string) string {
	lit = strings.TrimSpace(lit)
	switch {
	case strings.HasPrefix(lit, `"`):
		return scalar.Kind("")
	case strings.HasPrefix(lit, "{"):
		return scalar.Kind(map[string]any{})
	case strings.HasPrefix(lit, "["):
		return scalar.Kind([]any{})
	case lit == "true" || lit == "false":
		return scalar.Kind(false)
	case lit == "null":
		return scalar.Kind(nil)
	case strings.HasPrefix(lit, "$"):
		return "the variable " + lit
	}
	if json.Valid([]byte(lit)) {
		return scalar.Kind(json.Number(lit))
	}
	return lit
}
