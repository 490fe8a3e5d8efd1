// Package jwtauth signs and verifies the short-lived customer JWTs that
// stand in for a customer token: Composer sends one as the password of
// HTTP Basic user "token", like a static token. They are HS256 JWTs signed
// with JWT_SECRET; nothing about them is stored.
//
// Claims: sub (customer id), tid (tenant id), scope (a customer token
// scope), pkg (package scopes, globs; absent for all packages), mby (the
// customer token that issued it; absent when an API token did), iat, exp,
// jti and iss ("cargoman").
package jwtauth

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/cargoman/cargoman/ent/customertoken"
	"github.com/cargoman/cargoman/internal/ids"
	"github.com/cargoman/cargoman/internal/validate"
)

// Issuer is the iss claim of every token.
const Issuer = "cargoman"

// Limits.
const (
	// MinSecretLen is the shortest JWT_SECRET accepted: HS256 needs a key
	// at least as long as its 256-bit output to keep its strength.
	MinSecretLen = 32
	// MinTTL and MaxTTL bound a token's lifetime; DefaultTTL is used when
	// none is asked for.
	MinTTL     = time.Minute
	DefaultTTL = time.Hour
	MaxTTL     = 30 * 24 * time.Hour
	// MaxTokenLen bounds what Verify parses at all.
	MaxTokenLen = 8 << 10
	// Leeway allows for clocks of several instances drifting apart.
	Leeway = 30 * time.Second
)

// ErrInvalid is wrapped by every error of Verify: whatever is wrong with a
// token (signature, algorithm, expiry, claims), it is simply not valid.
var ErrInvalid = errors.New("jwtauth: invalid token")

// Claims are what a customer JWT says.
type Claims struct {
	// TenantID is the tenant of the customer (claim tid).
	TenantID string `json:"tid"`
	// Scope is the token scope (admin, developer, download, webhook).
	Scope string `json:"scope"`
	// Packages are package scopes such as vendor/*; empty means every
	// package the customer may see (claim pkg).
	Packages []string `json:"pkg,omitempty"`
	// MintedBy is the customer token that issued the JWT (claim mby); the
	// JWT works only while that token does. Empty when an API token
	// issued it.
	MintedBy string `json:"mby,omitempty"`
	jwt.RegisteredClaims
}

// CustomerID is the customer the token speaks for (claim sub).
func (c *Claims) CustomerID() string { return c.Subject }

// Validate checks Cargoman's own claims; jwt's parser calls it after the
// registered claims (exp, iat, iss) passed.
func (c Claims) Validate() error {
	switch {
	case ids.Prefix(c.Subject) != ids.Customer:
		return errors.New("sub is not a customer id")
	case ids.Prefix(c.TenantID) != ids.Tenant:
		return errors.New("tid is not a tenant id")
	case customertoken.ScopeValidator(customertoken.Scope(c.Scope)) != nil:
		return fmt.Errorf("scope %q is unknown", c.Scope)
	case c.MintedBy != "" && ids.Prefix(c.MintedBy) != ids.CustomerToken:
		return errors.New("mby is not a customer token id")
	case c.ID == "":
		return errors.New("jti is missing")
	case c.IssuedAt == nil:
		return errors.New("iat is missing")
	case c.ExpiresAt != nil && c.ExpiresAt.Sub(c.IssuedAt.Time) > MaxTTL:
		// Issue never signs a longer lifetime; a token that claims one was
		// signed elsewhere with a leaked secret, or by an old build.
		return fmt.Errorf("lifetime exceeds the maximum of %s", MaxTTL)
	}
	if err := validate.PackageScopes(c.Packages); err != nil {
		return fmt.Errorf("pkg: %w", err)
	}
	return nil
}

// Authority signs and verifies tokens with one secret.
type Authority struct {
	secret []byte
	now    func() time.Time
}

// New returns an Authority for secret (JWT_SECRET), which must be at least
// MinSecretLen bytes long.
func New(secret string) (*Authority, error) {
	if len(secret) < MinSecretLen {
		return nil, fmt.Errorf("jwtauth: the secret must be at least %d bytes long (got %d)", MinSecretLen, len(secret))
	}
	return &Authority{secret: []byte(secret), now: time.Now}, nil
}

// WithClock returns a copy of a that reads the time from now (for tests).
func (a *Authority) WithClock(now func() time.Time) *Authority {
	c := *a
	c.now = now
	return &c
}

// Grant is what a new token allows.
type Grant struct {
	CustomerID string
	TenantID   string
	Scope      string
	Packages   []string
	TTL        time.Duration
	// MintedBy is the customer token issuing the JWT; "" for API tokens.
	MintedBy string
}

// Issue signs a token for g. It returns the token and its claims.
func (a *Authority) Issue(g Grant) (string, *Claims, error) {
	if g.TTL < MinTTL || g.TTL > MaxTTL {
		return "", nil, fmt.Errorf("jwtauth: lifetime %s is outside %s to %s", g.TTL, MinTTL, MaxTTL)
	}
	jti, err := randomID()
	if err != nil {
		return "", nil, err
	}
	// NumericDate keeps whole seconds; truncating here makes the returned
	// claims equal to what Verify reads back.
	now := a.now().UTC().Truncate(time.Second)
	c := &Claims{
		TenantID: g.TenantID,
		Scope:    g.Scope,
		Packages: g.Packages,
		MintedBy: g.MintedBy,
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    Issuer,
			Subject:   g.CustomerID,
			IssuedAt:  jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(now.Add(g.TTL)),
			ID:        jti,
		},
	}
	if err := c.Validate(); err != nil {
		return "", nil, fmt.Errorf("jwtauth: %w", err)
	}
	signed, err := jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(a.secret)
	if err != nil {
		return "", nil, fmt.Errorf("jwtauth: sign: %w", err)
	}
	return signed, c, nil
}

// Verify checks a presented token and returns its claims. It accepts only
// HS256 tokens signed with this Authority's secret, issued by Cargoman
// (iss), not expired (exp, required), with iat and jti, sub a customer id,
// tid a tenant id, a known scope and valid package scopes. Every failure
// wraps ErrInvalid; the message says what was wrong, for logs (do not show
// it to the client beyond "invalid token").
//
// A valid signature is not yet access. The caller must then, at every use:
//
//  1. load the customer claims.CustomerID() with its tenant equal to
//     claims.TenantID (a context marked tenancy.WithSystem, then compare
//     TenantID; or a context of that tenant). A missing customer (deleted)
//     means the token is invalid.
//  2. reject the token while the customer's status is suspended: this is
//     what makes a suspended customer's JWTs stop working at once, without
//     storing them. They work again if the customer is reactivated, like
//     the customer's static tokens. A frozen customer keeps access, capped
//     by its freeze list.
//  3. when claims.MintedBy is set, load that customer token (of the same
//     customer) and reject the JWT when it is gone, revoked or expired.
//  4. apply claims.Scope and claims.Packages exactly as a customer token's
//     scope and package_scopes, on top of the customer's grants.
//
// internal/access's ResolveJWT does all of this.
func (a *Authority) Verify(token string) (*Claims, error) {
	if len(token) > MaxTokenLen {
		return nil, fmt.Errorf("%w: longer than %d bytes", ErrInvalid, MaxTokenLen)
	}
	p := jwt.NewParser(
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithIssuer(Issuer),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithTimeFunc(a.now),
		jwt.WithLeeway(Leeway),
		jwt.WithStrictDecoding(),
	)
	var c Claims
	_, err := p.ParseWithClaims(token, &c, func(t *jwt.Token) (any, error) {
		// WithValidMethods already refused every other alg (none, RS256,
		// HS512, ...); checking the method's type too guards against a
		// future parser change letting an asymmetric key be used as an
		// HMAC secret.
		if m, ok := t.Method.(*jwt.SigningMethodHMAC); !ok || m != jwt.SigningMethodHS256 {
			return nil, fmt.Errorf("unexpected signing method %v", t.Header["alg"])
		}
		return a.secret, nil
	})
	if err != nil {
		return nil, fmt.Errorf("%w: %s", ErrInvalid, strings.TrimPrefix(err.Error(), "token is unverifiable: "))
	}
	return &c, nil
}

// LooksLikeJWT reports whether a presented credential has a JWT's shape
// (three dot-separated parts starting with a JSON header), so a caller can
// route it to Verify rather than to the token table.
func LooksLikeJWT(s string) bool {
	return strings.HasPrefix(s, "eyJ") && strings.Count(s, ".") == 2
}

func randomID() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("jwtauth: read random: %w", err)
	}
	return hex.EncodeToString(b[:]), nil
}
