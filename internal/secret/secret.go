// Package secret makes and checks bearer secrets (admin tokens and
// customer tokens). A secret is shown once; only its SHA-256 digest is stored.
// The digest doubles as the lookup key, which is safe because secrets carry
// 238 bits of entropy, and the final comparison is constant-time.
package secret

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"strings"
)

const (
	alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	// bodyLen random base62 characters follow the prefix.
	bodyLen = 40
	// VisibleLen is how much of a secret may be stored and shown to identify
	// it in listings (prefix plus a few characters).
	VisibleLen = 12
)

// Well-known prefixes, so secret scanners can find leaked Cargoman secrets.
const (
	AdminPrefix = "cgm_adm_"
	// CustomerPrefix marks customer tokens (Composer credentials).
	CustomerPrefix = "cgm_tok_"
)

// New returns a fresh secret "prefix + 40 base62 characters".
func New(prefix string) (string, error) {
	var raw [bodyLen]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", fmt.Errorf("secret: read random: %w", err)
	}
	var b strings.Builder
	b.Grow(len(prefix) + bodyLen)
	b.WriteString(prefix)
	for _, c := range raw {
		// 248 = 4*62: rejection-free enough; the bias of c%62 over 0..255
		// is removed by re-reading values >= 248.
		for c >= 248 {
			var one [1]byte
			if _, err := rand.Read(one[:]); err != nil {
				return "", fmt.Errorf("secret: read random: %w", err)
			}
			c = one[0]
		}
		b.WriteByte(alphabet[c%62])
	}
	return b.String(), nil
}

// Hash returns the stored form of a secret.
func Hash(plain string) string {
	sum := sha256.Sum256([]byte(plain))
	return hex.EncodeToString(sum[:])
}

// Equal compares a presented secret with a stored hash in constant time.
func Equal(plain, storedHash string) bool {
	h := Hash(plain)
	return subtle.ConstantTimeCompare([]byte(h), []byte(storedHash)) == 1
}

// Visible returns the part of a secret that may be stored and shown.
func Visible(plain string) string {
	if len(plain) <= VisibleLen {
		return plain
	}
	return plain[:VisibleLen]
}
