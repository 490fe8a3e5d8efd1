// Package auth identifies who makes an API request (the root ADMIN_TOKEN, a
// CMA token, or a customer's own token or JWT) and what they may do. It turns a presented secret into a
// Principal in the request context; the GraphQL @hasRole directive checks it.
package auth

import (
	"context"
	"fmt"
	"strings"
	"time"
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

// Kind says which sort of credential authenticated a request.
type Kind int

// Credential kinds.
const (
	KindRoot Kind = iota + 1
	KindAdminToken
	// KindCustomer is a customer token or customer JWT: it has no Role,
	// only the fields that admit customers (@hasRole's customer argument).
	KindCustomer
)

// Principal is the authenticated caller of a request.
type Principal struct {
	Kind     Kind
	Role     Role
	TenantID string
	// TokenID is the AdminToken id; empty for the root token.
	TokenID string
	// Customer is set for KindCustomer.
	Customer *CustomerCredential
}

// CustomerCredential is a customer's own credential used on the API.
type CustomerCredential struct {
	CustomerID string
	// Scope is the token's or JWT's: admin, developer, download or webhook.
	Scope         string
	PackageScopes []string
	// TokenID is the customer token; empty for a JWT.
	TokenID string
	// JWTID is the JWT's jti; empty for a token.
	JWTID string
	// MintedBy is the customer token that issued the JWT (claim mby);
	// empty for tokens and for JWTs an API token issued.
	MintedBy string
	// ExpiresAt is when the credential stops working; nil: never.
	ExpiresAt *time.Time
}

// Minter is the customer token that credentials this one creates are
// recorded as minted by, so that revoking it revokes them: the token
// itself, or the token that issued the JWT; "" when no customer token
// stands behind it (a JWT an API token issued).
func (c *CustomerCredential) Minter() string {
	if c.TokenID != "" {
		return c.TokenID
	}
	return c.MintedBy
}

// RootActor is how the root ADMIN_TOKEN is named where an act is recorded.
const RootActor = "root"

// Actor names the credential behind p for records of who did something
// (a version's uploaded_by): the API token's id, "root", the customer
// token's id, or "jwt:" and the JWT's jti.
func (p *Principal) Actor() string {
	switch {
	case p == nil:
		return ""
	case p.Kind == KindRoot:
		return RootActor
	case p.Kind == KindAdminToken:
		return p.TokenID
	case p.Customer != nil && p.Customer.TokenID != "":
		return p.Customer.TokenID
	case p.Customer != nil:
		return "jwt:" + p.Customer.JWTID
	}
	return ""
}

// Customer scopes, as stored on customer tokens.
const (
	ScopeAdmin     = "admin"
	ScopeDeveloper = "developer"
)

// ScopeCanUpload reports whether a customer credential of scope may upload
// at all (admin and developer); access.PublishCheck adds what the grant
// must allow.
func ScopeCanUpload(scope string) bool { return scope == ScopeAdmin || scope == ScopeDeveloper }

// CustomerResolver turns a presented customer token or JWT into its
// credential (access.Service, adapted where the app is wired).
type CustomerResolver interface {
	ResolveCustomer(ctx context.Context, presented string) (*CustomerCredential, string, error)
}

type principalKey struct{}
type failureKey struct{}

// WithPrincipal returns ctx carrying p.
func WithPrincipal(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// FromContext returns the principal of ctx, or nil for an anonymous request.
func FromContext(ctx context.Context) *Principal {
	p, _ := ctx.Value(principalKey{}).(*Principal)
	return p
}

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
