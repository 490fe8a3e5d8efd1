package graph

import (
	"context"
	"strconv"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/cargoman/cargoman/internal/apperr"
)

// Limits on what one GraphQL operation may ask for, so that a single
// request cannot make the server walk unbounded graphs.
const (
	MaxDepth      = 12
	MaxComplexity = 2000
)

// depthLimit rejects operations nested deeper than max. Introspection
// fields (__schema, __type) are not counted: their depth is fixed by the
// schema, not by data.
type depthLimit struct{ max int }

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = depthLimit{}

func (depthLimit) ExtensionName() string                          { return "DepthLimit" }
func (depthLimit) Validate(schema graphql.ExecutableSchema) error { return nil }

func (d depthLimit) MutateOperationContext(_ context.Context, op *graphql.OperationContext) *gqlerror.Error {
	if op.Operation == nil {
		return nil
	}
	if depth := selectionDepth(op.Operation.SelectionSet, 0, d.max); depth > d.max {
		return &gqlerror.Error{
			Message: "the operation is nested deeper than the limit of " + strconv.Itoa(d.max),
			Extensions: map[string]any{
				"code": string(apperr.Validation),
			},
		}
	}
	return nil
}

// selectionDepth returns the depth of set, stopping once it exceeds max.
func selectionDepth(set ast.SelectionSet, depth, max int) int {
	if depth > max {
		return depth
	}
	deepest := depth
	for _, sel := range set {
		var d int
		switch s := sel.(type) {
		case *ast.Field:
			if strings.HasPrefix(s.Name, "__") {
				continue
			}
			d = depth + 1
			if len(s.SelectionSet) > 0 {
				d = selectionDepth(s.SelectionSet, depth+1, max)
			}
		case *ast.InlineFragment:
			d = selectionDepth(s.SelectionSet, depth, max)
		case *ast.FragmentSpread:
			if s.Definition != nil {
				d = selectionDepth(s.Definition.SelectionSet, depth, max)
			}
		}
		if d > deepest {
			deepest = d
		}
	}
	return deepest
}
