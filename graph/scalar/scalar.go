// Package scalar binds GraphQL's built-in String, ID, Int and Boolean (and
// the Map and Cursor scalars) with the strict input coercion the GraphQL
// specification asks for. gqlgen's
// defaults accept 1 for a String or "5" for an Int; here a value of the
// wrong JSON type is an error the caller sees, never silently converted.
package scalar

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"

	"entgo.io/contrib/entgql"
	"github.com/99designs/gqlgen/graphql"

	"github.com/cargoman/cargoman/internal/validate"
)

// MarshalString writes a String.
func MarshalString(s string) graphql.Marshaler { return graphql.MarshalString(s) }

// UnmarshalString accepts only strings, and only text validate.FreeText
// allows: every String input of the schema passes here, so a NUL or invalid
// UTF-8 is refused with the field's name before any resolver or database
// sees it. Field-specific rules (names, e-mails) stay in their validators.
func UnmarshalString(v any) (string, error) {
	if s, ok := v.(string); ok {
		if err := validate.FreeText(s); err != nil {
			return "", err
		}
		return s, nil
	}
	return "", fmt.Errorf("must be a string, not %s", kind(v))
}

// MarshalID writes an ID.
func MarshalID(s string) graphql.Marshaler { return graphql.MarshalID(s) }

// UnmarshalID accepts a string or a whole number, as the specification
// allows for ID inputs, and only characters validate.Identifier allows:
// ids reach database lookups (and REST path parameters become ids), so a
// NUL, invalid UTF-8 or a control character is refused here, on every
// argument and input field of type ID.
func UnmarshalID(v any) (string, error) {
	switch id := v.(type) {
	case string:
		if err := validate.Identifier(id); err != nil {
			return "", err
		}
		return id, nil
	case json.Number:
		if _, err := id.Int64(); err != nil {
			return "", fmt.Errorf("must be a string or a whole number")
		}
		return string(id), nil
	case int:
		return strconv.Itoa(id), nil
	case int64:
		return strconv.FormatInt(id, 10), nil
	}
	return "", fmt.Errorf("must be a string or a whole number, not %s", kind(v))
}

// MarshalInt writes an Int.
func MarshalInt(n int) graphql.Marshaler { return graphql.MarshalInt(n) }

// UnmarshalInt accepts only whole numbers within GraphQL's 32-bit range.
func UnmarshalInt(v any) (int, error) {
	var f float64
	switch n := v.(type) {
	case int:
		f = float64(n)
	case int64:
		f = float64(n)
	case float64:
		f = n
	case json.Number:
		parsed, err := n.Float64()
		if err != nil {
			return 0, fmt.Errorf("must be a whole number")
		}
		f = parsed
	default:
		return 0, fmt.Errorf("must be a whole number, not %s", kind(v))
	}
	if f != math.Trunc(f) || f < math.MinInt32 || f > math.MaxInt32 {
		return 0, fmt.Errorf("must be a whole number between %d and %d", math.MinInt32, math.MaxInt32)
	}
	return int(f), nil
}

// MarshalBoolean writes a Boolean.
func MarshalBoolean(b bool) graphql.Marshaler { return graphql.MarshalBoolean(b) }

// UnmarshalBoolean accepts only true and false.
func UnmarshalBoolean(v any) (bool, error) {
	if b, ok := v.(bool); ok {
		return b, nil
	}
	return false, fmt.Errorf("must be true or false, not %s", kind(v))
}

// Want says what a value of the built-in scalar typeName must be, in the
// words the Unmarshal functions here use, so every type error reads the
// same whether this package or GraphQL validation finds it; ok is false
// for other types.
func Want(typeName string) (want string, ok bool) {
	switch typeName {
	case "String":
		return "a string", true
	case "ID":
		return "a string or a whole number", true
	case "Int":
		return "a whole number", true
	case "Float":
		return "a number", true
	case "Boolean":
		return "true or false", true
	}
	return "", false
}

// Kind names the JSON type of a decoded value: "a string", "a number".
func Kind(v any) string { return kind(v) }

// kind names the JSON type of a decoded value.
func kind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case int, int64, float64, json.Number:
		return "a number"
	case []any:
		return "a list"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}

// MarshalInt64 writes an Int held in an int64 (e.g. byte sizes).
func MarshalInt64(n int64) graphql.Marshaler { return graphql.MarshalInt64(n) }

// UnmarshalInt64 accepts only whole numbers within GraphQL's 32-bit range.
func UnmarshalInt64(v any) (int64, error) {
	n, err := UnmarshalInt(v)
	return int64(n), err
}

// MarshalMap writes a Map.
func MarshalMap(m map[string]any) graphql.Marshaler { return graphql.MarshalMap(m) }

// UnmarshalMap accepts only a JSON object whose keys and strings, at any
// depth, pass validate.FreeText: a Map input is stored as JSON (task
// arguments), where PostgreSQL refuses a NUL.
func UnmarshalMap(v any) (map[string]any, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("must be an object, not %s", kind(v))
	}
	if err := freeTextDeep(m); err != nil {
		return nil, err
	}
	return m, nil
}

// MarshalCursor writes a pagination cursor.
func MarshalCursor(c entgql.Cursor[string]) graphql.Marshaler { return c }

// UnmarshalCursor decodes a pagination cursor as entgql does, then holds
// its id to validate.Identifier and its order value to validate.FreeText:
// a cursor is opaque to callers but not to the database it reaches.
func UnmarshalCursor(v any) (entgql.Cursor[string], error) {
	var c entgql.Cursor[string]
	if err := c.UnmarshalGQL(v); err != nil {
		return c, fmt.Errorf("is not a valid cursor")
	}
	if err := validate.Identifier(c.ID); err != nil {
		return c, fmt.Errorf("is not a valid cursor: its id %w", err)
	}
	if err := freeTextDeep(c.Value); err != nil {
		return c, fmt.Errorf("is not a valid cursor: %w", err)
	}
	return c, nil
}

// freeTextDeep checks every string (and object key) in a decoded value.
func freeTextDeep(v any) error {
	switch x := v.(type) {
	case string:
		return validate.FreeText(x)
	case []any:
		for _, e := range x {
			if err := freeTextDeep(e); err != nil {
				return err
			}
		}
	case map[string]any:
		for k, e := range x {
			if err := validate.FreeText(k); err != nil {
				return fmt.Errorf("key %q %w", k, err)
			}
			if err := freeTextDeep(e); err != nil {
				return fmt.Errorf("%s: %w", k, err)
			}
		}
	}
	return nil
}
