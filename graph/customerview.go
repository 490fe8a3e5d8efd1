package graph

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"github.com/cargoman/cargoman/internal/apperr"
	"github.com/cargoman/cargoman/internal/auth"
	"github.com/cargoman/cargoman/internal/validate"
)

// customerView is what a customer credential may read below the root
// fields @hasRole admits it to: the object types of its own data, and
// per type the object-valued fields leading on (leaf fields of those types
// are always readable). Everything else, such as a package's other
// customers or a collection's grants, is refused, so no path through the
// graph leads from a customer's data to another customer's.
type customerView map[string]map[string]bool

func newCustomerView() customerView {
	return customerView{
		"Customer":                   {"tokens": true, "token": true, "packageAccess": true, "collectionGrants": true, "freezes": true},
		"CustomerTokenConnection":    {"edges": true, "pageInfo": true},
		"CustomerTokenEdge":          {"node": true},
		"CollectionGrantConnection":  {"edges": true, "pageInfo": true},
		"CollectionGrantEdge":        {"node": true},
		"CustomerFreezeConnection":   {"edges": true, "pageInfo": true},
		"CustomerFreezeEdge":         {"node": true},
		"PageInfo":                   {},
		"CustomerToken":              {},
		"CustomerFreeze":             {},
		"PackageAccessConnection":    {"edges": true, "pageInfo": true},
		"PackageAccessEdge":          {"node": true},
		"PackageAccess":              {},
		"CollectionGrant":            {"collection": true},
		"Collection":                 {},
		"ComposerAuth":               {},
		"CustomerTokenSecretPayload": {"token": true, "composerAuth": true},
		"RevokeCustomerTokenPayload": {"token": true},
		"DeleteLegacyTokenPayload":   {},
		"IssueCustomerJWTPayload":    {"composerAuth": true},
		"VersionPayload":             {"version": true},
		"PackageVersion":             {},
	}
}

// guard is a field middleware refusing customer credentials the fields
// outside their view; API tokens pass untouched.
func (v customerView) guard(ctx context.Context, next graphql.Resolver) (any, error) {
	if !auth.FromContext(ctx).IsCustomer() {
		return next(ctx)
	}
	fc := graphql.GetFieldContext(ctx)
	if fc == nil || fc.Object == "Query" || fc.Object == "Mutation" || strings.HasPrefix(fc.Object, "__") || fc.Field.Name == "__typename" {
		return next(ctx) // root fields are @hasRole's; introspection is schema, not data
	}
	edges, ok := v[fc.Object]
	if ok && (edges[fc.Field.Name] || isLeaf(fc)) {
		return next(ctx)
	}
	return nil, apperr.New(apperr.Forbidden, "customer tokens cannot read %s.%s", fc.Object, fc.Field.Name)
}

// isLeaf reports whether a field's value is a scalar or an enum.
func isLeaf(fc *graphql.FieldContext) bool { return len(fc.Field.SelectionSet) == 0 }

// narrowScopes keeps a customer credential from making a credential
// broader than itself. For API tokens and customer credentials without
// package scopes it returns requested unchanged. A customer credential
// with package scopes passes them on when none are requested; each
// requested scope must be one of its own or a package name they reach.
func narrowScopes(ctx context.Context, requested []string) ([]string, error) {
	p := auth.FromContext(ctx)
	if !p.IsCustomer() || len(p.PackageScopes) == 0 {
		return requested, nil
	}
	own := p.PackageScopes
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

// noBroaderThanCaller refuses a customer credential with package scopes
// access to a credential without them or with other ones (the legacy
// token, another token being rotated).
func noBroaderThanCaller(ctx context.Context, scopes []string) error {
	if p := auth.FromContext(ctx); !p.IsCustomer() || len(p.PackageScopes) == 0 {
		return nil
	}
	if len(scopes) == 0 {
		return apperr.New(apperr.Forbidden, "a token limited to some packages cannot manage a token that reaches all of them")
	}
	if _, err := narrowScopes(ctx, scopes); err != nil {
		return apperr.New(apperr.Forbidden, "a token limited to some packages cannot manage a token that reaches others")
	}
	return nil
}

// callerExpiry is when a customer credential calling the API expires; nil
// for API tokens and customer credentials that never expire.
func callerExpiry(ctx context.Context) *time.Time {
	if p := auth.FromContext(ctx); p.IsCustomer() {
		return p.ExpiresAt()
	}
	return nil
}

// capExpiry keeps a credential made by an expiring customer credential
// from outliving it: no expiry, or a later one, becomes the caller's.
func capExpiry(ctx context.Context, requested *time.Time) *time.Time {
	limit := callerExpiry(ctx)
	if limit == nil || (requested != nil && requested.Before(*limit)) {
		return requested
	}
	return limit
}

// capTTL does the same for a JWT's lifetime.
func capTTL(ctx context.Context, ttl time.Duration) time.Duration {
	if limit := callerExpiry(ctx); limit != nil {
		return min(ttl, time.Until(*limit).Truncate(time.Second))
	}
	return ttl
}

// outlives refuses an expiring customer credential access to a token
// that would outlive it (the legacy token, another token being rotated).
func outlives(ctx context.Context, expires *time.Time) error {
	limit := callerExpiry(ctx)
	if limit != nil && (expires == nil || expires.After(*limit)) {
		return apperr.New(apperr.Forbidden, "an expiring token cannot manage a token that outlives it")
	}
	return nil
}

// callerReaches reports whether the caller may see a package's name: any
// API token may; a customer credential only within its package scopes.
func callerReaches(ctx context.Context, name string) bool {
	p := auth.FromContext(ctx)
	return p == nil || p.Reaches(name)
}
