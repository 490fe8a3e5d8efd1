// Package phpstr reproduces the PHP string functions whose exact behaviour
// Composer's answers depend on, so Go ports of Composer logic agree with it
// byte for byte.
package phpstr

// Lower is PHP 8's strtolower (and what PCRE's /i without /u folds): ASCII
// letters only, whatever the locale, unlike Unicode folding where e.g. the
// Kelvin sign folds to "k". It does not allocate when s has no upper-case
// letter.
func Lower(s string) string {
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
