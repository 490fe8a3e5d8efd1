package composerjson

import "encoding/json"

// kind is a set of JSON value types, used to state which types a field allows.
type kind uint8

const (
	kindNull kind = 1 << iota
	kindString
	kindNumber
	kindBool
	kindObject
	kindArray
)

// kindOf reports the JSON type of an already-validated raw value by its first byte.
func kindOf(raw json.RawMessage) kind {
	for _, c := range raw {
		switch c {
		case ' ', '\t', '\r', '\n':
			continue
		case '{':
			return kindObject
		case '[':
			return kindArray
		case '"':
			return kindString
		case 't', 'f':
			return kindBool
		case 'n':
			return kindNull
		default:
			return kindNumber
		}
	}
	return 0
}

// isEmptyContainer reports whether raw is [] or {}. PHP's json_decode turns
// both into the same empty array, so Composer accepts "require": [] and
// "keywords": {}; so do we.
func isEmptyContainer(raw json.RawMessage) bool {
	k := kindOf(raw)
	if k != kindObject && k != kindArray {
		return false
	}
	var n int
	for _, c := range raw {
		switch c {
		case ' ', '\t', '\r', '\n':
		default:
			n++
		}
	}
	return n == 2
}

// matches reports whether raw is of one of the kinds in allowed, treating an
// empty [] or {} as either container (see isEmptyContainer).
func (allowed kind) matches(raw json.RawMessage) bool {
	k := kindOf(raw)
	if allowed&k != 0 {
		return true
	}
	return allowed&(kindObject|kindArray) != 0 && isEmptyContainer(raw)
}

// describe names a raw value's JSON type for messages ("found a number").
func describe(raw json.RawMessage) string {
	switch kindOf(raw) {
	case kindNull:
		return "null"
	case kindString:
		return "a string"
	case kindNumber:
		return "a number"
	case kindBool:
		return "a boolean"
	case kindObject:
		return "an object"
	case kindArray:
		return "an array"
	}
	return "nothing"
}
