package graph_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/cargoman/cargoman/internal/secret"
	"github.com/cargoman/cargoman/internal/tenancy"
	"github.com/cargoman/cargoman/internal/testenv"
)

const root = testenv.RootToken

func createCustomer(t *testing.T, s *testenv.Server, token, name string) string {
	t.Helper()
	var out struct {
		CreateCustomer struct{ Customer struct{ ID string } }
	}
	s.MustGraphQL(t, token, `mutation($n: String!) { createCustomer(input: {name: $n}) { customer { id } } }`,
		map[string]any{"n": name}, &out)
	return out.CreateCustomer.Customer.ID
}

func TestNodeResolvesIDs(t *testing.T) {
	testenv.ForEach(t, func(t *testing.T, b testenv.Backend) {
		s := testenv.StartServer(t, b)
		id := createCustomer(t, s, root, "Acme")
		var out struct {
			Node *struct {
				Typename string `json:"__typename"`
				ID, Name string
			}
			Nodes  []*struct{ ID string }
			Tenant *struct{ ID string } `json:"tenant"`
		}
		s.MustGraphQL(t, root, `query($id: ID!, $tenant: ID!) {
  node(id: $id) { __typename id ... on Customer { name } }
  nodes(ids: [$id, "cus_missing", "bogus"]) { id }
  tenant: node(id: $tenant) { id }
}`, map[string]any{"id": id, "tenant": s.TenantID}, &out)
		if out.Node == nil || out.Node.Typename != "Customer" || out.Node.ID != id || out.Node.Name != "Acme" {
			t.Fatalf("node = %+v", out.Node)
		}
		if len(out.Nodes) != 3 || out.Nodes[0] == nil || out.Nodes[0].ID != id || out.Nodes[1] != nil || out.Nodes[2] != nil {
			t.Fatalf("nodes = %+v", out.Nodes)
		}
		if out.Tenant == nil || out.Tenant.ID != s.TenantID {
			t.Fatalf("tenant node = %+v", out.Tenant)
		}
	})
}

// TestTenantIsolation makes a second tenant with its own owner token: it
// sees none of the first tenant's rows by any route, and vice versa.
func TestTenantIsolation(t *testing.T) {
	testenv.ForEach(t, func(t *testing.T, b testenv.Backend) {
		s := testenv.StartServer(t, b)
		ctx := tenancy.WithSystem(context.Background())
		other, err := s.DB.Client.Tenant.Create().SetSlug("other").SetName("Other").Save(ctx)
		if err != nil {
			t.Fatal(err)
		}
		plain, _ := secret.New(secret.AdminPrefix)
		if err := s.DB.Client.AdminToken.Create().SetTenantID(other.ID).SetName("o").SetLevel("owner").
			SetSecretHash(secret.Hash(plain)).SetPrefix(secret.Visible(plain)).Exec(ctx); err != nil {
			t.Fatal(err)
		}
		mine := createCustomer(t, s, root, "Mine")
		theirs := createCustomer(t, s, plain, "Theirs")

		for _, tc := range []struct {
			token, visible, hidden string
		}{
			{root, mine, theirs},
			{plain, theirs, mine},
		} {
			var out struct {
				Customers struct {
					TotalCount int
					Edges      []struct{ Node struct{ ID string } }
				}
				Hidden  *struct{ ID string }
				Visible *struct{ ID string }
				Viewer  struct{ Tenant struct{ ID string } }
			}
			s.MustGraphQL(t, tc.token, `query($h: ID!, $v: ID!) {
  customers { totalCount edges { node { id } } }
  hidden: node(id: $h) { id }
  visible: node(id: $v) { id }
  viewer { tenant { id } }
}`, map[string]any{"h": tc.hidden, "v": tc.visible}, &out)
			if out.Customers.TotalCount != 1 || out.Customers.Edges[0].Node.ID != tc.visible || out.Hidden != nil || out.Visible == nil {
				t.Fatalf("token sees %+v", out)
			}
			for _, q := range []string{
				`mutation($id: ID!) { updateCustomer(input: {id: $id, name: "x"}) { customer { id } } }`,
				`mutation($id: ID!) { deleteCustomer(input: {id: $id}) { deletedID } }`,
				`mutation($id: ID!) { suspendCustomer(input: {id: $id}) { customer { id } } }`,
				`query($id: ID!) { customer(id: $id) { id } }`,
			} {
				if res := s.GraphQL(t, tc.token, q, map[string]any{"id": tc.hidden}); res.Code() != "NOT_FOUND" {
					t.Fatalf("%s on another tenant's customer: %+v", q, res.Errors)
				}
			}
		}
		// The other tenant's id is not a node for this tenant.
		var out struct{ Node *struct{ ID string } }
		s.MustGraphQL(t, root, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": other.ID}, &out)
		if out.Node != nil {
			t.Fatalf("another tenant resolved as a node")
		}
		// The first tenant's customer survived the other tenant's attempts.
		s.MustGraphQL(t, root, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": mine}, &out)
		if out.Node == nil {
			t.Fatalf("customer of the first tenant is gone")
		}
	})
}

func TestAdminTokens(t *testing.T) {
	testenv.ForEach(t, func(t *testing.T, b testenv.Backend) {
		s := testenv.StartServer(t, b)
		var created struct {
			CreateAdminToken struct {
				PlainToken string
				AdminToken struct {
					ID, Name, Level, Prefix string
					ExpiresAt               *time.Time
				}
			}
		}
		expires := time.Now().Add(time.Hour).UTC().Truncate(time.Second)
		s.MustGraphQL(t, root, `mutation($e: Time) {
  createAdminToken(input: {name: "CI", level: admin, expiresAt: $e}) {
    plainToken adminToken { id name level prefix expiresAt }
  }
}`, map[string]any{"e": expires.Format(time.RFC3339)}, &created)
		tok := created.CreateAdminToken
		if !strings.HasPrefix(tok.PlainToken, secret.AdminPrefix) || !strings.HasPrefix(tok.PlainToken, tok.AdminToken.Prefix) ||
			tok.AdminToken.Level != "admin" || tok.AdminToken.ExpiresAt == nil || !tok.AdminToken.ExpiresAt.Equal(expires) {
			t.Fatalf("created = %+v", tok)
		}

		// The token works, as its own viewer, and its use is recorded.
		var v struct {
			Viewer struct {
				Kind, Role           string
				CanWrite             bool
				CanManageAdminTokens bool
				AdminToken           struct{ ID string }
			}
		}
		s.MustGraphQL(t, tok.PlainToken, `{ viewer { kind role canWrite canManageAdminTokens adminToken { id } } }`, nil, &v)
		if v.Viewer.Kind != "ADMIN_TOKEN" || v.Viewer.Role != "ADMIN" || !v.Viewer.CanWrite || v.Viewer.CanManageAdminTokens || v.Viewer.AdminToken.ID != tok.AdminToken.ID {
			t.Fatalf("viewer = %+v", v.Viewer)
		}
		if err := s.Usage.Flush(context.Background()); err != nil {
			t.Fatal(err)
		}
		var list struct {
			AdminTokens struct {
				TotalCount int
				Edges      []struct {
					Node struct {
						ID         string
						LastUsedAt *time.Time
						RevokedAt  *time.Time
					}
				}
			}
		}
		s.MustGraphQL(t, root, `{ adminTokens { totalCount edges { node { id lastUsedAt revokedAt } } } }`, nil, &list)
		if list.AdminTokens.TotalCount != 1 || list.AdminTokens.Edges[0].Node.LastUsedAt == nil {
			t.Fatalf("adminTokens = %+v", list)
		}
		// No API ever returns the secret or its hash.
		raw := s.GraphQL(t, root, `{ adminTokens { edges { node { id name prefix } } } }`, nil)
		if strings.Contains(string(raw.Data), tok.PlainToken) || strings.Contains(string(raw.Data), secret.Hash(tok.PlainToken)) {
			t.Fatalf("listing leaks the secret: %s", raw.Data)
		}
		if res := s.GraphQL(t, root, `{ adminTokens { edges { node { secretHash } } } }`, nil); res.Code() != "VALIDATION_ERROR" {
			t.Fatalf("secretHash is queryable: %+v", res)
		}

		// Revoking stops it at once.
		s.MustGraphQL(t, root, `mutation($id: ID!) { revokeAdminToken(input: {id: $id}) { adminToken { revokedAt } } }`,
			map[string]any{"id": tok.AdminToken.ID}, nil)
		if res := s.GraphQL(t, tok.PlainToken, `{ viewer { role } }`, nil); res.Code() != "UNAUTHORIZED" || res.Status != 401 {
			t.Fatalf("revoked token: %d %+v", res.Status, res.Errors)
		}

		for _, tc := range []struct{ name, query, code string }{
			{"past expiry", `mutation { createAdminToken(input: {name: "x", level: viewer, expiresAt: "2001-01-01T00:00:00Z"}) { plainToken } }`, "VALIDATION_ERROR"},
			{"unknown level", `mutation { createAdminToken(input: {name: "x", level: god}) { plainToken } }`, "VALIDATION_ERROR"},
			{"empty name", `mutation { createAdminToken(input: {name: "", level: viewer}) { plainToken } }`, "VALIDATION_ERROR"},
			{"bad time", `mutation { createAdminToken(input: {name: "x", level: viewer, expiresAt: "tomorrow"}) { plainToken } }`, "VALIDATION_ERROR"},
			{"revoke unknown", `mutation { revokeAdminToken(input: {id: "adt_nope"}) { adminToken { id } } }`, "NOT_FOUND"},
		} {
			if res := s.GraphQL(t, root, tc.query, nil); res.Code() != tc.code {
				t.Errorf("%s: got %+v, want %s", tc.name, res.Errors, tc.code)
			}
		}
	})
}

func TestConnectionsAndLimits(t *testing.T) {
	testenv.ForEach(t, func(t *testing.T, b testenv.Backend) {
		s := testenv.StartServer(t, b)
		var ids []string
		for _, n := range []string{"d", "b", "e", "a", "c"} {
			ids = append(ids, createCustomer(t, s, root, n))
		}
		type conn struct {
			Customers struct {
				TotalCount int
				PageInfo   struct {
					HasNextPage bool
					EndCursor   *string
				}
				Edges []struct{ Node struct{ ID, Name string } }
			}
		}
		names := func(c conn) string {
			var out []string
			for _, e := range c.Customers.Edges {
				out = append(out, e.Node.Name)
			}
			return strings.Join(out, "")
		}
		var page1, page2, sorted, offset conn
		q := `query($after: Cursor, $offset: Int, $order: CustomerOrder) {
  customers(first: 2, after: $after, offset: $offset, orderBy: $order) {
    totalCount pageInfo { hasNextPage endCursor } edges { node { id name } }
  }
}`
		s.MustGraphQL(t, root, q, nil, &page1)
		s.MustGraphQL(t, root, q, map[string]any{"after": page1.Customers.PageInfo.EndCursor}, &page2)
		if names(page1) != "db" || names(page2) != "ea" || !page1.Customers.PageInfo.HasNextPage || page1.Customers.TotalCount != 5 {
			t.Fatalf("cursor pages: %q %q %+v", names(page1), names(page2), page1.Customers.PageInfo)
		}
		order := map[string]any{"field": "NAME", "direction": "DESC"}
		s.MustGraphQL(t, root, q, map[string]any{"order": order, "offset": 1}, &sorted)
		s.MustGraphQL(t, root, q, map[string]any{"offset": 4}, &offset)
		if names(sorted) != "dc" || names(offset) != "c" || sorted.Customers.TotalCount != 5 {
			t.Fatalf("offset pages: %q %q", names(sorted), names(offset))
		}

		for _, tc := range []struct{ name, query, code string }{
			{"offset with after", `{ customers(offset: 1, after: "x") { totalCount } }`, "VALIDATION_ERROR"},
			{"negative offset", `{ customers(offset: -1, first: 1) { totalCount } }`, "VALIDATION_ERROR"},
			{"first over max", `{ customers(first: 501) { totalCount } }`, "VALIDATION_ERROR"},
			{"negative first", `{ customers(first: -1) { totalCount } }`, "VALIDATION_ERROR"},
			{"syntax error", `{ customers( }`, "VALIDATION_ERROR"},
			{"unknown field", `{ customers { nope } }`, "VALIDATION_ERROR"},
			{"bad cursor", `{ customers(after: "!!!") { totalCount } }`, "VALIDATION_ERROR"},
		} {
			if res := s.GraphQL(t, root, tc.query, nil); res.Code() != tc.code {
				t.Errorf("%s: got %+v, want %s", tc.name, res.Errors, tc.code)
			}
		}

		// Complexity: many aliased connections exceed the limit (each
		// costs 1 + 100 × 4).
		var q2 strings.Builder
		q2.WriteString("{")
		for i := 0; i < 1400; i++ {
			fmt.Fprintf(&q2, " c%d: customers { totalCount edges { node { id name } } }", i)
		}
		q2.WriteString(" }")
		res := s.GraphQL(t, root, q2.String(), nil)
		if res.Code() != "VALIDATION_ERROR" || !strings.Contains(res.Errors[0].Message, "complexity") {
			t.Fatalf("complex query: %+v", res.Errors)
		}
		var introspection struct {
			Schema json.RawMessage `json:"__schema"`
		}
		s.MustGraphQL(t, root, `{ __schema { queryType { name } types { name fields { name type { ofType { ofType { ofType { name } } } } } } } }`, nil, &introspection)
		if len(introspection.Schema) == 0 {
			t.Fatalf("introspection is off")
		}
	})
}
