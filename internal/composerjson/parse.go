package composerjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// MaxSize is the largest document Parse accepts: 1 MiB. Real composer.json
// files are a few KiB; the bound caps the memory and CPU a hostile tag or
// upload can cost.
const MaxSize = 1 << 20

// MaxDepth is the deepest nesting of objects and arrays Parse accepts,
// counting the top-level object as 1. Composer's own structures need fewer
// than 8 levels; 64 leaves room for free-form "extra" data.
const MaxDepth = 64

// Parse reads a composer.json document. It fails with a *ParseError (several
// joined, for field type errors) when the input is too large or too deep, is
// not valid UTF-8 JSON, is not an object, or has a known field of the wrong
// type. It does not judge content; that is Validate's job.
func Parse(data []byte) (*Manifest, error) {
	if err := checkDocument(data); err != nil {
		return nil, err
	}
	m, err := readTopLevel(data)
	if err != nil {
		return nil, err
	}
	if err := m.decodeFields(data); err != nil {
		return nil, err
	}
	return m, nil
}

// checkDocument applies the size, encoding, syntax and depth limits, cheapest first.
func checkDocument(data []byte) error {
	if len(data) > MaxSize {
		return &ParseError{Kind: ErrTooLarge,
			Msg: fmt.Sprintf("document is %d bytes, more than the %d-byte limit", len(data), MaxSize)}
	}
	if bytes.HasPrefix(data, []byte("\xEF\xBB\xBF")) {
		return syntaxErr(data, 0, "file starts with a UTF-8 byte order mark (BOM); save it without one")
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return &ParseError{Kind: ErrSyntax, Msg: "document is empty"}
	}
	if !json.Valid(data) {
		// Only Unmarshal reports where the error is.
		var probe json.RawMessage
		err := json.Unmarshal(data, &probe)
		var se *json.SyntaxError
		if !errors.As(err, &se) {
			return &ParseError{Kind: ErrSyntax, Msg: fmt.Sprint("malformed JSON: ", err)}
		}
		off := int(se.Offset)
		if !strings.HasPrefix(se.Error(), "unexpected end") {
			off-- // Offset counts the offending byte itself.
		}
		return syntaxErr(data, off, se.Error())
	}
	if !utf8.Valid(data) {
		return syntaxErr(data, firstInvalidUTF8(data), "invalid UTF-8 in a string")
	}
	if off, ok := checkDepth(data); !ok {
		line, col := position(data, off)
		return &ParseError{Kind: ErrTooDeep, Line: line, Column: col,
			Msg: fmt.Sprintf("objects and arrays are nested more than %d levels deep", MaxDepth)}
	}
	return nil
}

func syntaxErr(data []byte, off int, msg string) *ParseError {
	line, col := position(data, off)
	return &ParseError{Kind: ErrSyntax, Line: line, Column: col, Msg: msg}
}

func firstInvalidUTF8(data []byte) int {
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size == 1 {
			return i
		}
		i += size
	}
	return len(data)
}

// checkDepth scans syntactically valid JSON for nesting beyond MaxDepth and
// returns the offset of the first bracket that goes too deep.
func checkDepth(data []byte) (int, bool) {
	depth := 0
	inString, escaped := false, false
	for i, c := range data {
		if inString {
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
			continue
		}
		switch c {
		case '"':
			inString = true
		case '{', '[':
			depth++
			if depth > MaxDepth {
				return i, false
			}
		case '}', ']':
			depth--
		}
	}
	return 0, true
}

// readTopLevel splits the top-level object into raw members, keeping document
// order and noting duplicate keys (the last one wins, as in PHP).
func readTopLevel(data []byte) (*Manifest, error) {
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	if kindOf(trimmed) != kindObject {
		line, col := position(data, len(data)-len(trimmed))
		return nil, &ParseError{Kind: ErrNotObject, Line: line, Column: col,
			Msg: "top-level value must be an object, found " + describe(trimmed)}
	}
	m := &Manifest{raw: map[string]json.RawMessage{}, offsets: map[string]int{}}
	dupSeen := map[string]bool{}
	dec := json.NewDecoder(bytes.NewReader(data))
	if _, err := dec.Token(); err != nil { // the opening brace
		return nil, &ParseError{Kind: ErrSyntax, Msg: err.Error()}
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, &ParseError{Kind: ErrSyntax, Msg: err.Error()}
		}
		key, _ := tok.(string)
		valueOff := skipColon(data, int(dec.InputOffset()))
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, &ParseError{Kind: ErrSyntax, Msg: err.Error()}
		}
		if _, seen := m.raw[key]; seen {
			if !dupSeen[key] {
				dupSeen[key] = true
				m.dups = append(m.dups, key)
			}
		} else {
			m.keys = append(m.keys, key)
		}
		m.raw[key] = v
		m.offsets[key] = valueOff
	}
	return m, nil
}

// skipColon moves from the end of a key to the start of its value.
func skipColon(data []byte, off int) int {
	for off < len(data) {
		switch data[off] {
		case ' ', '\t', '\r', '\n', ':':
			off++
		default:
			return off
		}
	}
	return off
}
