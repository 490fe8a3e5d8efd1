package graph_test

import (
	"net/http"
	"testing"

	"github.com/cargoman/cargoman/internal/testenv"
)

// TestStringInputHygiene sends a NUL and other control characters in
// String inputs over GraphQL and REST: each is a VALIDATION_ERROR naming the
// field (it was a 500 on PostgreSQL), on both databases.
func TestStringInputHygiene(t *testing.T) {
	testenv.ForEach(t, func(t *testing.T, b testenv.Backend) {
		s := testenv.StartServer(t, b)
		for _, name := range []string{"nul\x00name", "esc\x1bname", "bidi\u202Ename"} {
			res := s.GraphQL(t, root, `mutation($n: String!) { createCustomer(input: {name: $n}) { customer { id } } }`, map[string]any{"n": name})
			if res.Code() != "VALIDATION_ERROR" {
				t.Errorf("GraphQL name %q: code %q, errors %+v", name, res.Code(), res.Errors)
			}
			r := s.Do(t, http.MethodPost, "/api/v1/customers", root, map[string]any{"name": name})
			if r.Status != http.StatusBadRequest {
				t.Errorf("REST name %q: %d %s", name, r.Status, r.Body)
			}
		}
	})
}
