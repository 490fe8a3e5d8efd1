package secretbox

import (
	"bytes"
	"crypto/rand"
	"errors"
	"testing"
)

func testKey(t testing.TB) []byte {
	t.Helper()
	k := make([]byte, KeySize)
	if _, err := rand.Read(k); err != nil {
		t.Fatal(err)
	}
	return k
}

func testBox(t testing.TB) *Box {
	t.Helper()
	b, err := New(testKey(t))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestSealOpenRoundTrip(t *testing.T) {
	box := testBox(t)
	big := make([]byte, 1<<20)
	rand.Read(big)
	for _, tc := range []struct {
		name      string
		plaintext []byte
		ad        []byte
	}{
		{"empty", nil, nil},
		{"password", []byte("hunter2"), []byte("git-credential:42")},
		{"binary", []byte{0, 1, 2, 255, 0}, []byte("webhook:7")},
		{"no associated data", []byte("token"), nil},
		{"large", big, []byte("x")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ct, err := box.Seal(tc.plaintext, tc.ad)
			if err != nil {
				t.Fatal(err)
			}
			if len(ct) != len(tc.plaintext)+box.Overhead() || ct[0] != keyID {
				t.Errorf("ciphertext length %d / key id %d, want %d / %d", len(ct), ct[0], len(tc.plaintext)+box.Overhead(), keyID)
			}
			if len(tc.plaintext) > 4 && bytes.Contains(ct, tc.plaintext) {
				t.Error("ciphertext contains the plaintext")
			}
			again, _ := box.Seal(tc.plaintext, tc.ad)
			if bytes.Equal(ct, again) {
				t.Error("sealing twice gave the same ciphertext: nonce not random")
			}
			pt, err := box.Open(ct, tc.ad)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(pt, tc.plaintext) {
				t.Errorf("Open = %q, want %q", pt, tc.plaintext)
			}
		})
	}
}

func TestOpenRejects(t *testing.T) {
	box := testBox(t)
	ad := []byte("git-credential:42")
	ct, err := box.Seal([]byte("hunter2"), ad)
	if err != nil {
		t.Fatal(err)
	}
	mutate := func(f func(c []byte) []byte) []byte {
		return f(bytes.Clone(ct))
	}
	flip := func(i int) []byte { return mutate(func(c []byte) []byte { c[i] ^= 0x01; return c }) }

	for _, tc := range []struct {
		name string
		box  *Box
		ct   []byte
		ad   []byte
	}{
		{"wrong associated data", box, ct, []byte("git-credential:43")},
		{"missing associated data", box, ct, nil},
		{"wrong key", testBox(t), ct, ad},
		{"key id zeroed", box, flip(0), ad},
		{"unknown key id", box, mutate(func(c []byte) []byte { c[0] = 2; return c }), ad},
		{"nonce tampered", box, flip(1), ad},
		{"body tampered", box, flip(13), ad},
		{"tag tampered", box, flip(len(ct) - 1), ad},
		{"truncated", box, ct[:len(ct)-1], ad},
		{"too short", box, ct[:box.Overhead()-1], ad},
		{"empty", box, nil, ad},
		{"extended", box, append(bytes.Clone(ct), 0), ad},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pt, err := tc.box.Open(tc.ct, tc.ad)
			if !errors.Is(err, ErrOpen) || pt != nil {
				t.Errorf("Open = %q, %v; want nil, ErrOpen", pt, err)
			}
		})
	}

	// Any single flipped bit anywhere is detected.
	for i := range len(ct) * 8 {
		c := bytes.Clone(ct)
		c[i/8] ^= 1 << (i % 8)
		if _, err := box.Open(c, ad); !errors.Is(err, ErrOpen) {
			t.Fatalf("flipping bit %d went unnoticed: %v", i, err)
		}
	}
}

func TestNewRejectsBadKeys(t *testing.T) {
	for _, tc := range []struct {
		name string
		key  []byte
	}{
		{"nil", nil},
		{"AES-128 size", make([]byte, 16)},
		{"31 bytes", bytes.Repeat([]byte{1}, 31)},
		{"33 bytes", bytes.Repeat([]byte{1}, 33)},
		{"all zeros", make([]byte, KeySize)},
	} {
		if _, err := New(tc.key); err == nil {
			t.Errorf("New(%s) succeeded", tc.name)
		}
	}
}

func TestNewDoesNotAliasKey(t *testing.T) {
	key := testKey(t)
	box, err := New(key)
	if err != nil {
		t.Fatal(err)
	}
	ct, _ := box.Seal([]byte("x"), nil)
	clear(key) // caller wipes its copy
	if _, err := box.Open(ct, nil); err != nil {
		t.Fatalf("Box depends on the caller's key slice: %v", err)
	}
}

func BenchmarkSealOpen(b *testing.B) {
	box := testBox(b)
	pt := []byte("ghp_0123456789abcdefghijklmnopqrstuvwxyz")
	ad := []byte("git-credential:42")
	for b.Loop() {
		ct, _ := box.Seal(pt, ad)
		if _, err := box.Open(ct, ad); err != nil {
			b.Fatal(err)
		}
	}
}
