package knownhosts

import (
	"encoding/base64"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"
)

// TestPublishedHostKeysMatchTheirFingerprints checks every seeded key
// against the fingerprint its provider prints next to it: a key copied
// wrong would make every sync of that provider fail, or trust a stranger.
func TestPublishedHostKeysMatchTheirFingerprints(t *testing.T) {
	perHost := map[string]int{}
	for _, p := range published {
		f := strings.Fields(p.key)
		if len(f) != 2 {
			t.Fatalf("%s: key %q is not \"type base64\"", p.host, p.key)
		}
		raw, err := base64.StdEncoding.DecodeString(f[1])
		if err != nil {
			t.Fatalf("%s %s: %v", p.host, f[0], err)
		}
		key, err := ssh.ParsePublicKey(raw)
		if err != nil {
			t.Fatalf("%s %s: %v", p.host, f[0], err)
		}
		if key.Type() != f[0] {
			t.Errorf("%s: key says %s, is %s", p.host, f[0], key.Type())
		}
		if got := ssh.FingerprintSHA256(key); got != p.fingerprint {
			t.Errorf("%s %s: fingerprint %s, published %s", p.host, f[0], got, p.fingerprint)
		}
		perHost[p.host]++
	}
	for _, h := range []string{"github.com", "gitlab.com", "bitbucket.org"} {
		if perHost[h] != 3 {
			t.Errorf("%s has %d published keys, want ed25519, ecdsa and rsa", h, perHost[h])
		}
	}
}
