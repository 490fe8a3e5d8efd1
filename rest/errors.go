package rest

import (
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/cargoman/cargoman/internal/apperr"
)

// errorFromGraphQL reads the code and field the GraphQL error presenter
// put into extensions.
func errorFromGraphQL(g *gqlerror.Error) *apperr.Error {
	code, _ := g.Extensions["code"].(string)
	if code == "" {
		code = string(apperr.Internal)
	}
	field, _ := g.Extensions["field"].(string)
	return &apperr.Error{Code: apperr.Code(code), Message: g.Message, Field: field}
}
