package composerjson

// PHP's strtolower and PCRE's /i without /u fold ASCII letters only. Using the
// same rule (instead of Unicode folding, where e.g. the Kelvin sign folds to
// "k") keeps our answers identical to Composer's.

func lowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if b[j] >= 'A' && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

func equalFoldASCII(a, b string) bool {
	return len(a) == len(b) && lowerASCII(a) == lowerASCII(b)
}
