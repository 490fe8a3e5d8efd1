package graph

import (
	"context"
	"reflect"

	"github.com/99designs/gqlgen/graphql"

	"github.com/cargoman/cargoman/graph/model"
	"github.com/cargoman/cargoman/internal/apperr"
	"github.com/cargoman/cargoman/internal/auth"
)

// hasRole implements @hasRole: the field runs only for a principal whose
// role covers the required one, or for a customer credential the field
// admits (customer), within that customer's own data.
func hasRole(ctx context.Context, _ any, next graphql.Resolver, role auth.Role, customer *model.CustomerPermission) (any, error) {
	p := auth.FromContext(ctx)
	if p == nil {
		return nil, apperr.New(apperr.Unauthorized, "authentication required: send \"Authorization: Bearer <token>\" or \"X-Api-Key: <token>\"")
	}
	if p.Customer != nil {
		if err := admitsCustomer(ctx, p.Customer, customer); err != nil {
			return nil, err
		}
		return next(ctx)
	}
	if !p.Role.Covers(role) {
		return nil, apperr.New(apperr.Forbidden, "this needs a token of level %s or higher; yours is %s", role, p.Role)
	}
	return next(ctx)
}

// admitsCustomer checks a customer credential against a field's customer
// permission. Another customer's data answers NOT_FOUND, as if it did not
// exist.
func admitsCustomer(ctx context.Context, c *auth.CustomerCredential, perm *model.CustomerPermission) error {
	field := graphql.GetFieldContext(ctx)
	switch {
	case perm == nil:
		return apperr.New(apperr.Forbidden, "customer tokens cannot use %s; it needs an API token", field.Field.Name)
	case *perm == model.CustomerPermissionSelf:
		if c.Scope != auth.ScopeAdmin {
			return apperr.New(apperr.Forbidden, "a %s-scoped customer token cannot manage its customer; that needs scope admin", c.Scope)
		}
		if id, ok := customerArgument(field.Args); !ok || id != c.CustomerID {
			return apperr.NotFoundf("customer %q not found", id)
		}
	case *perm == model.CustomerPermissionUpload:
		// The field's resolver then runs access.PublishCheck.
		if !auth.ScopeCanUpload(c.Scope) {
			return apperr.New(apperr.Forbidden, "a %s-scoped customer token cannot upload; that needs scope developer or admin", c.Scope)
		}
	}
	return nil
}

// customerArgument finds the customer a field is about: its id argument,
// or its input's CustomerID.
func customerArgument(args map[string]any) (string, bool) {
	if id, ok := args["id"].(string); ok {
		return id, true
	}
	in := reflect.ValueOf(args["input"])
	for in.Kind() == reflect.Pointer && !in.IsNil() {
		in = in.Elem()
	}
	if in.Kind() != reflect.Struct {
		return "", false
	}
	f := in.FieldByName("CustomerID")
	if !f.IsValid() || f.Kind() != reflect.String {
		return "", false
	}
	return f.String(), true
}
