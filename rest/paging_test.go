package rest_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"github.com/cargoman/cargoman/internal/testenv"
)

// TestNestedListsArePaged: a customer's tokens are a connection of at most
// 100 a page in GraphQL (first over 100 refused before it runs) while REST
// keeps its per_page of up to 500 over the same field; a package's own
// route embeds its versions as a plain array, and
// GET /api/v1/packages/{vendor}/{name}/versions pages them.
func TestNestedListsArePaged(t *testing.T) {
	testenv.ForEach(t, func(t *testing.T, b testenv.Backend) {
		s := testenv.StartServer(t, b)
		var created struct{ ID string }
		s.Do(t, http.MethodPost, "/api/v1/customers", testenv.RootToken, map[string]any{"name": "Acme"}).JSON(t, &created)
		const tokens = 105
		for i := range tokens {
			if r := s.Do(t, http.MethodPost, "/api/v1/customers/"+created.ID+"/tokens", testenv.RootToken, map[string]any{"name": fmt.Sprint("t", i)}); r.Status != http.StatusCreated {
				t.Fatalf("create token: %d %s", r.Status, r.Body)
			}
		}
		var conn struct {
			Customer struct {
				Tokens struct {
					TotalCount int
					Edges      []struct{ Node struct{ Name string } }
				}
			}
		}
		s.MustGraphQL(t, testenv.RootToken, `query($id: ID!) { customer(id: $id) { tokens { totalCount edges { node { name } } } } }`,
			map[string]any{"id": created.ID}, &conn)
		if conn.Customer.Tokens.TotalCount != tokens || len(conn.Customer.Tokens.Edges) != 100 {
			t.Fatalf("GraphQL default page: total %d, %d edges", conn.Customer.Tokens.TotalCount, len(conn.Customer.Tokens.Edges))
		}
		if res := s.GraphQL(t, testenv.RootToken, `query($id: ID!) { customer(id: $id) { tokens(first: 101) { totalCount } } }`,
			map[string]any{"id": created.ID}); res.Status != http.StatusUnprocessableEntity || res.Code() != "VALIDATION_ERROR" {
			t.Fatalf("first: 101: %d %+v", res.Status, res.Errors)
		}
		var list []struct{ Name string }
		resp := s.Do(t, http.MethodGet, "/api/v1/customers/"+created.ID+"/tokens?per_page=500", testenv.RootToken, nil)
		resp.JSON(t, &list)
		if len(list) != tokens || resp.Header.Get("X-Pagination-Count") != fmt.Sprint(tokens) {
			t.Fatalf("REST per_page=500: %d items, count %s", len(list), resp.Header.Get("X-Pagination-Count"))
		}
		resp = s.Do(t, http.MethodGet, "/api/v1/customers/"+created.ID+"/tokens?per_page=100&page=2", testenv.RootToken, nil)
		resp.JSON(t, &list)
		if len(list) != 5 || list[4].Name != "t104" {
			t.Fatalf("REST page 2: %+v", list)
		}

		if r := s.Do(t, http.MethodPost, "/api/v1/packages", testenv.RootToken, map[string]any{"name": "acme/art", "type": "artifact"}); r.Status != http.StatusCreated {
			t.Fatalf("create package: %d %s", r.Status, r.Body)
		}
		for _, v := range []string{"1.0.0", "1.2.0", "1.1.0"} {
			zip := testenv.Zip(t, map[string]string{"composer.json": testenv.ComposerJSON("acme/art", `"version":"`+v+`"`)})
			if r := s.UploadZip(t, testenv.RootToken, "acme/art", zip); r.Status != http.StatusCreated {
				t.Fatalf("upload %s: %d %s", v, r.Status, r.Body)
			}
		}
		var pkg struct {
			Versions []struct{ Version string } `json:"versions"`
		}
		s.Do(t, http.MethodGet, "/api/v1/packages/acme/art", testenv.RootToken, nil).JSON(t, &pkg)
		if got := fmt.Sprint(pkg.Versions); got != "[{1.2.0} {1.1.0} {1.0.0}]" {
			t.Fatalf("embedded versions: %s", got)
		}
		var versions []struct{ Version string }
		resp = s.Do(t, http.MethodGet, "/api/v1/packages/acme/art/versions?per_page=2&page=2", testenv.RootToken, nil)
		if err := json.Unmarshal(resp.Body, &versions); err != nil || len(versions) != 1 || versions[0].Version != "1.0.0" || resp.Header.Get("X-Pagination-Count") != "3" {
			t.Fatalf("versions page 2: %d %s %v", resp.Status, resp.Body, resp.Header)
		}
	})
}
