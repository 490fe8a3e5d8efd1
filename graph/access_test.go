package graph_test

import (
	"strings"
	"testing"

	"github.com/cargoman/cargoman/graph"
	"github.com/cargoman/cargoman/internal/testenv"
)

// accessMutations are documents of every mutation in schema/access.graphql.
var accessMutations = map[string]string{
	"createCustomerToken":   `mutation($c: ID!) { createCustomerToken(input: {customerID: $c, name: "t"}) { plainToken } }`,
	"revokeCustomerToken":   `mutation($c: ID!) { revokeCustomerToken(input: {customerID: $c, id: "tok_x"}) { token { id } } }`,
	"rotateCustomerToken":   `mutation($c: ID!) { rotateCustomerToken(input: {customerID: $c, id: "tok_x"}) { plainToken } }`,
	"regenerateLegacyToken": `mutation($c: ID!) { regenerateLegacyToken(input: {customerID: $c}) { plainToken } }`,
	"deleteLegacyToken":     `mutation($c: ID!) { deleteLegacyToken(input: {customerID: $c}) { deletedID } }`,
	"issueCustomerJWT":      `mutation($c: ID!) { issueCustomerJWT(input: {customerID: $c}) { token } }`,
	"setCustomerPackages":   `mutation($c: ID!) { setCustomerPackages(input: {customerID: $c, packages: []}) { customer { id } } }`,
	"grantPackage":          `mutation($c: ID!) { grantPackage(input: {customerID: $c, package: "acme/lib"}) { grant { id } } }`,
	"revokePackage":         `mutation($c: ID!) { revokePackage(input: {customerID: $c, package: "acme/lib"}) { revokedPackage } }`,
	"createCollection":      `mutation { createCollection(input: {slug: "suite", name: "Suite"}) { collection { id } } }`,
	"updateCollection":      `mutation { updateCollection(input: {slug: "suite", name: "S"}) { collection { id } } }`,
	"deleteCollection":      `mutation { deleteCollection(input: {slug: "suite"}) { deletedSlug } }`,
	"grantCollection":       `mutation($c: ID!) { grantCollection(input: {customerID: $c, collection: "suite"}) { grant { id } } }`,
	"revokeCollection":      `mutation($c: ID!) { revokeCollection(input: {customerID: $c, collection: "suite"}) { revokedCollection } }`,
	"freezeCustomer":        `mutation($c: ID!) { freezeCustomer(input: {id: $c, versions: [{package: "acme/lib", version: "1.0.0"}]}) { customer { id } } }`,
}

// TestViewersCannotChangeAccess runs every customer-access mutation with a
// viewer token (FORBIDDEN, nothing happens) and with an admin token (it is
// authorized; the business answer may still be NOT_FOUND and the like).
func TestViewersCannotChangeAccess(t *testing.T) {
	schema := graph.NewSchema(graph.Deps{}).Schema()
	for _, f := range schema.Types["Mutation"].Fields {
		if f.Position != nil && f.Position.Src != nil && strings.HasSuffix(f.Position.Src.Name, "access.graphql") && accessMutations[f.Name] == "" {
			t.Errorf("mutation %s has no case here", f.Name)
		}
	}
	testenv.ForEach(t, func(t *testing.T, b testenv.Backend) {
		s := testenv.StartServer(t, b)
		viewer, _ := s.AdminToken(t, "viewer")
		admin, _ := s.AdminToken(t, "admin")
		c := createCustomer(t, s, root, "Acme")
		vars := map[string]any{"c": c}
		for name, doc := range accessMutations {
			if res := s.GraphQL(t, viewer, doc, vars); res.Code() != "FORBIDDEN" {
				t.Errorf("%s as viewer: %+v", name, res.Errors)
			}
			if res := s.GraphQL(t, "", doc, vars); res.Code() != "UNAUTHORIZED" {
				t.Errorf("%s anonymously: %+v", name, res.Errors)
			}
		}
		var out struct {
			Customer struct {
				Tokens        struct{ TotalCount int }
				PackageAccess struct{ TotalCount int }
			}
			Collections struct{ TotalCount int }
		}
		s.MustGraphQL(t, viewer, `query($c: ID!) { customer(id: $c) { tokens { totalCount } packageAccess { edges { node { source } } } } collections { totalCount } }`, vars, &out)
		if out.Customer.Tokens.TotalCount != 0 || out.Collections.TotalCount != 0 {
			t.Fatalf("viewer mutations changed something: %+v", out)
		}
		for _, name := range []string{"createCustomerToken", "setCustomerPackages", "createCollection", "updateCollection", "regenerateLegacyToken", "deleteLegacyToken", "deleteCollection"} {
			if res := s.GraphQL(t, admin, accessMutations[name], vars); len(res.Errors) > 0 {
				t.Errorf("%s as admin: %+v", name, res.Errors)
			}
		}
	})
}

func TestAccessNodes(t *testing.T) {
	testenv.ForEach(t, func(t *testing.T, b testenv.Backend) {
		s := testenv.StartServer(t, b)
		c := createCustomer(t, s, root, "Acme")
		var made struct {
			CreateCustomerToken struct{ Token struct{ ID string } }
			CreateCollection    struct{ Collection struct{ ID string } }
		}
		s.MustGraphQL(t, root, `mutation($c: ID!) {
  createCustomerToken(input: {customerID: $c, name: "t"}) { token { id } }
  createCollection(input: {slug: "suite", name: "Suite"}) { collection { id } }
}`, map[string]any{"c": c}, &made)
		var out struct {
			Tok *struct {
				Typename string `json:"__typename"`
				Customer struct{ ID string }
			}
			Col *struct{ Slug string }
		}
		s.MustGraphQL(t, root, `query($t: ID!, $col: ID!) {
  tok: node(id: $t) { __typename ... on CustomerToken { customer { id } } }
  col: node(id: $col) { ... on Collection { slug } }
}`, map[string]any{"t": made.CreateCustomerToken.Token.ID, "col": made.CreateCollection.Collection.ID}, &out)
		if out.Tok == nil || out.Tok.Typename != "CustomerToken" || out.Tok.Customer.ID != c || out.Col == nil || out.Col.Slug != "suite" {
			t.Fatalf("nodes %+v", out)
		}
	})
}
