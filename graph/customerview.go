package graph

import (
	"context"
	"slices"
	"strings"

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
		"CustomerToken":              {},
		"CustomerFreeze":             {},
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
	p := auth.FromContext(ctx)
	if p == nil || p.Customer == nil {
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
	if p == nil || p.Customer == nil || len(p.Customer.PackageScopes) == 0 {
		return requested, nil
	}
	own := p.Customer.PackageScopes
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
	p := auth.FromContext(ctx)
	if p == nil || p.Customer == nil || len(p.Customer.PackageScopes) == 0 {
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
