// Package httperr writes every error answer of the HTTP edge, in the three
// shapes its clients read: the REST API's {"error":{...}}, GraphQL's
// {"errors":[...]} and Composer's {"warning":...}. The status is always the
// one apperr assigns to the error's code; an error without a code answers
// 500 INTERNAL_ERROR without showing its text.
package httperr

import (
	"encoding/json"
	"net/http"

	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/cargoman/cargoman/internal/apperr"
	"github.com/cargoman/cargoman/internal/casing"
)

// restBody is the REST spec's error shape.
type restBody struct {
	Error detail `json:"error"`
}

type detail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
}

func detailOf(e *apperr.Error) detail {
	return detail{Code: string(e.Code), Message: e.Message, Field: casing.Snake(e.Field)}
}

// REST writes err as {"error":{"code","message","field"}}.
func REST(w http.ResponseWriter, err error) {
	e := apperr.Public(err)
	write(w, e.Code.HTTPStatus(), restBody{Error: detailOf(e)})
}

// GraphQL writes err as {"errors":[{"message","extensions":{"code"}}]}, for
// a request refused before any operation ran.
func GraphQL(w http.ResponseWriter, err error) {
	e := apperr.Public(err)
	write(w, e.Code.HTTPStatus(), map[string]gqlerror.List{"errors": {{
		Message:    e.Message,
		Extensions: map[string]any{"code": string(e.Code)},
	}}})
}

// composerBody keeps the REST error object next to the warning, so clients
// other than Composer read the same code.
type composerBody struct {
	Warning string `json:"warning"`
	Error   detail `json:"error"`
}

// Composer writes err for the Composer CLI. Composer prints a failed
// answer's reason only when its Content-Type is exactly application/json
// and its body has a "warning" key (HttpDownloader::outputWarnings);
// otherwise the customer sees a bare "HTTP 403". The warning says what
// went wrong and what to do about it.
func Composer(w http.ResponseWriter, err error) {
	e := apperr.Public(err)
	write(w, e.Code.HTTPStatus(), composerBody{Warning: e.Message + "; " + composerHint(e.Code), Error: detailOf(e)})
}

// composerHint tells a Composer user what to do about an error of code c.
func composerHint(c apperr.Code) string {
	switch c {
	case apperr.Unauthorized:
		return `check the token in auth.json (http-basic user "token", the token as password) or ask the vendor for a new one`
	case apperr.Forbidden, apperr.FeatureNotAvailable:
		return "contact the vendor"
	case apperr.NotFound:
		return "check the package name and version, or ask the vendor for access to it"
	case apperr.PayloadTooLarge:
		return "send a smaller request"
	case apperr.RateLimited:
		return "wait a moment and try again"
	case apperr.Validation, apperr.MethodNotAllowed:
		return "this Composer request is not understood; update Composer or tell the vendor"
	default:
		return "try again later, and tell the vendor if it persists"
	}
}

// write answers status with v as JSON; Content-Type is exactly
// application/json, the form Composer requires to read the body.
func write(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
