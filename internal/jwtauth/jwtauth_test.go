package jwtauth

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

const (
	testSecret = "0123456789abcdef0123456789abcdef-test"
	customerID = "cus_0193a1b2c3d4e5f60718293a4b5c6d7e"
	tenantID   = "ten_0193a1b2c3d4e5f60718293a4b5c6d7e"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func authority(t testing.TB, at time.Time) *Authority {
	t.Helper()
	a, err := New(testSecret)
	if err != nil {
		t.Fatal(err)
	}
	return a.WithClock(func() time.Time { return at })
}

func grant() Grant {
	return Grant{CustomerID: customerID, TenantID: tenantID, Scope: "download", Packages: []string{"acme/*"}, TTL: time.Hour}
}

// claimsMap are valid claims as a map, for hand-made tokens.
func claimsMap(at time.Time) jwt.MapClaims {
	return jwt.MapClaims{
		"iss": Issuer, "sub": customerID, "tid": tenantID, "scope": "download",
		"iat": at.Unix(), "exp": at.Add(time.Hour).Unix(), "jti": "abc",
	}
}

// sign makes a token with any method and key.
func sign(t testing.TB, m jwt.SigningMethod, key any, claims jwt.Claims) string {
	t.Helper()
	s, err := jwt.NewWithClaims(m, claims).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func b64(v any) string {
	data, _ := json.Marshal(v)
	return base64.RawURLEncoding.EncodeToString(data)
}

// hs256 signs header.payload with secret by hand, whatever the header says.
func hs256(secret, signingInput string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(signingInput))
	return signingInput + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func TestNewRejectsShortSecret(t *testing.T) {
	if _, err := New(strings.Repeat("x", MinSecretLen-1)); err == nil {
		t.Fatal("short secret accepted")
	}
	if _, err := New(strings.Repeat("x", MinSecretLen)); err != nil {
		t.Fatal(err)
	}
}

func TestIssueAndVerify(t *testing.T) {
	a := authority(t, t0.Add(500*time.Millisecond))
	token, issued, err := a.Issue(grant())
	if err != nil {
		t.Fatal(err)
	}
	if !LooksLikeJWT(token) || LooksLikeJWT("cgm_tok_abc") {
		t.Fatalf("LooksLikeJWT(%q) false", token)
	}
	header, _, _ := strings.Cut(token, ".")
	raw, _ := base64.RawURLEncoding.DecodeString(header)
	if string(raw) != `{"alg":"HS256","typ":"JWT"}` {
		t.Fatalf("header %s", raw)
	}
	got, err := a.Verify(token)
	if err != nil {
		t.Fatal(err)
	}
	if got.CustomerID() != customerID || got.TenantID != tenantID || got.Scope != "download" ||
		len(got.Packages) != 1 || got.Packages[0] != "acme/*" || got.Issuer != "cargoman" || got.ID == "" || len(got.ID) != 32 {
		t.Fatalf("claims = %+v", got)
	}
	if !got.IssuedAt.Equal(t0) || !got.ExpiresAt.Equal(t0.Add(time.Hour)) || !issued.ExpiresAt.Equal(got.ExpiresAt.Time) {
		t.Fatalf("iat %v exp %v, issued %v", got.IssuedAt, got.ExpiresAt, issued.ExpiresAt)
	}
	other, _, _ := a.Issue(grant())
	if other == token {
		t.Fatal("two tokens are identical: jti is not unique")
	}
	// No package scopes: the pkg claim is left out.
	g := grant()
	g.Packages = nil
	token, _, _ = a.Issue(g)
	_, payload, _ := strings.Cut(token, ".")
	payload, _, _ = strings.Cut(payload, ".")
	raw, _ = base64.RawURLEncoding.DecodeString(payload)
	if strings.Contains(string(raw), "pkg") {
		t.Fatalf("payload %s has pkg", raw)
	}
}

func TestIssueRejectsBadGrants(t *testing.T) {
	a := authority(t, t0)
	for name, mutate := range map[string]func(*Grant){
		"ttl too short": func(g *Grant) { g.TTL = time.Second },
		"ttl too long":  func(g *Grant) { g.TTL = MaxTTL + time.Second },
		"bad customer":  func(g *Grant) { g.CustomerID = "pkg_1" },
		"bad tenant":    func(g *Grant) { g.TenantID = "" },
		"bad scope":     func(g *Grant) { g.Scope = "root" },
		"bad pkg":       func(g *Grant) { g.Packages = []string{"Acme/*"} },
	} {
		g := grant()
		mutate(&g)
		if _, _, err := a.Issue(g); err == nil {
			t.Errorf("%s: issued", name)
		}
	}
	g := grant()
	g.TTL = MaxTTL
	if _, _, err := a.Issue(g); err != nil {
		t.Errorf("max ttl: %v", err)
	}
}

func TestVerifyRejects(t *testing.T) {
	a := authority(t, t0)
	valid, _, err := a.Issue(grant())
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(valid, ".")
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	pubDER, _ := x509.MarshalPKIXPublicKey(&rsaKey.PublicKey)
	pubPEM := string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER}))

	withClaim := func(k string, v any) jwt.MapClaims {
		c := claimsMap(t0)
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
		return c
	}
	hs := func(c jwt.MapClaims) string { return sign(t, jwt.SigningMethodHS256, []byte(testSecret), c) }
	tampered := func() string {
		raw, _ := base64.RawURLEncoding.DecodeString(parts[1])
		raw = []byte(strings.Replace(string(raw), `"download"`, `"admin"`, 1))
		return parts[0] + "." + base64.RawURLEncoding.EncodeToString(raw) + "." + parts[2]
	}

	for name, token := range map[string]string{
		"empty":            "",
		"garbage":          "not-a-jwt",
		"two parts":        parts[0] + "." + parts[1],
		"alg none":         sign(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, claimsMap(t0)),
		"alg none by hand": b64(map[string]string{"alg": "none", "typ": "JWT"}) + "." + parts[1] + ".",
		"alg None":         b64(map[string]string{"alg": "None"}) + "." + parts[1] + ".",
		"RS256":            sign(t, jwt.SigningMethodRS256, rsaKey, claimsMap(t0)),
		"HS512":            sign(t, jwt.SigningMethodHS512, []byte(testSecret), claimsMap(t0)),
		"HS384":            sign(t, jwt.SigningMethodHS384, []byte(testSecret), claimsMap(t0)),
		// Algorithm confusion: the header claims RS256 but the signature is
		// an HMAC, keyed with the secret or with a public key.
		"RS256 header, HMAC with secret":     hs256(testSecret, b64(map[string]string{"alg": "RS256", "typ": "JWT"})+"."+parts[1]),
		"RS256 header, HMAC with public key": hs256(pubPEM, b64(map[string]string{"alg": "RS256", "typ": "JWT"})+"."+parts[1]),
		"HS256 keyed with public key":        sign(t, jwt.SigningMethodHS256, []byte(pubPEM), claimsMap(t0)),
		"wrong secret":                       sign(t, jwt.SigningMethodHS256, []byte("another-secret-of-enough-length-000"), claimsMap(t0)),
		"tampered payload":                   tampered(),
		"signature stripped":                 parts[0] + "." + parts[1] + ".",
		"signature of other token":           parts[0] + "." + b64(withClaim("sub", "cus_other")) + "." + parts[2],
		"expired":                            hs(withClaim("exp", t0.Add(-time.Minute).Unix())),
		"no exp":                             hs(withClaim("exp", nil)),
		"no iat":                             hs(withClaim("iat", nil)),
		"lifetime over the maximum":          hs(withClaim("exp", t0.Add(MaxTTL+time.Second).Unix())),
		"ten-year lifetime":                  hs(withClaim("exp", t0.AddDate(10, 0, 0).Unix())),
		"iat in the future":                  hs(withClaim("iat", t0.Add(time.Hour).Unix())),
		"not before in future":               hs(withClaim("nbf", t0.Add(time.Hour).Unix())),
		"wrong issuer":                       hs(withClaim("iss", "someone-else")),
		"no issuer":                          hs(withClaim("iss", nil)),
		"no jti":                             hs(withClaim("jti", nil)),
		"sub not a customer":                 hs(withClaim("sub", "adt_123")),
		"no sub":                             hs(withClaim("sub", nil)),
		"tid not a tenant":                   hs(withClaim("tid", "cus_1")),
		"unknown scope":                      hs(withClaim("scope", "superuser")),
		"scope not a string":                 hs(withClaim("scope", 7)),
		"bad pkg":                            hs(withClaim("pkg", []string{"Not A Glob"})),
		"pkg not a list":                     hs(withClaim("pkg", "acme/*")),
		"too long":                           hs(withClaim("pad", strings.Repeat("x", MaxTokenLen))),
	} {
		t.Run(name, func(t *testing.T) {
			c, err := a.Verify(token)
			if err == nil {
				t.Fatalf("accepted: %+v", c)
			}
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("error %v does not wrap ErrInvalid", err)
			}
		})
	}

	// The hand-made valid token passes, so the rejections above are about
	// what each case changed.
	if _, err := a.Verify(hs(claimsMap(t0))); err != nil {
		t.Fatalf("hand-made valid token: %v", err)
	}
	// Expiry allows for clock drift up to Leeway, not beyond.
	late := authority(t, t0.Add(time.Hour+Leeway/2))
	if _, err := late.Verify(valid); err != nil {
		t.Fatalf("within leeway: %v", err)
	}
	later := authority(t, t0.Add(time.Hour+Leeway+time.Second))
	if _, err := later.Verify(valid); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "expired") {
		t.Fatalf("after expiry: %v", err)
	}
}
