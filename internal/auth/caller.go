// Package auth identifies who makes a request and what they may do: it
// reads the presented secret (Presented), verifies stored tokens
// (VerifyToken), turns the root ADMIN_TOKEN, a CMA token or a customer's
// token or JWT into the request's Caller, and maps customer scopes to
// capabilities (Capability). GraphQL, REST, the Composer endpoints and the
// webhooks all go through it.
package auth

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/cargoman/cargoman/ent"
	"github.com/cargoman/cargoman/ent/customertoken"
	"github.com/cargoman/cargoman/internal/jwtauth"
	"github.com/cargoman/cargoman/internal/validate"
)

// Role is an ordered access level: a higher role includes the lower ones.
type Role int

// Roles, lowest first.
const (
	RoleViewer Role = iota + 1
	RoleAdmin
	RoleOwner
)

func (r Role) String() string {
	switch r {
	case RoleViewer:
		return "viewer"
	case RoleAdmin:
		return "admin"
	case RoleOwner:
		return "owner"
	}
	return fmt.Sprintf("Role(%d)", int(r))
}

// Covers reports whether r includes required.
func (r Role) Covers(required Role) bool { return r >= required }

// ParseRole reads a role by its name, in any case ("VIEWER" as the GraphQL
// enum spells it, "viewer" as String does).
func ParseRole(name string) (Role, bool) {
	for _, r := range []Role{RoleViewer, RoleAdmin, RoleOwner} {
		if strings.EqualFold(r.String(), name) {
			return r, true
		}
	}
	return 0, false
}

// Kind says which sort of credential authenticated a request.
type Kind int

// Credential kinds.
const (
	KindRoot Kind = iota + 1
	KindAdminToken
	// KindCustomer is a customer token or customer JWT: it has no Role,
	// only the capabilities of its scope (Can).
	KindCustomer
)

// Caller is the authenticated caller of a request, whatever the endpoint:
// an API token (root or CMA) with a Role, or a customer credential with a
// scope, package scopes and its customer.
type Caller struct {
	Kind     Kind
	Role     Role
	TenantID string
	// AdminTokenID is the CMA token; empty for root and customers.
	AdminTokenID string

	// Customer is the credential's customer; nil for API tokens.
	Customer *ent.Customer
	// Token is the customer token presented; nil for a JWT.
	Token *ent.CustomerToken
	// Claims are the presented JWT's; nil for a token.
	Claims *jwtauth.Claims
	// Minter is the customer token that issued the JWT (claim mby); nil
	// for tokens and for JWTs an API token issued.
	Minter *ent.CustomerToken
	// Scope and PackageScopes are the token's or the JWT's.
	Scope         customertoken.Scope
	PackageScopes []string
}

// IsCustomer reports whether c is a customer credential.
func (c *Caller) IsCustomer() bool { return c != nil && c.Customer != nil }

// ExpiresAt is when the credential stops working (the token's expires_at,
// the JWT's exp, or its minter's if sooner); nil: never.
func (c *Caller) ExpiresAt() *time.Time {
	var at *time.Time
	earlier := func(t *time.Time) {
		if t != nil && (at == nil || t.Before(*at)) {
			at = t
		}
	}
	if c.Token != nil {
		earlier(c.Token.ExpiresAt)
	}
	if c.Claims != nil && c.Claims.ExpiresAt != nil {
		earlier(&c.Claims.ExpiresAt.Time)
	}
	if c.Minter != nil {
		earlier(c.Minter.ExpiresAt)
	}
	return at
}

// Expired reports whether the credential's expiry has passed, for callers
// that keep a resolved credential for a while.
func (c *Caller) Expired(now time.Time) bool {
	at := c.ExpiresAt()
	return at != nil && !now.Before(*at)
}

// Reaches reports whether the caller may see a package: API tokens reach
// every package, a customer credential those its package scopes include
// (no scopes: every package). Grants decide the rest.
func (c *Caller) Reaches(packageName string) bool {
	return !c.IsCustomer() || validate.MatchPackageScopes(c.PackageScopes, packageName)
}

// MinterID is the customer token that credentials c creates are recorded
// as minted by, so that revoking it revokes them: the token itself, or the
// token that issued the JWT; "" when no customer token stands behind it
// (API tokens, a JWT an API token issued).
func (c *Caller) MinterID() string {
	switch {
	case c == nil:
		return ""
	case c.Token != nil:
		return c.Token.ID
	case c.Claims != nil:
		return c.Claims.MintedBy
	}
	return ""
}

// RootActor is how the root ADMIN_TOKEN is named where an act is recorded.
const RootActor = "root"

// Actor names the credential behind c for records of who did something
// (a version's uploaded_by): the API token's id, "root", the customer
// token's id, or "jwt:" and the JWT's jti.
func (c *Caller) Actor() string {
	switch {
	case c == nil:
		return ""
	case c.Kind == KindRoot:
		return RootActor
	case c.Kind == KindAdminToken:
		return c.AdminTokenID
	case c.Token != nil:
		return c.Token.ID
	case c.Claims != nil:
		return "jwt:" + c.Claims.ID
	}
	return ""
}

// CustomerResolver turns a presented customer token or JWT into its
// Caller (access.Service).
type CustomerResolver interface {
	Resolve(ctx context.Context, presented string) (*Caller, error)
}

type callerKey struct{}

// WithCaller returns ctx carrying c.
func WithCaller(ctx context.Context, c *Caller) context.Context {
	return context.WithValue(ctx, callerKey{}, c)
}

// FromContext returns the caller of ctx, or nil for an anonymous request.
func FromContext(ctx context.Context) *Caller {
	c, _ := ctx.Value(callerKey{}).(*Caller)
	return c
}
