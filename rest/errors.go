package rest

import (
	"encoding/json"
	"net/http"

	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/cargoman/cargoman/internal/apperr"
	"github.com/cargoman/cargoman/internal/casing"
)

// errorBody is the spec's error shape.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
}

// WriteError writes err as {"error":{"code","message","field"}} with the
// status of its code. Errors without a code are internal.
func WriteError(w http.ResponseWriter, err error) {
	e, ok := apperr.As(err)
	if !ok {
		e = apperr.New(apperr.Internal, "internal error")
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(e.Code.HTTPStatus())
	_ = json.NewEncoder(w).Encode(errorBody{Error: errorDetail{
		Code:    string(e.Code),
		Message: e.Message,
		Field:   casing.Snake(e.Field),
	}})
}

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
