// Package exclude decides which files a dist archive leaves out, by a
// package's composer.json archive.exclude rules, exactly as Composer's own
// archiver does. It is Composer logic, kept apart from the git code
// (internal/vcs) that builds archives with it.
package exclude

import (
	"errors"
	"math/bits"
	"strings"
)

// Rules applies Composer's archive.exclude rules (composer.json
// "archive": {"exclude": [...]}) with the semantics of Composer's
// ComposerExcludeFilter/BaseExcludeFilter, reproduced exactly: each rule is
// turned into the same regular expression Composer builds (through Symfony's
// Glob::toRegex) and that expression is evaluated with a small automaton, so
// dists built here leave out the files Composer's own archiver (Satis,
// `composer archive`) would.
//
// In short:
//   - Rules apply in order; the last rule that matches a path decides. A
//     leading '!' (any number of them) makes a matching rule re-include.
//   - A leading '/' anchors the rule at the package root. A rule without '/'
//     (or with only a trailing one) matches at any depth. A rule with a '/'
//     inside but not in front is searched anywhere in "/" + path, as in
//     Composer, even in the middle of a name ("b/c" also matches "ab/c").
//   - A rule matches a path when it matches the path or one of its parent
//     directories: "/tests" excludes tests/unit/FooTest.php.
//   - '*' and '?' do not cross '/'. "**" between slashes is any number of
//     directories ("a/**/b" matches a/b and a/x/y/b); at the start of a rule
//     it is a plain '*' ("/**/x" is "/*/x"), but "**/x" still finds x at
//     any depth since such rules are searched anywhere.
//   - "{a,b}" alternatives; "[abc]" and "[a-z]" classes ('^' and '!' do not
//     negate a class in Composer); '\' escapes the next character.
//   - A wildcard at the start of a name does not match a leading '.': "*.md"
//     leaves ".hidden.md" alone, as Symfony's strict-leading-dot globs do.
//   - Rules Composer's regex engine would reject (an unclosed '{' or '[',
//     a '}' outside braces) never match.
//
// The one deliberate difference: a trailing '/' restricts a rule to
// directories (and so to their contents), as in gitignore; Composer ignores
// it and would also exclude a file of that name.
type Rules struct {
	rules []exRule
}

// New compiles patterns. It never fails: rules that cannot match are
// kept as such, like Composer does.
func New(patterns []string) *Rules {
	e := &Rules{rules: make([]exRule, 0, len(patterns))}
	for _, p := range patterns {
		e.rules = append(e.rules, compileExclude(p))
	}
	return e
}

// Excluded reports whether path (relative to the package root, '/'
// separated, no leading '/') is left out. isDir tells whether path is a
// directory, which only matters for rules with a trailing '/'.
func (e *Rules) Excluded(path string, isDir bool) bool {
	if e == nil {
		return false
	}
	for i := len(e.rules) - 1; i >= 0; i-- {
		if r := &e.rules[i]; r.match(path, isDir) {
			return !r.negate
		}
	}
	return false
}

type ruleKind uint8

const (
	ruleNever ruleKind = iota
	ruleLiteral
	ruleNFA
)

// Where a rule may start matching in "/" + path, as Composer's prefix
// ("^/", "/" or nothing) decides.
const (
	atRoot     = iota // "^/": at the start
	atBoundary        // "/": right after any '/'
	anywhere          // "": at any byte
)

type exRule struct {
	negate, dirOnly bool
	kind            ruleKind
	where           int    // for ruleLiteral
	lit             string // for ruleLiteral
	prog            *nfa
}

func compileExclude(rule string) exRule {
	var r exRule
	if rule != "" && rule[0] == '!' {
		r.negate = true
		rule = strings.TrimLeft(rule, "!")
	}
	prefix, where := "", anywhere
	switch i := strings.IndexByte(rule, '/'); {
	case i == 0:
		prefix, where = "^/", atRoot
	case i < 0 || i == len(rule)-1:
		prefix, where = "/", atBoundary
	}
	body := strings.Trim(rule, "/")
	r.dirOnly = strings.HasSuffix(rule, "/") && body != ""
	re := prefix + globToRegex(body)
	if !phpDelimitersOK(re) {
		return r // preg_match would fail; Composer suppresses that
	}
	if !strings.ContainsAny(body, "*?[{\\") {
		r.kind, r.where, r.lit = ruleLiteral, where, body
		return r
	}
	node, err := parseRegex(re)
	if err != nil {
		return r
	}
	prog, err := compileNFA(node)
	if err != nil {
		return r
	}
	r.kind, r.prog = ruleNFA, prog
	return r
}

func (r *exRule) match(p string, isDir bool) bool {
	switch r.kind {
	case ruleLiteral:
		return r.matchLiteral(p, isDir)
	case ruleNFA:
		return r.prog.match(p, isDir, r.dirOnly)
	}
	return false
}

// matchLiteral handles rules without wildcards (most real ones) with plain
// string search.
func (r *exRule) matchLiteral(p string, isDir bool) bool {
	l := r.lit
	if r.where == atRoot {
		return strings.HasPrefix(p, l) && accepts(p, len(l), isDir, r.dirOnly)
	}
	for off := 0; off+len(l) <= len(p); {
		i := strings.Index(p[off:], l)
		if i < 0 {
			return false
		}
		i += off
		if (r.where == anywhere || i == 0 || p[i-1] == '/') && accepts(p, i+len(l), isDir, r.dirOnly) {
			return true
		}
		off = i + 1
	}
	return false
}

// accepts implements Composer's "(?=$|/)" after a match ending at e in p:
// the match must end at a '/' or at the end (PCRE's '$' also matches before
// a final newline). With dirOnly, ending at the end needs p to be a
// directory.
func accepts(p string, e int, isDir, dirOnly bool) bool {
	if e < len(p) && p[e] == '/' {
		return true
	}
	atEnd := e == len(p) || e == len(p)-1 && p[e] == '\n'
	return atEnd && (!dirOnly || isDir)
}

// globToRegex is Symfony's Glob::toRegex($glob) (strict leading dot, strict
// wildcard slash, delimiter '#') without the delimiters and anchors, as
// Composer's BaseExcludeFilter::generatePattern uses it.
func globToRegex(glob string) string {
	var b strings.Builder
	firstByte, escaping, inCurlies := true, false, 0
	for i := 0; i < len(glob); i++ {
		c := glob[i]
		if firstByte && c != '.' {
			b.WriteString(`(?=[^\.])`)
		}
		firstByte = c == '/'
		if firstByte && i+2 < len(glob) && glob[i+1] == '*' && glob[i+2] == '*' && (i+3 >= len(glob) || glob[i+3] == '/') {
			inner := `[^/]++/`
			if i+3 >= len(glob) {
				inner += "?"
			}
			b.WriteString(`/(?:(?=[^\.])` + inner + `)*`)
			if i+3 < len(glob) {
				i += 3
			} else {
				i += 2
			}
			escaping = false
			continue
		}
		switch {
		case c == '#' || c == '.' || c == '(' || c == ')' || c == '|' || c == '+' || c == '^' || c == '$':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c == '*':
			if escaping {
				b.WriteString(`\*`)
			} else {
				b.WriteString(`[^/]*`)
			}
		case c == '?':
			if escaping {
				b.WriteString(`\?`)
			} else {
				b.WriteString(`[^/]`)
			}
		case c == '{':
			if escaping {
				b.WriteString(`\{`)
			} else {
				b.WriteByte('(')
				inCurlies++
			}
		case c == '}' && inCurlies > 0:
			if escaping {
				b.WriteByte('}')
			} else {
				b.WriteByte(')')
				inCurlies--
			}
		case c == ',' && inCurlies > 0:
			if escaping {
				b.WriteByte(',')
			} else {
				b.WriteByte('|')
			}
		case c == '\\':
			if escaping {
				b.WriteString(`\\`)
				escaping = false
			} else {
				escaping = true
			}
			continue
		default:
			b.WriteByte(c)
		}
		escaping = false
	}
	return b.String()
}

// phpDelimitersOK reports whether PHP accepts "{" + re + "(?=$|/)}" as a
// delimited pattern: a '}' in re ends it early and leaves invalid modifiers.
func phpDelimitersOK(re string) bool {
	s := "{" + re + "(?=$|/)}"
	depth := 1
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			if i+1 < len(s) {
				i++
			}
		case '}':
			depth--
			if depth == 0 {
				return i == len(s)-1
			}
		case '{':
			depth++
		}
	}
	return false
}

// ---- a regular expression engine for the PCRE subset globToRegex emits ----

type byteSet [4]uint64

func (s *byteSet) add(c byte)      { s[c>>6] |= 1 << (c & 63) }
func (s *byteSet) has(c byte) bool { return s[c>>6]&(1<<(c&63)) != 0 }
func (s *byteSet) addRange(lo, hi byte) {
	for c := int(lo); c <= int(hi); c++ {
		s.add(byte(c))
	}
}
func (s *byteSet) invert() {
	for i := range s {
		s[i] = ^s[i]
	}
}

type reOp uint8

const (
	reSet    reOp = iota // one byte from set
	reCat                // subs in sequence
	reAlt                // one of subs
	reStar               // subs[0]*
	rePlus               // subs[0]+
	reQuest              // subs[0]?
	reBegin              // ^
	reNotDot             // (?=[^\.]): a next byte that is not '.'
)

type reNode struct {
	op   reOp
	set  byteSet
	subs []*reNode
}

var errRegex = errors.New("unsupported or invalid regex")

// maxNesting is PCRE's default limit on nested parentheses.
const maxNesting = 250

type reParser struct {
	s     string
	pos   int
	depth int
}

func parseRegex(s string) (*reNode, error) {
	p := &reParser{s: s}
	n, err := p.alt()
	if err != nil {
		return nil, err
	}
	if p.pos != len(p.s) {
		return nil, errRegex // an unmatched ')'
	}
	return n, nil
}

func (p *reParser) alt() (*reNode, error) {
	var alts []*reNode
	for {
		c, err := p.concat()
		if err != nil {
			return nil, err
		}
		alts = append(alts, c)
		if p.pos < len(p.s) && p.s[p.pos] == '|' {
			p.pos++
			continue
		}
		break
	}
	if len(alts) == 1 {
		return alts[0], nil
	}
	return &reNode{op: reAlt, subs: alts}, nil
}

func (p *reParser) concat() (*reNode, error) {
	n := &reNode{op: reCat}
	for p.pos < len(p.s) && p.s[p.pos] != '|' && p.s[p.pos] != ')' {
		a, err := p.atom()
		if err != nil {
			return nil, err
		}
		if p.pos < len(p.s) {
			var op reOp
			switch p.s[p.pos] {
			case '*':
				op = reStar
			case '+':
				op = rePlus
			case '?':
				op = reQuest
			}
			if op != 0 {
				p.pos++
				// Possessive and lazy forms accept the same strings here
				// (see the tests): only whether a match exists matters.
				if p.pos < len(p.s) && (p.s[p.pos] == '+' || p.s[p.pos] == '?') {
					p.pos++
				}
				a = &reNode{op: op, subs: []*reNode{a}}
			}
		}
		n.subs = append(n.subs, a)
	}
	return n, nil
}

func (p *reParser) atom() (*reNode, error) {
	c := p.s[p.pos]
	switch c {
	case '^':
		p.pos++
		return &reNode{op: reBegin}, nil
	case '(':
		if strings.HasPrefix(p.s[p.pos:], `(?=[^\.])`) {
			p.pos += len(`(?=[^\.])`)
			return &reNode{op: reNotDot}, nil
		}
		p.pos++
		if strings.HasPrefix(p.s[p.pos:], "?:") {
			p.pos += 2
		} else if p.pos < len(p.s) && p.s[p.pos] == '?' {
			return nil, errRegex
		}
		p.depth++
		if p.depth > maxNesting {
			return nil, errRegex
		}
		n, err := p.alt()
		if err != nil {
			return nil, err
		}
		if p.pos >= len(p.s) || p.s[p.pos] != ')' {
			return nil, errRegex
		}
		p.pos++
		p.depth--
		return n, nil
	case '[':
		if p.pos+1 < len(p.s) && strings.IndexByte(":.=", p.s[p.pos+1]) >= 0 {
			if _, ok := posixEnd(p.s, p.pos+1); ok {
				return nil, errRegex // "[:alpha:]" outside a class
			}
		}
		return p.class()
	case '\\':
		if p.pos+1 >= len(p.s) || isAlnum(p.s[p.pos+1]) {
			return nil, errRegex
		}
		n := &reNode{op: reSet}
		n.set.add(p.s[p.pos+1])
		p.pos += 2
		return n, nil
	case '*', '+', '?', '$':
		return nil, errRegex
	case '.':
		p.pos++
		n := &reNode{op: reSet}
		n.set.add('\n')
		n.set.invert()
		return n, nil
	}
	p.pos++
	n := &reNode{op: reSet}
	n.set.add(c)
	return n, nil
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

var posixClasses = map[string]func(c byte) bool{
	"alpha":  func(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' },
	"digit":  func(c byte) bool { return c >= '0' && c <= '9' },
	"alnum":  isAlnum,
	"upper":  func(c byte) bool { return c >= 'A' && c <= 'Z' },
	"lower":  func(c byte) bool { return c >= 'a' && c <= 'z' },
	"space":  func(c byte) bool { return c == ' ' || c >= '\t' && c <= '\r' },
	"blank":  func(c byte) bool { return c == ' ' || c == '\t' },
	"punct":  func(c byte) bool { return c > ' ' && c < 0x7f && !isAlnum(c) },
	"xdigit": func(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' },
	"word":   func(c byte) bool { return isAlnum(c) || c == '_' },
	"cntrl":  func(c byte) bool { return c < ' ' || c == 0x7f },
	"print":  func(c byte) bool { return c >= ' ' && c < 0x7f },
	"graph":  func(c byte) bool { return c > ' ' && c < 0x7f },
	"ascii":  func(c byte) bool { return c < 0x80 },
}

// class parses a PCRE character class starting at '['.
func (p *reParser) class() (*reNode, error) {
	p.pos++ // '['
	n := &reNode{op: reSet}
	negate := false
	if p.pos < len(p.s) && p.s[p.pos] == '^' {
		negate = true
		p.pos++
	}
	first := true
	for {
		if p.pos >= len(p.s) {
			return nil, errRegex // missing ']'
		}
		c := p.s[p.pos]
		if c == ']' && !first {
			p.pos++
			break
		}
		first = false
		if c == '[' && p.pos+1 < len(p.s) && strings.IndexByte(":.=", p.s[p.pos+1]) >= 0 {
			if end, ok := posixEnd(p.s, p.pos+1); ok {
				if p.s[p.pos+1] != ':' {
					return nil, errRegex // collating elements: unsupported by PCRE
				}
				name := p.s[p.pos+2 : end]
				neg := strings.HasPrefix(name, "^")
				f, ok := posixClasses[strings.TrimPrefix(name, "^")]
				if !ok {
					return nil, errRegex
				}
				for b := 0; b < 256; b++ {
					if f(byte(b)) != neg {
						n.set.add(byte(b))
					}
				}
				p.pos = end + 2
				if p.pos+1 < len(p.s) && p.s[p.pos] == '-' && p.s[p.pos+1] != ']' {
					return nil, errRegex // a range starting at a POSIX class
				}
				continue
			}
		}
		lo, err := p.classChar()
		if err != nil {
			return nil, err
		}
		if p.pos+1 < len(p.s) && p.s[p.pos] == '-' && p.s[p.pos+1] != ']' {
			p.pos++
			if p.pos+1 < len(p.s) && p.s[p.pos] == '[' && strings.IndexByte(":.=", p.s[p.pos+1]) >= 0 {
				if _, ok := posixEnd(p.s, p.pos+1); ok {
					return nil, errRegex // a range ending in a POSIX class
				}
			}
			hi, err := p.classChar()
			if err != nil {
				return nil, err
			}
			if hi < lo {
				return nil, errRegex
			}
			n.set.addRange(lo, hi)
			continue
		}
		n.set.add(lo)
	}
	if negate {
		n.set.invert()
	}
	return n, nil
}

// posixEnd is PCRE's check_posix_syntax: s[i] is the terminator (':', '.'
// or '=') after a '['; it returns the index of the closing terminator
// (followed by ']') if the text reads as a POSIX class.
func posixEnd(s string, i int) (int, bool) {
	term := s[i]
	for i++; len(s)-i >= 2; i++ {
		switch {
		case s[i] == '\\' && (s[i+1] == ']' || s[i+1] == '\\'):
			i++
		case s[i] == '[' && s[i+1] == term, s[i] == ']':
			return 0, false
		case s[i] == term && s[i+1] == ']':
			return i, true
		}
	}
	return 0, false
}

func (p *reParser) classChar() (byte, error) {
	c := p.s[p.pos]
	if c != '\\' {
		p.pos++
		return c, nil
	}
	if p.pos+1 >= len(p.s) || isAlnum(p.s[p.pos+1]) {
		return 0, errRegex
	}
	p.pos += 2
	return p.s[p.pos-1], nil
}

// nfa is a Thompson automaton simulated with bit sets, so matching is
// linear in the path length whatever the pattern (no backtracking blow-up).
type nfa struct {
	insts    []nfaInst
	start    int
	matchPC  int
	words    int
	anchored bool
	// clo[ctx] holds, for each pc, the byte-consuming and match
	// instructions reachable from pc without consuming input, given the
	// context ctx (bit 0: at the start; bit 1: the next byte exists and is
	// not '.').
	clo     [4][]uint64
	targets []bool // pcs that byte instructions lead to
}

type nfaOp uint8

const (
	iByte nfaOp = iota
	iSplit
	iBegin
	iNotDot
	iMatch
)

type nfaInst struct {
	op   nfaOp
	x, y int
	set  byteSet
}

// maxInsts bounds the automaton (and its closure tables, which grow with
// the square of it); longer patterns are not real exclude rules.
const maxInsts = 512

var errTooBig = errors.New("pattern too complex")

type nfaBuilder struct{ insts []nfaInst }

func (b *nfaBuilder) add(in nfaInst) (int, error) {
	if len(b.insts) >= maxInsts {
		return 0, errTooBig
	}
	b.insts = append(b.insts, in)
	return len(b.insts) - 1, nil
}

// emit compiles n so that on success control continues at next, and
// returns n's entry point.
func (b *nfaBuilder) emit(n *reNode, next int) (int, error) {
	switch n.op {
	case reSet:
		return b.add(nfaInst{op: iByte, set: n.set, x: next})
	case reCat:
		var err error
		for i := len(n.subs) - 1; i >= 0; i-- {
			if next, err = b.emit(n.subs[i], next); err != nil {
				return 0, err
			}
		}
		return next, nil
	case reAlt:
		entry, err := b.emit(n.subs[len(n.subs)-1], next)
		if err != nil {
			return 0, err
		}
		for i := len(n.subs) - 2; i >= 0; i-- {
			e, err := b.emit(n.subs[i], next)
			if err != nil {
				return 0, err
			}
			if entry, err = b.add(nfaInst{op: iSplit, x: e, y: entry}); err != nil {
				return 0, err
			}
		}
		return entry, nil
	case reStar, rePlus:
		loop, err := b.add(nfaInst{op: iSplit})
		if err != nil {
			return 0, err
		}
		body, err := b.emit(n.subs[0], loop)
		if err != nil {
			return 0, err
		}
		b.insts[loop].x, b.insts[loop].y = body, next
		if n.op == rePlus {
			return body, nil
		}
		return loop, nil
	case reQuest:
		body, err := b.emit(n.subs[0], next)
		if err != nil {
			return 0, err
		}
		return b.add(nfaInst{op: iSplit, x: body, y: next})
	case reBegin:
		return b.add(nfaInst{op: iBegin, x: next})
	case reNotDot:
		return b.add(nfaInst{op: iNotDot, x: next})
	}
	return 0, errRegex
}

func compileNFA(n *reNode) (*nfa, error) {
	b := &nfaBuilder{}
	match, _ := b.add(nfaInst{op: iMatch})
	start, err := b.emit(n, match)
	if err != nil {
		return nil, err
	}
	m := &nfa{insts: b.insts, start: start, matchPC: match, words: (len(b.insts) + 63) / 64}
	m.anchored = startsAnchored(n)
	seen := make([]uint32, len(m.insts))
	var stack []int
	gen := uint32(0)
	for ctx := range m.clo {
		m.clo[ctx] = make([]uint64, len(m.insts)*m.words)
		for pc := range m.insts {
			// Only the start and the targets of byte instructions are
			// ever looked up; skip the rest.
			if pc != m.start && !m.isTarget(pc) {
				continue
			}
			gen++
			stack = m.closure(ctx, pc, m.clo[ctx][pc*m.words:(pc+1)*m.words], seen, gen, stack)
		}
	}
	return m, nil
}

func (m *nfa) isTarget(pc int) bool {
	if m.targets == nil {
		m.targets = make([]bool, len(m.insts))
		for _, in := range m.insts {
			if in.op == iByte {
				m.targets[in.x] = true
			}
		}
	}
	return m.targets[pc]
}

func startsAnchored(n *reNode) bool {
	for n.op == reCat && len(n.subs) > 0 {
		n = n.subs[0]
	}
	return n.op == reBegin
}

// closure fills out with the iByte/iMatch instructions reachable from pc by
// epsilon moves whose assertions hold in ctx.
func (m *nfa) closure(ctx, pc int, out []uint64, seen []uint32, gen uint32, stack []int) []int {
	stack = append(stack[:0], pc)
	for len(stack) > 0 {
		pc := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[pc] == gen {
			continue
		}
		seen[pc] = gen
		in := &m.insts[pc]
		switch in.op {
		case iByte, iMatch:
			out[pc/64] |= 1 << (pc % 64)
		case iSplit:
			stack = append(stack, in.y, in.x)
		case iBegin:
			if ctx&1 != 0 {
				stack = append(stack, in.x)
			}
		case iNotDot:
			if ctx&2 != 0 {
				stack = append(stack, in.x)
			}
		}
	}
	return stack
}

// match searches "/" + p, like preg_match on Composer's relative path.
func (m *nfa) match(p string, isDir, dirOnly bool) bool {
	n := len(p) + 1
	at := func(i int) byte {
		if i == 0 {
			return '/'
		}
		return p[i-1]
	}
	// cur: instructions reached after consuming i bytes, before closure;
	// act: after closure. maxInsts keeps them within the arrays.
	var curA, nextA, actA [maxInsts / 64]uint64
	cur, next, act := curA[:m.words], nextA[:m.words], actA[:m.words]
	for i := 0; i <= n; i++ {
		ctx := 0
		if i == 0 {
			ctx |= 1
		}
		if i < n && at(i) != '.' {
			ctx |= 2
		}
		clo := m.clo[ctx]
		clear(act)
		alive := false
		if i == 0 || !m.anchored {
			row := clo[m.start*m.words : (m.start+1)*m.words]
			for w := range act {
				act[w] |= row[w]
			}
			alive = true
		}
		for w, word := range cur {
			for word != 0 {
				pc := w*64 + bits.TrailingZeros64(word)
				word &= word - 1
				row := clo[pc*m.words : (pc+1)*m.words]
				for k := range act {
					act[k] |= row[k]
				}
				alive = true
			}
		}
		if !alive {
			return false
		}
		if act[m.matchPC/64]&(1<<(m.matchPC%64)) != 0 && (i == 0 || accepts(p, i-1, isDir, dirOnly)) {
			return true // (at i == 0 the next byte is the leading '/')
		}
		if i == n {
			break
		}
		c := at(i)
		clear(next)
		for w, word := range act {
			for word != 0 {
				pc := w*64 + bits.TrailingZeros64(word)
				word &= word - 1
				if in := &m.insts[pc]; in.op == iByte && in.set.has(c) {
					next[in.x/64] |= 1 << (in.x % 64)
				}
			}
		}
		cur, next = next, cur
	}
	return false
}
