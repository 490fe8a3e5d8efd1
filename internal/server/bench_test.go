package server_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/cargoman/cargoman/internal/testenv"
)

// BenchmarkGetCustomer compares GET /api/v1/customers/{id} with the same
// read through POST /graphql, in process, to measure what the REST layer
// adds. Run: go test -run '^$' -bench GetCustomer ./internal/server/
func BenchmarkGetCustomer(b *testing.B) {
	s := testenv.StartServer(b, testenv.Backends()[0])
	var c struct{ ID string }
	s.Do(b, http.MethodPost, "/api/v1/customers", testenv.RootToken,
		map[string]any{"name": "Acme Corp", "email": "dev@acme.com", "external_id": "stripe_cus_abc123"}).JSON(b, &c)
	// The same selection as the REST route's document (rest/routes_customers.go).
	gqlBody := `{"query":"query($id: ID!) { customer(id: $id) { id name email externalID status suspensionReason frozenVersions: freezes { package: packageName version versionNormalized } createdAt updatedAt } }","variables":{"id":"` + c.ID + `"}}`

	for _, bc := range []struct {
		name string
		req  func() *http.Request
	}{
		{"rest", func() *http.Request {
			return httptest.NewRequest(http.MethodGet, "/api/v1/customers/"+c.ID, nil)
		}},
		{"graphql", func() *http.Request {
			r := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(gqlBody))
			r.Header.Set("Content-Type", "application/json")
			return r
		}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				r := bc.req()
				r.Header.Set("Authorization", "Bearer "+testenv.RootToken)
				w := httptest.NewRecorder()
				s.Handler.ServeHTTP(w, r)
				if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), c.ID) {
					b.Fatalf("status %d: %s", w.Code, w.Body)
				}
			}
		})
	}
}
