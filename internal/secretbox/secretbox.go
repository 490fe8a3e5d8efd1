// Package secretbox encrypts secrets the server has to read back later (git
// credentials, webhook secrets), so that a leaked database dump or backup
// does not leak them too. Bearer tokens the server only needs to verify are
// hashed instead (see package secret).
//
// Ciphertexts are AES-256-GCM with a fresh random 96-bit nonce per message:
//
//	keyID (1 byte) || nonce (12 bytes) || ciphertext || tag (16 bytes)
//
// The key-id byte names the key (and format) that sealed the message, so a
// key ring can be introduced later and old ciphertexts still be opened after
// a rotation. It is authenticated together with the caller's associated
// data. With random nonces a single key should seal well under 2^32
// messages, far beyond what a registry stores.
package secretbox

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/subtle"
	"errors"
	"fmt"
)

// KeySize is the length of a key: AES-256.
const KeySize = 32

// keyID is the key-id byte written by this version. 0 is never used, so an
// all-zero or truncated buffer is recognised as garbage.
const keyID byte = 1

// ErrOpen is returned (wrapped, with the reason) when a ciphertext cannot be
// opened: it is truncated, was sealed with an unknown key id, or fails
// authentication (wrong key, wrong associated data, or tampered bytes).
var ErrOpen = errors.New("secretbox: cannot open ciphertext")

// Box seals and opens messages with one key. It is safe for concurrent use.
type Box struct {
	aead cipher.AEAD
}

// New returns a Box for a KeySize-byte key. The key is not retained beyond
// the expanded cipher state.
func New(key []byte) (*Box, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("secretbox: key must be %d bytes, got %d", KeySize, len(key))
	}
	if subtle.ConstantTimeCompare(key, make([]byte, KeySize)) == 1 {
		return nil, errors.New("secretbox: key is all zeros (uninitialised buffer?)")
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("secretbox: create cipher: %w", err)
	}
	// NewGCMWithRandomNonce draws the nonce itself and prepends it.
	aead, err := cipher.NewGCMWithRandomNonce(block)
	if err != nil {
		return nil, fmt.Errorf("secretbox: create GCM: %w", err)
	}
	return &Box{aead: aead}, nil
}

// Overhead is how many bytes Seal adds to a plaintext.
func (b *Box) Overhead() int { return 1 + b.aead.Overhead() }

// Seal encrypts and authenticates plaintext. associatedData is authenticated
// but not stored: pass something that identifies where the ciphertext lives
// (e.g. "git-credential:" + id) so it cannot be copied to another row and
// opened there. Open must be given the same associated data.
func (b *Box) Seal(plaintext, associatedData []byte) ([]byte, error) {
	header := [1]byte{keyID}
	out := make([]byte, 1, 1+len(plaintext)+b.aead.Overhead())
	out[0] = keyID
	return b.aead.Seal(out, nil, plaintext, aad(header[:], associatedData)), nil
}

// Open authenticates and decrypts a ciphertext made by Seal with the same
// key and associated data. Every failure wraps ErrOpen.
func (b *Box) Open(ciphertext, associatedData []byte) ([]byte, error) {
	if len(ciphertext) < b.Overhead() {
		return nil, fmt.Errorf("%w: %d bytes is too short", ErrOpen, len(ciphertext))
	}
	if ciphertext[0] != keyID {
		return nil, fmt.Errorf("%w: unknown key id %d", ErrOpen, ciphertext[0])
	}
	plaintext, err := b.aead.Open(nil, nil, ciphertext[1:], aad(ciphertext[:1], associatedData))
	if err != nil {
		return nil, fmt.Errorf("%w: authentication failed (wrong key or associated data, or modified ciphertext)", ErrOpen)
	}
	return plaintext, nil
}

// aad binds the header to the caller's associated data. The header has a
// fixed length, so the concatenation is unambiguous.
func aad(header, associatedData []byte) []byte {
	a := make([]byte, 0, len(header)+len(associatedData))
	return append(append(a, header...), associatedData...)
}
