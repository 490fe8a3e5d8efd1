package httperr_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"testing"

	"github.com/cargoman/cargoman/internal/apperr"
	"github.com/cargoman/cargoman/internal/httperr"
)

// Every shape answers the status of the error's code with Content-Type
// exactly application/json (Composer reads the body only then); an error
// without a code is a 500 that does not show its text.
func TestWriteShapes(t *testing.T) {
	suspended := apperr.New(apperr.Forbidden, "access is suspended: unpaid invoice")
	invalid := apperr.Invalid("externalId", "external_id is taken")
	tooMany := apperr.New(apperr.RateLimited, "too many requests")
	method := apperr.New(apperr.MethodNotAllowed, "method PUT is not allowed")
	secret := errors.New("pq: password authentication failed for user postgres")
	for _, tc := range []struct {
		name   string
		write  func(http.ResponseWriter, error)
		err    error
		status int
		body   map[string]any
	}{
		{"REST with field", httperr.REST, invalid, http.StatusBadRequest, map[string]any{
			"error": map[string]any{"code": "VALIDATION_ERROR", "message": "external_id is taken", "field": "external_id"}}},
		{"REST method not allowed", httperr.REST, method, http.StatusMethodNotAllowed, map[string]any{
			"error": map[string]any{"code": "METHOD_NOT_ALLOWED", "message": "method PUT is not allowed"}}},
		{"REST wrapped", httperr.REST, errors.Join(errors.New("context"), suspended), http.StatusForbidden, map[string]any{
			"error": map[string]any{"code": "FORBIDDEN", "message": "access is suspended: unpaid invoice"}}},
		{"REST internal hides its text", httperr.REST, secret, http.StatusInternalServerError, map[string]any{
			"error": map[string]any{"code": "INTERNAL_ERROR", "message": "internal error"}}},
		{"GraphQL", httperr.GraphQL, apperr.New(apperr.Unauthorized, "the token is not valid"), http.StatusUnauthorized, map[string]any{
			"errors": []any{map[string]any{"message": "the token is not valid", "extensions": map[string]any{"code": "UNAUTHORIZED"}}}}},
		{"GraphQL internal hides its text", httperr.GraphQL, secret, http.StatusInternalServerError, map[string]any{
			"errors": []any{map[string]any{"message": "internal error", "extensions": map[string]any{"code": "INTERNAL_ERROR"}}}}},
		{"Composer suspended", httperr.Composer, suspended, http.StatusForbidden, map[string]any{
			"warning": "access is suspended: unpaid invoice; contact the vendor",
			"error":   map[string]any{"code": "FORBIDDEN", "message": "access is suspended: unpaid invoice"}}},
		{"Composer not found", httperr.Composer, apperr.NotFoundf(`package "acme/nope" not found`), http.StatusNotFound, map[string]any{
			"warning": `package "acme/nope" not found; check the package name and version, or ask the vendor for access to it`,
			"error":   map[string]any{"code": "NOT_FOUND", "message": `package "acme/nope" not found`}}},
		{"Composer rate limited", httperr.Composer, tooMany, http.StatusTooManyRequests, map[string]any{
			"warning": "too many requests; wait a moment and try again",
			"error":   map[string]any{"code": "RATE_LIMITED", "message": "too many requests"}}},
		{"Composer internal hides its text", httperr.Composer, secret, http.StatusInternalServerError, map[string]any{
			"warning": "internal error; try again later, and tell the vendor if it persists",
			"error":   map[string]any{"code": "INTERNAL_ERROR", "message": "internal error"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			tc.write(rec, tc.err)
			if rec.Code != tc.status {
				t.Errorf("status %d, want %d", rec.Code, tc.status)
			}
			if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q, want exactly application/json", ct)
			}
			var got map[string]any
			if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
				t.Fatalf("body %q: %v", rec.Body, err)
			}
			if !reflect.DeepEqual(got, tc.body) {
				t.Errorf("body %s\nwant %v", rec.Body, tc.body)
			}
		})
	}
}
