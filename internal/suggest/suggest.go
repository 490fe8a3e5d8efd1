// Package suggest finds the name a mistyped one was meant to be, for
// "did you mean" hints: one owner for how close is close enough.
package suggest

import "strings"

// Closest returns the candidate word was most likely meant to be: the one
// at the smallest edit distance (a swap of two neighbours counts once),
// when that is at most a third of its length (at least 1), or the only
// candidate that word of three letters or more begins. Case, and "_"
// against "-", do not count. ok is false when nothing is close.
func Closest(word string, candidates []string) (best string, ok bool) {
	w := normalize(word)
	bestDist := -1
	var prefixed []string
	for _, c := range candidates {
		n := normalize(c)
		if len(w) >= 3 && strings.HasPrefix(n, w) {
			prefixed = append(prefixed, c)
		}
		d := distance(w, n)
		if d <= max(1, len(n)/3) && (bestDist < 0 || d < bestDist) {
			best, bestDist = c, d
		}
	}
	if bestDist >= 0 {
		return best, true
	}
	if len(prefixed) == 1 {
		return prefixed[0], true
	}
	return "", false
}

func normalize(s string) string {
	return strings.ReplaceAll(strings.ToLower(s), "_", "-")
}

// distance is the optimal string alignment distance between a and b.
func distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	// d[i][j] is the distance between ra[:i] and rb[:j].
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(ra)][len(rb)]
}
