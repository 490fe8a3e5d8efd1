package composerjson

import "github.com/cargoman/cargoman/internal/phpstr"

// PHP's strtolower and PCRE's /i without /u fold ASCII letters only. Using the
// same rule (instead of Unicode folding, where e.g. the Kelvin sign folds to
// "k") keeps our answers identical to Composer's.

func equalFoldASCII(a, b string) bool {
	return len(a) == len(b) && phpstr.Lower(a) == phpstr.Lower(b)
}
