package server_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

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
	gqlBody := `{"query":"query($id: ID!) { customer(id: $id) { id name email externalID status suspensionReason frozenVersions: freezes { edges { node { package: packageName version versionNormalized } } } createdAt updatedAt } }","variables":{"id":"` + c.ID + `"}}`

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

// BenchmarkComposerP2 serves a customer's p2 document of a package with
// 50 versions in process, the Composer hot path once its view is cached:
// credential, entitlement and the finished gzip body all come from
// memory. Run: go test -run '^$' -bench ComposerP2 ./internal/server/
func BenchmarkComposerP2(b *testing.B) {
	s := testenv.StartServer(b, testenv.Backends()[0])
	repo := testenv.NewGitRepo(b)
	for i := range 50 {
		repo.Commit(fmt.Sprint(i), map[string]string{"composer.json": testenv.ComposerJSON("acme/lib", ""), "src/A.php": fmt.Sprint("<?php // ", i)})
		repo.Git("tag", fmt.Sprintf("v1.%d.0", i))
	}
	admin := func(method, path string, body any) *testenv.Response {
		r := s.Do(b, method, path, testenv.RootToken, body)
		if r.Status >= 300 {
			b.Fatalf("%s %s: %d %s", method, path, r.Status, r.Body)
		}
		return r
	}
	admin(http.MethodPost, "/api/v1/packages", map[string]any{"name": "acme/lib", "repository_url": repo.Dir, "type": "git"})
	var cu struct{ ID string }
	admin(http.MethodPost, "/api/v1/customers", map[string]any{"name": "Acme"}).JSON(b, &cu)
	admin(http.MethodPost, "/api/v1/customers/"+cu.ID+"/packages", map[string]any{"package": "acme/lib", "constraint": "^1.0"})
	var tok struct {
		PlainToken string `json:"plain_token"`
	}
	admin(http.MethodPost, "/api/v1/customers/"+cu.ID+"/tokens", map[string]any{"name": "ci", "scope": "download"}).JSON(b, &tok)
	get := func() *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodGet, "/p2/acme/lib.json", nil)
		r.SetBasicAuth("token", tok.PlainToken)
		r.Header.Set("Accept-Encoding", "gzip")
		w := httptest.NewRecorder()
		s.Handler.ServeHTTP(w, r)
		return w
	}
	deadline := time.Now().Add(30 * time.Second)
	for w := get(); w.Code != http.StatusOK || w.Header().Get("Content-Encoding") != "gzip" || w.Body.Len() < 1000; w = get() {
		if time.Now().After(deadline) {
			b.Fatalf("acme/lib not served: %d %s", w.Code, w.Body)
		}
		time.Sleep(50 * time.Millisecond)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if w := get(); w.Code != http.StatusOK {
			b.Fatalf("status %d", w.Code)
		}
	}
}
