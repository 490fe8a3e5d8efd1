package semver

import "strconv"

// phpTrim is PHP's trim(): it strips " \t\n\r\0\x0B" (not \f) from both ends.
func phpTrim(s string) string {
	start, end := 0, len(s)
	for start < end && isTrimByte(s[start]) {
		start++
	}
	for end > start && isTrimByte(s[end-1]) {
		end--
	}
	return s[start:end]
}

func isTrimByte(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == 0 || c == '\v'
}

// hasPrefixFold is stripos($s, $prefix) === 0 for an ASCII prefix.
func hasPrefixFold(s, prefix string) bool {
	if len(s) < len(prefix) {
		return false
	}
	for i := 0; i < len(prefix); i++ {
		a, b := s[i], prefix[i]
		if a >= 'A' && a <= 'Z' {
			a += 'a' - 'A'
		}
		if b >= 'A' && b <= 'Z' {
			b += 'a' - 'A'
		}
		if a != b {
			return false
		}
	}
	return true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isAlnum(c byte) bool {
	return isDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

func itoa(n int) string { return strconv.Itoa(n) }

// group returns submatch i of an index slice from FindStringSubmatchIndex,
// "" when the group did not take part (PHP gives "" or leaves it unset; every
// caller treats both as empty).
func group(s string, m []int, i int) string {
	if 2*i+1 >= len(m) || m[2*i] < 0 {
		return ""
	}
	return s[m[2*i]:m[2*i+1]]
}
