package composerjson

import (
	"bytes"
	"unicode/utf8"
)

// position converts a byte offset into the 1-based line and column (in
// characters) that editors show, so error messages point at the right spot.
func position(data []byte, off int) (line, col int) {
	off = min(max(off, 0), len(data))
	before := data[:off]
	line = bytes.Count(before, []byte{'\n'}) + 1
	lineStart := bytes.LastIndexByte(before, '\n') + 1
	col = utf8.RuneCount(before[lineStart:]) + 1
	return line, col
}
