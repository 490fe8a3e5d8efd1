package graph

import (
	"context"
	"strings"

	"github.com/99designs/gqlgen/graphql"

	"github.com/cargoman/cargoman/internal/apperr"
	"github.com/cargoman/cargoman/internal/auth"
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
