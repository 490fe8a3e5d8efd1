package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"

	"github.com/cargoman/cargoman/internal/apperr"
	"github.com/cargoman/cargoman/internal/auth"
)

// hasRole implements @hasRole: the field runs only for a principal whose
// role covers the required one.
func hasRole(ctx context.Context, _ any, next graphql.Resolver, role auth.Role) (any, error) {
	p := auth.FromContext(ctx)
	if p == nil {
		return nil, apperr.New(apperr.Unauthorized, "authentication required: send \"Authorization: Bearer <token>\" or \"X-Api-Key: <token>\"")
	}
	if !p.Role.Covers(role) {
		return nil, apperr.New(apperr.Forbidden, "this needs a token of level %s or higher; yours is %s", role, p.Role)
	}
	return next(ctx)
}
