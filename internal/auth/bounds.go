package auth

import (
	"slices"
	"strings"
	"time"

	"github.com/cargoman/cargoman/internal/apperr"
	"github.com/cargoman/cargoman/internal/validate"
)

// A customer credential may make and manage credentials of its customer
// (ManageSelf), but never one broader or longer-lived than itself: these
// bounds keep a leaked, limited token from minting an unlimited one. API
// tokens are not bounded by them (a nil Caller neither).

// NarrowScopes returns the package scopes of a credential c makes. For
// API tokens and customer credentials without package scopes it returns
// requested unchanged. A customer credential with package scopes passes
// them on when none are requested; each requested scope must be one of
// its own or a package name they reach.
func (c *Caller) NarrowScopes(requested []string) ([]string, error) {
	if !c.IsCustomer() || len(c.PackageScopes) == 0 {
		return requested, nil
	}
	own := c.PackageScopes
	if len(requested) == 0 {
		return own, nil
	}
	for _, s := range requested {
		if !slices.Contains(own, s) && (strings.Contains(s, "*") || !validate.MatchPackageScopes(own, s)) {
			return nil, apperr.Invalid("packageScopes", "package scope %q is broader than this token's own (%s)", s, strings.Join(own, ", "))
		}
	}
	return requested, nil
}

// MayManageScopes refuses a customer credential with package scopes a
// credential without them or with other ones (the legacy token, another
// token being revoked or rotated).
func (c *Caller) MayManageScopes(scopes []string) error {
	if !c.IsCustomer() || len(c.PackageScopes) == 0 {
		return nil
	}
	if len(scopes) == 0 {
		return apperr.New(apperr.Forbidden, "a token limited to some packages cannot manage a token that reaches all of them")
	}
	if _, err := c.NarrowScopes(scopes); err != nil {
		return apperr.New(apperr.Forbidden, "a token limited to some packages cannot manage a token that reaches others")
	}
	return nil
}

// MayManageExpiry refuses an expiring customer credential a credential
// that would outlive it (nil expires: never expires).
func (c *Caller) MayManageExpiry(expires *time.Time) error {
	limit := c.expiry()
	if limit != nil && (expires == nil || expires.After(*limit)) {
		return apperr.New(apperr.Forbidden, "an expiring token cannot manage a token that outlives it")
	}
	return nil
}

// CapExpiry keeps a credential made by an expiring customer credential
// from outliving it: no expiry, or a later one, becomes the caller's.
func (c *Caller) CapExpiry(requested *time.Time) *time.Time {
	limit := c.expiry()
	if limit == nil || (requested != nil && requested.Before(*limit)) {
		return requested
	}
	return limit
}

// CapTTL does the same for a JWT's lifetime from now.
func (c *Caller) CapTTL(ttl time.Duration, now time.Time) time.Duration {
	if limit := c.expiry(); limit != nil {
		return min(ttl, limit.Sub(now).Truncate(time.Second))
	}
	return ttl
}

// expiry is when a customer caller expires; nil for API tokens and
// customer credentials that never expire.
func (c *Caller) expiry() *time.Time {
	if !c.IsCustomer() {
		return nil
	}
	return c.ExpiresAt()
}
