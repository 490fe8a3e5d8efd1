package validate

import (
	"fmt"
	"unicode/utf16"
	"unicode/utf8"
)

// JSONText checks that a JSON document's strings are text: the bytes are
// valid UTF-8 and no \u escape is a lone UTF-16 surrogate. Go's
// encoding/json silently turns both into U+FFFD, so without this check a
// request body would be stored changed instead of refused. It does not
// check the JSON syntax (the decoder does); the error names the byte
// offset of the first problem.
func JSONText(data []byte) error {
	inString := false
	for i := 0; i < len(data); {
		c := data[i]
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRune(data[i:])
			if r == utf8.RuneError && size == 1 {
				return fmt.Errorf("is not valid UTF-8 (at byte %d)", i)
			}
			i += size
			continue
		}
		switch {
		case c == '"':
			inString = !inString
		case c == '\\' && inString && i+1 < len(data):
			if data[i+1] != 'u' {
				i += 2
				continue
			}
			r, ok := hex4(data, i+2)
			if !ok {
				i += 2
				continue
			}
			switch {
			case utf16.IsSurrogate(r) && r < 0xDC00:
				if low, ok := lowSurrogateAt(data, i+6); ok && utf16.DecodeRune(r, low) != utf8.RuneError {
					i += 12
					continue
				}
				return fmt.Errorf("holds a lone UTF-16 surrogate \\u%04x (at byte %d)", r, i)
			case utf16.IsSurrogate(r):
				return fmt.Errorf("holds a lone UTF-16 surrogate \\u%04x (at byte %d)", r, i)
			}
			i += 6
			continue
		}
		i++
	}
	return nil
}

// lowSurrogateAt reads a \uXXXX escape at off.
func lowSurrogateAt(data []byte, off int) (rune, bool) {
	if off+1 >= len(data) || data[off] != '\\' || data[off+1] != 'u' {
		return 0, false
	}
	return hex4(data, off+2)
}

// hex4 reads four hexadecimal digits at off.
func hex4(data []byte, off int) (rune, bool) {
	if off+4 > len(data) {
		return 0, false
	}
	var r rune
	for _, c := range data[off : off+4] {
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return r, true
}
