package secret

import (
	"fmt"
	"math"
	"unicode"
)

// Limits for secrets chosen by an operator (ADMIN_TOKEN), which unlike the
// ones New makes may be anything someone typed.
const (
	MinChosenLen  = 32
	MinChosenBits = 128
	// minBitsPerChar refuses repetitive values ("abab...", "aaaa...")
	// whose character classes alone would look strong.
	minBitsPerChar = 2.5
)

// CheckChosen refuses a chosen secret that is too short or too guessable.
// The estimate is length × log2(size of the character classes used), which
// is what a brute force over those classes costs; the per-character Shannon
// entropy must also be high enough, so repetition does not pass. It says
// how to make a good one, because the operator reads it at start-up.
func CheckChosen(s string) error {
	const advice = "; make one with `openssl rand -hex 32`"
	n := len([]rune(s))
	if n < MinChosenLen {
		return fmt.Errorf("is %d characters long, at least %d are needed%s", n, MinChosenLen, advice)
	}
	if bits := classBits(s); bits < MinChosenBits {
		return fmt.Errorf("has about %.0f bits of entropy, at least %d are needed%s", bits, MinChosenBits, advice)
	}
	if h := shannonPerChar(s); h < minBitsPerChar {
		return fmt.Errorf("is too repetitive (%.1f bits per character)%s", h, advice)
	}
	return nil
}

// classBits is len(s) × log2 of the alphabet its character classes span.
func classBits(s string) float64 {
	var digit, lower, upper, other bool
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digit = true
		case r >= 'a' && r <= 'z':
			lower = true
		case r >= 'A' && r <= 'Z':
			upper = true
		case unicode.IsPrint(r):
			other = true
		}
	}
	pool := 0
	for _, c := range []struct {
		used bool
		size int
	}{{digit, 10}, {lower, 26}, {upper, 26}, {other, 33}} {
		if c.used {
			pool += c.size
		}
	}
	if pool < 2 {
		return 0
	}
	return float64(len([]rune(s))) * math.Log2(float64(pool))
}

// shannonPerChar is the empirical entropy of s's character distribution.
func shannonPerChar(s string) float64 {
	counts := map[rune]int{}
	n := 0
	for _, r := range s {
		counts[r]++
		n++
	}
	var h float64
	for _, c := range counts {
		p := float64(c) / float64(n)
		h -= p * math.Log2(p)
	}
	return h
}
