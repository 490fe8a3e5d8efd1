package readme

import (
	"bytes"
	"strings"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// Complexity limits. MaxSize alone does not bound the cost of a README:
// goldmark takes quadratic time on some adversarial input (hundreds of
// thousands of nested "> " or "- " on one line; a long paragraph of
// unmatched "[a](", "_a" or "~~"), which at 512 KiB means minutes of CPU,
// and a GFM table pads every row to the header's width, so 15 KiB of table
// can expand to 80 MB of HTML. Input beyond these limits is shown as plain
// text instead. Real READMEs are far inside them.
const (
	// maxNesting bounds block quote and list markers at the start of a
	// line ("> - > 1. text" is 4).
	maxNesting = 32
	// maxRun bounds a stretch of consecutive non-blank lines (an upper
	// bound of any paragraph, table or tight list).
	maxRun = 64 << 10
	// maxRefWork bounds, summed over stretches of non-blank lines, lines
	// that may start a link reference definition (first character after
	// container markers is '[') × lines: goldmark removes each definition
	// from its paragraph by copying the remaining lines.
	maxRefWork = 16 << 20
	// maxTableCells bounds the table cells the input can produce, counted
	// as (pipes in the widest line + 1) × lines for each stretch of
	// non-blank lines: an upper bound of GFM's header width × rows.
	maxTableCells = 100_000
	// maxInline bounds the text of one paragraph, heading or table cell.
	maxInline = 32 << 10
	// maxInlineWork bounds the sum, over paragraphs, headings and table
	// cells, of length × inline trigger characters (see inlineTriggers):
	// goldmark's slow inline cases are a trigger scanning to the end of its
	// paragraph, so this is the shape of their cost. A typical README scores
	// well under a tenth of it.
	maxInlineWork = 128 << 20
	// maxOutput bounds the rendered HTML; some constructs (nested block
	// quotes, lists) legitimately expand a lot.
	maxOutput = 4 * MaxSize
)

// tooComplex reports whether src exceeds a complexity limit. It runs in time
// linear in len(src): a line scan first, then, when that passes, a goldmark
// parse with block parsers only (no inline parsing, the quadratic part) to
// measure the text of each paragraph, heading and table cell.
func tooComplex(src []byte, blocks parser.Parser) bool {
	if !linesWithinLimits(src) {
		return true
	}
	doc := blocks.Parse(text.NewReader(src))
	over, work := false, 0
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering || n.Type() != ast.TypeBlock || n.IsRaw() {
			return ast.WalkContinue, nil
		}
		size, triggers := 0, 0
		lines := n.Lines()
		for i := 0; i < lines.Len(); i++ {
			seg := lines.At(i)
			v := seg.Value(src)
			size += len(v)
			triggers += countAny(v, inlineTriggers)
		}
		work += size * triggers
		if size > maxInline || work > maxInlineWork {
			over = true
			return ast.WalkStop, nil
		}
		return ast.WalkContinue, nil
	})
	return over
}

// inlineTriggers are the characters that make goldmark's inline parser look
// ahead: link and image brackets, autolinks and raw HTML, code spans,
// emphasis and strikethrough delimiters.
const inlineTriggers = "[]()!<`*_~"

func countAny(b []byte, chars string) int {
	n := 0
	for _, c := range b {
		if strings.IndexByte(chars, c) >= 0 {
			n++
		}
	}
	return n
}

// newBlockParser returns a goldmark parser that builds the block structure
// Render's converter would (CommonMark blocks plus GFM tables) but parses
// no inlines.
func newBlockParser() parser.Parser {
	return parser.NewParser(
		parser.WithBlockParsers(parser.DefaultBlockParsers()...),
		parser.WithParagraphTransformers(append(parser.DefaultParagraphTransformers(),
			util.Prioritized(extension.NewTableParagraphTransformer(), 200))...),
	)
}

// linesWithinLimits checks maxNesting, maxRun and maxTableCells in one pass.
// It ignores code fences on purpose: guessing where goldmark sees a fence
// would let a mismatch hide input from the checks.
func linesWithinLimits(src []byte) bool {
	var runBytes, runLines, runPipes, runRefs, cells, refWork int
	endRun := func() {
		cells += (runPipes + 1) * runLines
		refWork += runRefs * runLines
		runBytes, runLines, runPipes, runRefs = 0, 0, 0, 0
	}
	for len(src) > 0 {
		line := src
		if i := bytes.IndexByte(src, '\n'); i >= 0 {
			line, src = src[:i+1], src[i+1:]
		} else {
			src = nil
		}
		if isBlank(line) {
			endRun()
			continue
		}
		depth, rest := nesting(line)
		if depth > maxNesting {
			return false
		}
		runBytes += len(line)
		runLines++
		runPipes = max(runPipes, bytes.Count(line, []byte{'|'}))
		if rest < len(line) && line[rest] == '[' {
			runRefs++
		}
		if runBytes > maxRun ||
			cells+(runPipes+1)*runLines > maxTableCells ||
			refWork+runRefs*runLines > maxRefWork {
			return false
		}
	}
	endRun()
	return true
}

func isBlank(line []byte) bool {
	return len(bytes.Trim(line, " \t\r\n")) == 0
}

// nesting counts the container markers a line starts with: '>' and list
// markers ("-", "*", "+", "1.", "1)") followed by white space. Any amount of
// white space is skipped between them, which can only over-count. It also
// returns the index of the first byte after the markers and white space.
func nesting(line []byte) (depth, rest int) {
	i := 0
	for {
		for i < len(line) && (line[i] == ' ' || line[i] == '\t') {
			i++
		}
		if i >= len(line) {
			return depth, i
		}
		switch c := line[i]; {
		case c == '>':
			i++
		case c == '-' || c == '*' || c == '+':
			if i+1 >= len(line) || !isSpace(line[i+1]) {
				return depth, i
			}
			i++
		case c >= '0' && c <= '9':
			j := i
			for j < len(line) && j-i < 10 && line[j] >= '0' && line[j] <= '9' {
				j++
			}
			if j+1 >= len(line) || (line[j] != '.' && line[j] != ')') || !isSpace(line[j+1]) {
				return depth, i
			}
			i = j + 1
		default:
			return depth, i
		}
		depth++
	}
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r'
}
