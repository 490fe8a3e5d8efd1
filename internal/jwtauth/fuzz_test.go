package jwtauth

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

// FuzzVerify feeds Verify arbitrary input: it must never panic, every
// error must wrap ErrInvalid, and whatever it accepts must be an HS256
// token whose signature really is this secret's HMAC of its first two parts.
func FuzzVerify(f *testing.F) {
	a := authority(f, t0)
	valid, _, err := a.Issue(grant())
	if err != nil {
		f.Fatal(err)
	}
	parts := strings.Split(valid, ".")
	f.Add(valid)
	f.Add(parts[0] + "." + parts[1] + ".")
	f.Add(b64(map[string]string{"alg": "none"}) + "." + parts[1] + ".")
	f.Add(b64(map[string]string{"alg": "HS512"}) + "." + parts[1] + "." + parts[2])
	f.Add(hs256(testSecret, b64(map[string]string{"alg": "HS256"})+"."+b64(map[string]any{"sub": customerID})))
	f.Add("..")
	f.Add("eyJ.eyJ.")
	f.Add("")
	f.Fuzz(func(t *testing.T, token string) {
		c, err := a.Verify(token)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("error %v does not wrap ErrInvalid", err)
			}
			return
		}
		p := strings.Split(token, ".")
		if len(p) != 3 {
			t.Fatalf("accepted a token of %d parts", len(p))
		}
		header, err := base64.RawURLEncoding.DecodeString(p[0])
		if err != nil {
			t.Fatalf("accepted an undecodable header: %v", err)
		}
		var h struct {
			Alg string `json:"alg"`
		}
		if err := json.Unmarshal(header, &h); err != nil || h.Alg != "HS256" {
			t.Fatalf("accepted header %s", header)
		}
		sig, err := base64.RawURLEncoding.DecodeString(p[2])
		m := hmac.New(sha256.New, []byte(testSecret))
		m.Write([]byte(p[0] + "." + p[1]))
		if err != nil || !bytes.Equal(sig, m.Sum(nil)) {
			t.Fatal("accepted a token not signed with the secret")
		}
		if c.Validate() != nil || c.ExpiresAt == nil || !c.ExpiresAt.After(t0.Add(-Leeway-time.Second)) {
			t.Fatalf("accepted invalid claims %+v", c)
		}
	})
}
