package semver

import "math"

// This file reproduces PHP's version_compare() (ext/standard/versioning.c),
// which composer uses for every ordering decision. Its quirks are kept on
// purpose: "1.0-foo" < "1.0-dev" (unknown words rank below dev), "1.0" <
// "1.0.0", numbers saturate at 2^63-1, a string starting with '#' is not
// canonicalized, and "1." is not even equal to itself.

type byteString interface{ ~string | ~[]byte }

// canonBuf is big enough for every realistic version, so comparisons stay
// on the stack; longer inputs just make append allocate.
const canonBuf = 64

// PHPVersionCompare is PHP's version_compare($a, $b): -1, 0 or 1. It knows
// nothing about composer's dev-* branches; see Compare for that.
func PHPVersionCompare(a, b string) int {
	var pa, pb probe
	if pa.parse(a) && pb.parse(b) {
		return compareParts(pa.list(), pb.list())
	}
	return phpVersionCompare(a, b)
}

func phpVersionCompare[A, B byteString](a A, b B) int {
	// PHP hands C strings to the comparison: everything after a NUL is lost.
	a, b = cutNUL(a), cutNUL(b)
	if len(a) == 0 || len(b) == 0 {
		switch {
		case len(a) == 0 && len(b) == 0:
			return 0
		case len(a) > 0:
			return 1
		}
		return -1
	}
	var bufA, bufB [canonBuf]byte
	ca := canonicalize(bufA[:0], a)
	cb := canonicalize(bufB[:0], b)
	return compareCanonical(ca, cb)
}

func cutNUL[S byteString](s S) S {
	for i := 0; i < len(s); i++ {
		if s[i] == 0 {
			return s[:i]
		}
	}
	return s
}

// canonicalize appends php_canonicalize_version(s) to dst: '-', '_' and '+'
// become '.', a '.' separates digit runs from non-digit runs, other
// non-alphanumerics become '.', and dots never repeat. The first byte is
// copied verbatim, and a string starting with '#' is left alone entirely.
func canonicalize[S byteString](dst []byte, s S) []byte {
	if s[0] == '#' {
		return append(dst, s...)
	}
	dst = append(dst, s[0])
	lp := s[0]
	for i := 1; i < len(s); i++ {
		c := s[i]
		lq := dst[len(dst)-1]
		switch {
		case c == '-' || c == '_' || c == '+':
			if lq != '.' {
				dst = append(dst, '.')
			}
		case (isNonDigit(lp) && isDigit(c)) || (isDigit(lp) && isNonDigit(c)):
			if lq != '.' {
				dst = append(dst, '.')
			}
			dst = append(dst, c)
		case !isAlnum(c):
			if lq != '.' {
				dst = append(dst, '.')
			}
		default:
			dst = append(dst, c)
		}
		lp = c
	}
	return dst
}

// isNonDigit is versioning.c's isndig: neither a digit nor a dot.
func isNonDigit(c byte) bool { return !isDigit(c) && c != '.' }

// compareCanonical walks both canonical strings one dot-separated part at a
// time, exactly like php_version_compare's loop.
func compareCanonical(v1, v2 []byte) int {
	p1, p2 := 0, 0
	more1, more2 := true, true // versioning.c's n1 != NULL, n2 != NULL
	cmp := 0
	for p1 < len(v1) && p2 < len(v2) && more1 && more2 {
		e1 := indexDot(v1, p1)
		if e1 < 0 {
			more1, e1 = false, len(v1)
		}
		e2 := indexDot(v2, p2)
		if e2 < 0 {
			more2, e2 = false, len(v2)
		}
		s1, s2 := v1[p1:e1], v2[p2:e2]
		d1 := len(s1) > 0 && isDigit(s1[0])
		d2 := len(s2) > 0 && isDigit(s2[0])
		switch {
		case d1 && d2:
			cmp = sign(strtol(s1) - strtol(s2))
		case !d1 && !d2:
			cmp = compareSpecial(s1, s2)
		case d1:
			cmp = compareSpecial(numberForm, s2)
		default:
			cmp = compareSpecial(s1, numberForm)
		}
		if cmp != 0 {
			break
		}
		if more1 {
			p1 = e1 + 1
		}
		if more2 {
			p2 = e2 + 1
		}
	}
	if cmp == 0 {
		if more1 {
			if p1 < len(v1) && isDigit(v1[p1]) {
				cmp = 1
			} else {
				cmp = phpVersionCompare(v1[p1:], numberForm)
			}
		} else if more2 {
			if p2 < len(v2) && isDigit(v2[p2]) {
				cmp = -1
			} else {
				cmp = phpVersionCompare(numberForm, v2[p2:])
			}
		}
	}
	return cmp
}

// numberForm is how versioning.c names "a number" when ranking it against words.
var numberForm = []byte("#N#")

func indexDot(s []byte, from int) int {
	for i := from; i < len(s); i++ {
		if s[i] == '.' {
			return i
		}
	}
	return -1
}

// strtol parses the leading digits like C's strtol, saturating at LONG_MAX.
func strtol[S byteString](s S) int64 {
	var n int64
	for i := 0; i < len(s) && isDigit(s[i]); i++ {
		d := int64(s[i] - '0')
		if n > (math.MaxInt64-d)/10 {
			return math.MaxInt64
		}
		n = n*10 + d
	}
	return n
}

func sign(n int64) int {
	switch {
	case n < 0:
		return -1
	case n > 0:
		return 1
	}
	return 0
}

// compareSpecial ranks two non-numeric parts by prefix:
// unknown < dev < alpha = a < beta = b < RC = rc < # (a number) < pl = p.
func compareSpecial(a, b []byte) int {
	return sign(int64(formRank(a) - formRank(b)))
}

// formRank is the position of a part in versioning.c's special forms table,
// matched by prefix ("patch" is "p", "abc" is "a"); -1 for anything else.
func formRank[S byteString](s S) int {
	if len(s) == 0 {
		return -1
	}
	switch s[0] {
	case 'd':
		if len(s) >= 3 && s[1] == 'e' && s[2] == 'v' {
			return 0
		}
	case 'a':
		return 1
	case 'b':
		return 2
	case 'R':
		if len(s) >= 2 && s[1] == 'C' {
			return 3
		}
	case 'r':
		if len(s) >= 2 && s[1] == 'c' {
			return 3
		}
	case '#':
		return 4
	case 'p':
		return 5
	}
	return -1
}
