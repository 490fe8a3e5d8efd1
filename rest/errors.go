package rest

import (
	"strings"

	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/cargoman/cargoman/internal/apperr"
	"github.com/cargoman/cargoman/internal/casing"
)

// errorFromGraphQL reads the code and field the GraphQL error presenter
// put into extensions. A message that starts with the field's GraphQL name
// ("repositoryURL must be ...") names it as REST does (repository_url).
func errorFromGraphQL(g *gqlerror.Error) *apperr.Error {
	code, _ := g.Extensions["code"].(string)
	if code == "" {
		code = string(apperr.Internal)
	}
	field, _ := g.Extensions["field"].(string)
	msg := g.Message
	if rest, ok := strings.CutPrefix(msg, field); ok && field != "" && (strings.HasPrefix(rest, " ") || strings.HasPrefix(rest, ":")) {
		msg = casing.Snake(field) + rest
	}
	return &apperr.Error{Code: apperr.Code(code), Message: msg, Field: field}
}
