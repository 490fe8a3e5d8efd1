package semver

// The fast path of version_compare. Normalized versions start and end with
// a letter or digit and contain only letters, digits and . - _ +. For such
// strings PHP's canonicalization just cuts the string into runs of digits
// and runs of letters, so a version can be read once into a list of parts
// and compared part by part, with the same results as phpVersionCompare
// (fuzzed against it in FuzzVersionCompare). Parsed parts of a constraint's
// version are kept in the constraint, so Matches reads the probed version
// once and compares numbers, not strings.

// part is one canonical part: a number, or a word reduced to its
// special-form rank (dev, alpha, beta, RC, #, pl).
type part struct {
	num   int64 // value of a numeric part, saturated like strtol
	rank  int8  // special-form rank of a word part
	digit bool
}

// maxParts bounds the parts a probe holds on the stack; longer versions
// take the general path.
const maxParts = 16

// probe is a version prepared for comparisons. Its zero value is "not fast".
type probe struct {
	s     string
	fast  bool
	n     int
	parts [maxParts]part
}

func (p *probe) list() []part { return p.parts[:p.n] }

const (
	clsOther = iota
	clsDigit
	clsLetter
	clsSep
)

var charClass = func() (t [256]uint8) {
	for c := '0'; c <= '9'; c++ {
		t[c] = clsDigit
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] = clsLetter
		t[c-'a'+'A'] = clsLetter
	}
	for _, c := range ".-_+" {
		t[c] = clsSep
	}
	return t
}()

// parse reads s into parts and reports whether the fast path applies.
func (p *probe) parse(s string) bool {
	p.s, p.fast, p.n = s, false, 0
	if len(s) == 0 || charClass[s[0]] == clsSep || charClass[s[len(s)-1]] == clsSep {
		return false
	}
	for i := 0; i < len(s); {
		cls := charClass[s[i]]
		switch cls {
		case clsOther:
			return false
		case clsSep:
			i++
			continue
		}
		if p.n == maxParts {
			return false
		}
		start := i
		for i < len(s) && charClass[s[i]] == cls {
			i++
		}
		if cls == clsDigit {
			p.parts[p.n] = part{num: strtol(s[start:i]), digit: true}
		} else {
			p.parts[p.n] = part{rank: int8(formRank(s[start:i]))}
		}
		p.n++
	}
	p.fast = true
	return true
}

// numberRank is the special-form rank of "#N#", which stands for a number
// when a number meets a word.
const numberRank = 4

func (pt part) rankAsWord() int8 {
	if pt.digit {
		return numberRank
	}
	return pt.rank
}

// compareParts is php_version_compare on two part lists. It is
// antisymmetric: compareParts(b, a) == -compareParts(a, b).
func compareParts(a, b []part) int {
	n := min(len(a), len(b))
	for i := 0; i < n; i++ {
		x, y := a[i], b[i]
		var c int
		if x.digit && y.digit {
			c = sign(x.num - y.num)
		} else {
			c = sign(int64(x.rankAsWord()) - int64(y.rankAsWord()))
		}
		if c != 0 {
			return c
		}
	}
	// One version goes on: versioning.c compares the rest with "#N#", so a
	// following number wins and a following word is ranked against a number.
	switch {
	case len(a) > n:
		return sign(int64(a[n].rankAsWord()) - numberRank + boolInt64(a[n].digit))
	case len(b) > n:
		return -sign(int64(b[n].rankAsWord()) - numberRank + boolInt64(b[n].digit))
	}
	return 0
}

func boolInt64(b bool) int64 {
	if b {
		return 1
	}
	return 0
}
