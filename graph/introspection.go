package graph

import (
	"context"
	"fmt"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/cargoman/cargoman/internal/apperr"
	"github.com/cargoman/cargoman/internal/auth"
)

// IntrospectionMode says who may query the schema (__schema, __type).
type IntrospectionMode string

// The modes of GRAPHQL_INTROSPECTION. __typename is always allowed: it
// tells nothing beyond the result it is part of.
const (
	// IntrospectionAuthenticated admits any credential, the default: the
	// schema helps integrators but need not be handed to anyone.
	IntrospectionAuthenticated IntrospectionMode = "authenticated"
	IntrospectionPublic        IntrospectionMode = "public"
	IntrospectionOff           IntrospectionMode = "off"
)

// ParseIntrospectionMode reads a GRAPHQL_INTROSPECTION value.
func ParseIntrospectionMode(s string) (IntrospectionMode, error) {
	switch m := IntrospectionMode(s); m {
	case IntrospectionAuthenticated, IntrospectionPublic, IntrospectionOff:
		return m, nil
	}
	return "", fmt.Errorf("must be authenticated, public or off, not %q", s)
}

// introspectionPolicy enables gqlgen's introspection for the callers the
// mode admits and refuses an operation asking for it otherwise, before it
// runs: UNAUTHORIZED (401) for an anonymous caller, FORBIDDEN when it is
// off.
type introspectionPolicy struct{ mode IntrospectionMode }

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = introspectionPolicy{}

func (introspectionPolicy) ExtensionName() string                          { return "IntrospectionPolicy" }
func (introspectionPolicy) Validate(schema graphql.ExecutableSchema) error { return nil }

func (p introspectionPolicy) MutateOperationContext(ctx context.Context, op *graphql.OperationContext) *gqlerror.Error {
	allowed := p.mode == IntrospectionPublic ||
		(p.mode == IntrospectionAuthenticated && auth.FromContext(ctx) != nil)
	op.DisableIntrospection = !allowed
	if allowed || op.Operation == nil || !asksSchema(op.Operation.SelectionSet) {
		return nil
	}
	e := apperr.New(apperr.Forbidden, "introspection is disabled on this server")
	if p.mode == IntrospectionAuthenticated {
		e = apperr.New(apperr.Unauthorized, "introspection needs a credential: send Authorization: Bearer <token>")
	}
	return &gqlerror.Error{Message: e.Message, Err: e}
}

// asksSchema tells whether a root selection set asks for __schema or
// __type (they exist on the query root only).
func asksSchema(set ast.SelectionSet) bool {
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			if s.Name == "__schema" || s.Name == "__type" {
				return true
			}
		case *ast.InlineFragment:
			if asksSchema(s.SelectionSet) {
				return true
			}
		case *ast.FragmentSpread:
			if s.Definition != nil && asksSchema(s.Definition.SelectionSet) {
				return true
			}
		}
	}
	return false
}
