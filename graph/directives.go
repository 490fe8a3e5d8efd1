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
	field := graphql.GetFieldContext(ctx)
	req := Requirement{Field: field.Field.Name, Role: role, Customer: customer}
	p := auth.FromContext(ctx)
	if err := req.Admit(p); err != nil {
		return nil, err
	}
	if p.IsCustomer() && customer != nil && *customer == model.CustomerPermissionSelf {
		// Another customer's data answers NOT_FOUND, as if it did not
		// exist.
		if id, ok := customerArgument(field.Args); !ok || id != p.Customer.ID {
			return nil, apperr.NotFoundf("customer %q not found", id)
		}
	}
	return next(ctx)
}

// Requirement is what a field's @hasRole asks of the caller.
type Requirement struct {
	// Field names the field, for messages.
	Field    string
	Role     auth.Role
	Customer *model.CustomerPermission
}

// Admit checks p against r as far as the caller alone decides it: the
// anonymous are UNAUTHORIZED, a token below the role or a customer
// credential the field does not admit FORBIDDEN. @hasRole runs it for
// every field; the HTTP edge runs it before reading a request body, so a
// caller who cannot use a route never gets its body read. Which customer a
// SELF field is about depends on its arguments and is checked by hasRole.
func (r Requirement) Admit(p *auth.Caller) error {
	if p == nil {
		return apperr.New(apperr.Unauthorized, "authentication required: send \"Authorization: Bearer <token>\" or \"X-Api-Key: <token>\"")
	}
	if p.IsCustomer() {
		if r.Customer == nil {
			return apperr.New(apperr.Forbidden, "customer tokens cannot use %s; it needs an API token", r.Field)
		}
		return p.Require(permissionCapability[*r.Customer])
	}
	if !p.Role.Covers(r.Role) {
		return apperr.New(apperr.Forbidden, "this needs a token of level %s or higher; yours is %s", r.Role, p.Role)
	}
	return nil
}

// permissionCapability maps @hasRole's customer argument to the
// capability it asks of a customer credential. UPLOAD fields' resolvers
// then run access.PublishCheck.
var permissionCapability = map[model.CustomerPermission]auth.Capability{
	model.CustomerPermissionSelf:   auth.ManageSelf,
	model.CustomerPermissionUpload: auth.Upload,
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
