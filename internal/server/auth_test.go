package server_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/cargoman/cargoman/internal/tenancy"
	"github.com/cargoman/cargoman/internal/testenv"
)

// credentials makes one token of each kind the matrix covers.
func credentials(t *testing.T, s *testenv.Server) map[string]string {
	t.Helper()
	viewer, _ := s.AdminToken(t, "viewer")
	admin, _ := s.AdminToken(t, "admin")
	owner, _ := s.AdminToken(t, "owner")
	expired, expiredID := s.AdminToken(t, "owner")
	revoked, revokedID := s.AdminToken(t, "owner")
	ctx := tenancy.WithSystem(context.Background())
	if err := s.DB.Client.AdminToken.UpdateOneID(expiredID).SetExpiresAt(time.Now().Add(-time.Minute)).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	s.MustGraphQL(t, testenv.RootToken, `mutation($id: ID!) { revokeAdminToken(input: {id: $id}) { adminToken { revokedAt } } }`,
		map[string]any{"id": revokedID}, nil)
	return map[string]string{
		"none": "", "bad": "cgm_adm_not-a-real-token", "unknown": "something-else",
		"expired": expired, "revoked": revoked,
		"viewer": viewer, "admin": admin, "owner": owner, "root": testenv.RootToken,
	}
}

// allowed says which credentials may use an operation needing level.
func allowed(level, who string) bool {
	switch who {
	case "root", "owner":
		return true
	case "admin":
		return level != "owner"
	case "viewer":
		return level == "viewer"
	}
	return false
}

func wantStatus(level, who string) int {
	switch {
	case allowed(level, who):
		return 0
	case who == "viewer" || who == "admin":
		return http.StatusForbidden
	}
	return http.StatusUnauthorized
}

func TestAuthorizationMatrixREST(t *testing.T) {
	testenv.ForEach(t, func(t *testing.T, b testenv.Backend) {
		s := testenv.StartServer(t, b)
		creds := credentials(t, s)
		newCustomer := func() string {
			var c struct{ ID string }
			s.Do(t, http.MethodPost, "/api/v1/customers", testenv.RootToken, map[string]any{"name": "M", "external_id": fmt.Sprintf("m-%d", time.Now().UnixNano())}).JSON(t, &c)
			return c.ID
		}
		fixed := newCustomer()
		var fixedExt struct {
			ExternalID string `json:"external_id"`
		}
		s.Do(t, http.MethodGet, "/api/v1/customers/"+fixed, testenv.RootToken, nil).JSON(t, &fixedExt)

		for _, route := range []struct {
			level, method string
			path          func() string
			body          any
		}{
			{"viewer", "GET", func() string { return "/api/v1/customers" }, nil},
			{"viewer", "GET", func() string { return "/api/v1/customers/" + fixed }, nil},
			{"viewer", "GET", func() string { return "/api/v1/customers/by-external/" + fixedExt.ExternalID }, nil},
			{"admin", "POST", func() string { return "/api/v1/customers" }, map[string]any{"name": "New"}},
			{"admin", "PATCH", func() string { return "/api/v1/customers/" + newCustomer() }, map[string]any{"name": "Renamed"}},
			{"admin", "DELETE", func() string { return "/api/v1/customers/" + newCustomer() }, nil},
			{"admin", "POST", func() string { return "/api/v1/customers/" + newCustomer() + "/suspend" }, map[string]any{"reason": "r"}},
			{"admin", "POST", func() string { return "/api/v1/customers/" + newCustomer() + "/reactivate" }, nil},
			// Customer access.
			{"viewer", "GET", func() string { return "/api/v1/customers/" + fixed + "/tokens" }, nil},
			{"viewer", "GET", func() string { return "/api/v1/customers/" + fixed + "/packages" }, nil},
			{"viewer", "GET", func() string { return "/api/v1/collections" }, nil},
			{"admin", "POST", func() string { return "/api/v1/customers/" + fixed + "/tokens" }, map[string]any{"name": "CI", "scope": "download"}},
			{"admin", "POST", func() string { return "/api/v1/customers/" + fixed + "/token/regenerate" }, nil},
			{"admin", "PUT", func() string { return "/api/v1/customers/" + fixed + "/packages" }, map[string]any{"packages": []any{}}},
			{"admin", "POST", func() string { return "/api/v1/collections" }, func() any {
				return map[string]any{"name": "C", "slug": fmt.Sprintf("c-%d", time.Now().UnixNano())}
			}},
		} {
			for who, token := range creds {
				path := route.path()
				body := route.body
				if f, ok := body.(func() any); ok {
					body = f()
				}
				t.Run(route.method+" "+path+" as "+who, func(t *testing.T) {
					resp := s.Do(t, route.method, path, token, body)
					want := wantStatus(route.level, who)
					if want == 0 && resp.Status >= 400 {
						t.Fatalf("want success, got %d %s", resp.Status, resp.Body)
					}
					if want != 0 && resp.Status != want {
						t.Fatalf("want %d, got %d %s", want, resp.Status, resp.Body)
					}
				})
			}
		}

		// X-Api-Key works like a bearer token; a malformed Authorization
		// header is refused.
		req, _ := http.NewRequest(http.MethodGet, s.URL+"/api/v1/customers", nil)
		req.Header.Set("X-Api-Key", creds["viewer"])
		resp, err := http.DefaultClient.Do(req)
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("X-Api-Key: %v %v", resp.StatusCode, err)
		}
		resp.Body.Close()
		req.Header.Del("X-Api-Key")
		req.Header.Set("Authorization", "Basic Zm9vOmJhcg==")
		resp, err = http.DefaultClient.Do(req)
		if err != nil || resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("Basic auth on the admin API: %v %v", resp.StatusCode, err)
		}
		resp.Body.Close()
	})
}

func TestAuthorizationMatrixGraphQL(t *testing.T) {
	testenv.ForEach(t, func(t *testing.T, b testenv.Backend) {
		s := testenv.StartServer(t, b)
		creds := credentials(t, s)
		newCustomer := func() string {
			var out struct {
				CreateCustomer struct{ Customer struct{ ID string } }
			}
			s.MustGraphQL(t, testenv.RootToken, `mutation { createCustomer(input: {name: "M"}) { customer { id } } }`, nil, &out)
			return out.CreateCustomer.Customer.ID
		}
		_, tokenID := s.AdminToken(t, "viewer")
		for _, op := range []struct {
			level, query string
			vars         func() map[string]any
		}{
			{"viewer", `{ viewer { role } }`, nil},
			{"viewer", `{ customers { totalCount } }`, nil},
			{"viewer", `query($id: ID!) { customer(id: $id) { id } }`, func() map[string]any { return map[string]any{"id": newCustomer()} }},
			{"viewer", `{ customerByExternalId(externalID: "nobody") { id } }`, nil},
			{"viewer", `query($id: ID!) { node(id: $id) { id } }`, func() map[string]any { return map[string]any{"id": newCustomer()} }},
			{"viewer", `query($id: ID!) { nodes(ids: [$id]) { id } }`, func() map[string]any { return map[string]any{"id": newCustomer()} }},
			{"admin", `mutation { createCustomer(input: {name: "G"}) { customer { id } } }`, nil},
			{"admin", `mutation($id: ID!) { updateCustomer(input: {id: $id, name: "H"}) { customer { id } } }`, func() map[string]any { return map[string]any{"id": newCustomer()} }},
			{"admin", `mutation($id: ID!) { deleteCustomer(input: {id: $id}) { deletedID } }`, func() map[string]any { return map[string]any{"id": newCustomer()} }},
			{"admin", `mutation($id: ID!) { suspendCustomer(input: {id: $id}) { customer { id } } }`, func() map[string]any { return map[string]any{"id": newCustomer()} }},
			{"admin", `mutation($id: ID!) { reactivateCustomer(input: {id: $id}) { customer { id } } }`, func() map[string]any { return map[string]any{"id": newCustomer()} }},
			{"viewer", `query($id: ID!) { customer(id: $id) { tokens { edges { node { id } } } packageAccess { edges { node { source } } } freezes { edges { node { version } } } } }`, func() map[string]any { return map[string]any{"id": newCustomer()} }},
			{"viewer", `{ collections { totalCount } }`, nil},
			{"admin", `mutation($id: ID!) { createCustomerToken(input: {customerID: $id, name: "t"}) { plainToken } }`, func() map[string]any { return map[string]any{"id": newCustomer()} }},
			{"admin", `mutation($id: ID!) { setCustomerPackages(input: {customerID: $id, packages: []}) { customer { id } } }`, func() map[string]any { return map[string]any{"id": newCustomer()} }},
			{"owner", `{ adminTokens { totalCount } }`, nil},
			{"owner", `mutation { createAdminToken(input: {name: "n", level: viewer}) { plainToken } }`, nil},
			{"owner", `mutation($id: ID!) { revokeAdminToken(input: {id: $id}) { adminToken { id } } }`, func() map[string]any { return map[string]any{"id": tokenID} }},
		} {
			for who, token := range creds {
				var vars map[string]any
				if op.vars != nil {
					vars = op.vars()
				}
				t.Run(op.query+" as "+who, func(t *testing.T) {
					res := s.GraphQL(t, token, op.query, vars)
					code := res.Code()
					want := wantStatus(op.level, who)
					switch {
					case want == 0 && code != "" && code != "NOT_FOUND":
						t.Fatalf("want success, got %s %+v", code, res.Errors)
					case want == http.StatusForbidden && code != "FORBIDDEN":
						t.Fatalf("want FORBIDDEN, got %q %+v", code, res.Errors)
					case want == http.StatusUnauthorized && code != "UNAUTHORIZED":
						t.Fatalf("want UNAUTHORIZED, got %q %+v", code, res.Errors)
					}
					// A presented but bad credential is refused outright.
					badCredential := who != "none" && want == http.StatusUnauthorized
					if badCredential && res.Status != http.StatusUnauthorized {
						t.Fatalf("bad credential: HTTP %d, want 401", res.Status)
					}
				})
			}
		}
	})
}
