// Package auth identifies who makes an API request (the root ADMIN_TOKEN or
// a CMA token) and what they may do. It turns a presented secret into a
// Principal in the request context; the GraphQL @hasRole directive checks it.
package auth

import (
	"context"
	"fmt"
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
)

// Principal is the authenticated caller of a request.
type Principal struct {
	Kind     Kind
	Role     Role
	TenantID string
	// TokenID is the AdminToken id; empty for the root token.
	TokenID string
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
