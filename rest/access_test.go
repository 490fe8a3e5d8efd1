package rest_test

import (
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/cargoman/cargoman/internal/testenv"
)

type accessJSON struct {
	Package    string `json:"package"`
	Constraint string `json:"constraint"`
	Source     string `json:"source"`
	CreatedAt  string `json:"created_at"`
}

type collectionJSON struct {
	ID        string   `json:"id"`
	Slug      string   `json:"slug"`
	Name      string   `json:"name"`
	Packages  []string `json:"packages"`
	CreatedAt string   `json:"created_at"`
	UpdatedAt string   `json:"updated_at"`
}

type frozenJSON struct {
	Package           string `json:"package"`
	Version           string `json:"version"`
	VersionNormalized string `json:"version_normalized"`
}

type frozenCustomerJSON struct {
	customerJSON
	FrozenVersions []frozenJSON `json:"frozen_versions"`
}

// artifactPackages adds packages without repositories.
func artifactPackages(t *testing.T, s *testenv.Server, names ...string) {
	t.Helper()
	for _, n := range names {
		if resp := s.Do(t, http.MethodPost, "/api/v1/packages", root, map[string]any{"name": n, "type": "artifact"}); resp.Status != http.StatusCreated {
			t.Fatalf("create package %s: %d %s", n, resp.Status, resp.Body)
		}
	}
}

// access lists GET path (a JSON array) as "package constraint source".
func accessList(t *testing.T, s *testenv.Server, path string) []string {
	t.Helper()
	resp := s.Do(t, http.MethodGet, path, root, nil)
	if resp.Status != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, resp.Status, resp.Body)
	}
	var list []accessJSON
	resp.JSON(t, &list)
	out := []string{}
	for _, a := range list {
		if a.CreatedAt == "" {
			t.Fatalf("no created_at: %s", resp.Body)
		}
		out = append(out, a.Package+" "+a.Constraint+" "+a.Source)
	}
	return out
}

func wantList(t *testing.T, what string, got []string, want ...string) {
	t.Helper()
	if want == nil {
		want = []string{}
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%s = %q, want %q", what, got, want)
	}
}

func wantError(t *testing.T, resp *testenv.Response, status int, code, field string) errorJSON {
	t.Helper()
	var e errorJSON
	resp.JSON(t, &e)
	if resp.Status != status || e.Error.Code != code || e.Error.Field != field || e.Error.Message == "" {
		t.Fatalf("got %d %s, want %d %s field %q", resp.Status, resp.Body, status, code, field)
	}
	if strings.Contains(e.Error.Message, "ent:") || strings.Contains(strings.ToLower(e.Error.Message), "sql") {
		t.Fatalf("message leaks internals: %q", e.Error.Message)
	}
	return e
}

func TestPackageGrants(t *testing.T) {
	testenv.ForEach(t, func(t *testing.T, b testenv.Backend) {
		s := testenv.StartServer(t, b)
		artifactPackages(t, s, "vendor/core", "vendor/addon", "vendor/extra")
		a := createCustomer(t, s, map[string]any{"name": "Acme"})
		bee := createCustomer(t, s, map[string]any{"name": "Bee"})
		list := "/api/v1/customers/" + a.ID + "/packages"
		wantList(t, "no grants", accessList(t, s, list))

		resp := s.Do(t, http.MethodPut, list, root, map[string]any{"packages": []map[string]any{
			{"package": "vendor/core", "constraint": "*"},
			{"package": "vendor/addon", "constraint": "^1.0"},
		}})
		var put []accessJSON
		resp.JSON(t, &put)
		if resp.Status != 200 || len(put) != 2 || put[0].Package != "vendor/addon" || put[1].Package != "vendor/core" {
			t.Fatalf("PUT: %d %s", resp.Status, resp.Body)
		}
		wantList(t, "after PUT", accessList(t, s, list), "vendor/addon ^1.0 direct", "vendor/core * direct")

		resp = s.Do(t, http.MethodPost, list, root, map[string]any{"package": "vendor/extra", "constraint": "^2.0"})
		var one accessJSON
		resp.JSON(t, &one)
		if resp.Status != http.StatusCreated || one.Package != "vendor/extra" || one.Constraint != "^2.0" || one.Source != "direct" || one.CreatedAt == "" {
			t.Fatalf("POST: %d %s", resp.Status, resp.Body)
		}
		// Granting again changes the constraint of the same grant.
		var again accessJSON
		s.Do(t, http.MethodPost, list, root, map[string]any{"package": "vendor/extra", "constraint": "^3.0"}).JSON(t, &again)
		if again.Constraint != "^3.0" || again.CreatedAt != one.CreatedAt {
			t.Fatalf("re-grant %+v, first %+v", again, one)
		}
		wantList(t, "after POST", accessList(t, s, list), "vendor/addon ^1.0 direct", "vendor/core * direct", "vendor/extra ^3.0 direct")
		// Without a constraint, every version.
		s.Do(t, http.MethodPost, "/api/v1/customers/"+bee.ID+"/packages", root, map[string]any{"package": "vendor/core"})
		wantList(t, "default constraint", accessList(t, s, "/api/v1/customers/"+bee.ID+"/packages"), "vendor/core * direct")

		// Paged like every list.
		resp = s.Do(t, http.MethodGet, list+"?per_page=2&page=2", root, nil)
		var page []accessJSON
		resp.JSON(t, &page)
		if len(page) != 1 || page[0].Package != "vendor/extra" || resp.Header.Get("X-Pagination-Count") != "3" || resp.Header.Get("X-Pagination-PageTotal") != "2" {
			t.Fatalf("page 2: %s %v", resp.Body, resp.Header)
		}
		resp = s.Do(t, http.MethodGet, list+"?page=99999999999999", root, nil)
		resp.JSON(t, &page)
		if resp.Status != 200 || len(page) != 0 {
			t.Fatalf("far page: %d %s", resp.Status, resp.Body)
		}

		// Reverse lookup.
		resp = s.Do(t, http.MethodGet, "/api/v1/packages/vendor/core/customers", root, nil)
		var rev []struct {
			Customer   customerJSON `json:"customer"`
			Constraint string       `json:"constraint"`
			Source     string       `json:"source"`
			CreatedAt  string       `json:"created_at"`
		}
		resp.JSON(t, &rev)
		if resp.Status != 200 || len(rev) != 2 || rev[0].Customer.ID != a.ID || rev[0].Constraint != "*" || rev[0].Source != "direct" ||
			rev[1].Customer.ID != bee.ID || rev[1].Customer.Name != "Bee" || resp.Header.Get("X-Pagination-Count") != "2" {
			t.Fatalf("customers of vendor/core: %d %s", resp.Status, resp.Body)
		}

		// PUT replaces: grants that stay keep their creation time.
		var coreBefore accessJSON
		for _, g := range put {
			if g.Package == "vendor/core" {
				coreBefore = g
			}
		}
		resp = s.Do(t, http.MethodPut, list, root, map[string]any{"packages": []map[string]any{{"package": "vendor/core", "constraint": "^2.0"}}})
		resp.JSON(t, &put)
		if resp.Status != 200 || len(put) != 1 || put[0].Constraint != "^2.0" || put[0].CreatedAt != coreBefore.CreatedAt {
			t.Fatalf("second PUT: %d %s (core was %+v)", resp.Status, resp.Body, coreBefore)
		}

		if resp := s.Do(t, http.MethodDelete, list+"/vendor/core", root, nil); resp.Status != http.StatusNoContent || len(resp.Body) != 0 {
			t.Fatalf("DELETE: %d %s", resp.Status, resp.Body)
		}
		wantList(t, "after DELETE", accessList(t, s, list))
		wantError(t, s.Do(t, http.MethodDelete, list+"/vendor/core", root, nil), 404, "NOT_FOUND", "")

		// An empty PUT clears; deleting a package removes its grants.
		s.Do(t, http.MethodPut, list, root, map[string]any{"packages": []any{}})
		s.Do(t, http.MethodDelete, "/api/v1/packages/vendor/core", root, nil)
		wantList(t, "grants of a deleted package", accessList(t, s, "/api/v1/customers/"+bee.ID+"/packages"))
	})
}

func TestPackageGrantBadInput(t *testing.T) {
	testenv.ForEach(t, func(t *testing.T, b testenv.Backend) {
		s := testenv.StartServer(t, b)
		artifactPackages(t, s, "vendor/core", "vendor/addon")
		a := createCustomer(t, s, map[string]any{"name": "Acme"})
		list := "/api/v1/customers/" + a.ID + "/packages"
		s.Do(t, http.MethodPut, list, root, map[string]any{"packages": []map[string]any{{"package": "vendor/core", "constraint": "^1.0"}}})
		pkgs := func(entries ...map[string]any) map[string]any {
			return map[string]any{"packages": append([]map[string]any{}, entries...)}
		}
		for _, tc := range []struct {
			name, method, path string
			body               any
			status             int
			code, field        string
			message            string
		}{
			{"POST invalid constraint", "POST", list, map[string]any{"package": "vendor/addon", "constraint": "^^1"}, 400, "VALIDATION_ERROR", "constraint",
				`Could not parse version constraint ^^1: Invalid version string "^^1"`},
			{"POST empty constraint", "POST", list, map[string]any{"package": "vendor/addon", "constraint": ""}, 400, "VALIDATION_ERROR", "constraint", ""},
			{"POST unknown package", "POST", list, map[string]any{"package": "vendor/nope"}, 400, "VALIDATION_ERROR", "package", `unknown package "vendor/nope"`},
			{"POST missing package", "POST", list, map[string]any{"constraint": "*"}, 400, "VALIDATION_ERROR", "package", ""},
			{"POST unknown customer", "POST", "/api/v1/customers/cus_unknown/packages", map[string]any{"package": "vendor/addon"}, 404, "NOT_FOUND", "", ""},
			{"PUT invalid constraint", "PUT", list, pkgs(map[string]any{"package": "vendor/addon", "constraint": "^^1"}), 400, "VALIDATION_ERROR", "packages",
				`vendor/addon: Could not parse version constraint ^^1: Invalid version string "^^1"`},
			{"PUT unknown package", "PUT", list, pkgs(map[string]any{"package": "vendor/addon"}, map[string]any{"package": "vendor/nope"}), 400, "VALIDATION_ERROR", "packages", `unknown package "vendor/nope"`},
			{"PUT invalid name", "PUT", list, pkgs(map[string]any{"package": "not a name"}), 400, "VALIDATION_ERROR", "packages", ""},
			{"PUT duplicate", "PUT", list, pkgs(map[string]any{"package": "vendor/addon"}, map[string]any{"package": "vendor/addon", "constraint": "^2"}), 400, "VALIDATION_ERROR", "packages", ""},
			{"PUT without packages", "PUT", list, map[string]any{}, 400, "VALIDATION_ERROR", "packages", ""},
			{"PUT unknown customer", "PUT", "/api/v1/customers/cus_unknown/packages", pkgs(), 404, "NOT_FOUND", "", ""},
			{"GET unknown customer", "GET", "/api/v1/customers/cus_unknown/packages", nil, 404, "NOT_FOUND", "", ""},
			{"DELETE unknown package", "DELETE", list + "/vendor/nope", nil, 404, "NOT_FOUND", "", ""},
			{"DELETE ungranted package", "DELETE", list + "/vendor/addon", nil, 404, "NOT_FOUND", "", ""},
			{"DELETE unknown customer", "DELETE", "/api/v1/customers/cus_unknown/packages/vendor/core", nil, 404, "NOT_FOUND", "", ""},
			{"customers of unknown package", "GET", "/api/v1/packages/vendor/nope/customers", nil, 404, "NOT_FOUND", "", ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				e := wantError(t, s.Do(t, tc.method, tc.path, root, tc.body), tc.status, tc.code, tc.field)
				if tc.message != "" && e.Error.Message != tc.message {
					t.Fatalf("message %q, want %q", e.Error.Message, tc.message)
				}
			})
		}
		// Nothing was written by the rejected requests.
		wantList(t, "grants after bad input", accessList(t, s, list), "vendor/core ^1.0 direct")
	})
}

func TestCollections(t *testing.T) {
	testenv.ForEach(t, func(t *testing.T, b testenv.Backend) {
		s := testenv.StartServer(t, b)
		artifactPackages(t, s, "vendor/core", "vendor/analytics", "vendor/support", "vendor/solo")
		resp := s.Do(t, http.MethodPost, "/api/v1/collections", root, map[string]any{
			"name": "Enterprise Suite", "slug": "enterprise", "packages": []string{"vendor/support", "vendor/core", "vendor/analytics"},
		})
		var col collectionJSON
		resp.JSON(t, &col)
		if resp.Status != http.StatusCreated || !strings.HasPrefix(col.ID, "col_") || col.Slug != "enterprise" || col.Name != "Enterprise Suite" ||
			!reflect.DeepEqual(col.Packages, []string{"vendor/analytics", "vendor/core", "vendor/support"}) || col.CreatedAt == "" {
			t.Fatalf("create: %d %s", resp.Status, resp.Body)
		}
		if got := keys(t, resp.Body); !reflect.DeepEqual(got, []string{"created_at", "id", "name", "packages", "slug", "updated_at"}) {
			t.Fatalf("keys %v", got)
		}
		resp = s.Do(t, http.MethodPost, "/api/v1/collections", root, map[string]any{"name": "Empty", "slug": "empty"})
		var empty collectionJSON
		resp.JSON(t, &empty)
		if resp.Status != 201 || empty.Packages == nil || len(empty.Packages) != 0 {
			t.Fatalf("empty collection: %s", resp.Body)
		}

		var got collectionJSON
		s.Do(t, http.MethodGet, "/api/v1/collections/enterprise", root, nil).JSON(t, &got)
		if !reflect.DeepEqual(got, col) {
			t.Fatalf("GET = %+v, want %+v", got, col)
		}
		resp = s.Do(t, http.MethodGet, "/api/v1/collections", root, nil)
		var all []collectionJSON
		resp.JSON(t, &all)
		if len(all) != 2 || all[0].Slug != "enterprise" || all[1].Slug != "empty" || resp.Header.Get("X-Pagination-Count") != "2" {
			t.Fatalf("list: %s", resp.Body)
		}
		resp = s.Do(t, http.MethodGet, "/api/v1/collections?search=SUITE", root, nil)
		resp.JSON(t, &all)
		if len(all) != 1 || all[0].Slug != "enterprise" {
			t.Fatalf("search: %s", resp.Body)
		}

		// Customers holding the collection reach its packages.
		a := createCustomer(t, s, map[string]any{"name": "Acme"})
		list := "/api/v1/customers/" + a.ID + "/packages"
		s.Do(t, http.MethodPost, list, root, map[string]any{"package": "vendor/core", "constraint": "^3.0"})
		resp = s.Do(t, http.MethodPost, "/api/v1/customers/"+a.ID+"/collections", root, map[string]any{"collection": "enterprise", "constraint": "^1.0"})
		var grant struct {
			ID         string `json:"id"`
			Collection struct {
				Slug string `json:"slug"`
				Name string `json:"name"`
			} `json:"collection"`
			Constraint string `json:"constraint"`
		}
		resp.JSON(t, &grant)
		if resp.Status != 201 || !strings.HasPrefix(grant.ID, "cgr_") || grant.Collection.Slug != "enterprise" || grant.Constraint != "^1.0" {
			t.Fatalf("grant collection: %d %s", resp.Status, resp.Body)
		}
		wantList(t, "with collection", accessList(t, s, list),
			"vendor/analytics ^1.0 enterprise", "vendor/core ^3.0 direct", "vendor/core ^1.0 enterprise", "vendor/support ^1.0 enterprise")
		// Without a constraint the collection grants every version; again
		// changes the constraint.
		s.Do(t, http.MethodPost, "/api/v1/customers/"+a.ID+"/collections", root, map[string]any{"collection": "empty"})
		resp = s.Do(t, http.MethodGet, "/api/v1/customers/"+a.ID+"/collections", root, nil)
		var grants []struct {
			Collection struct{ Slug string } `json:"collection"`
			Constraint string                `json:"constraint"`
		}
		resp.JSON(t, &grants)
		if len(grants) != 2 || grants[0].Collection.Slug != "enterprise" || grants[1].Collection.Slug != "empty" || grants[1].Constraint != "*" {
			t.Fatalf("collection grants: %s", resp.Body)
		}

		// A package added to a collection is visible at once to holders.
		resp = s.Do(t, http.MethodPatch, "/api/v1/collections/empty", root, map[string]any{"packages": []string{"vendor/solo"}})
		resp.JSON(t, &got)
		if resp.Status != 200 || got.Name != "Empty" || !reflect.DeepEqual(got.Packages, []string{"vendor/solo"}) {
			t.Fatalf("PATCH packages: %d %s", resp.Status, resp.Body)
		}
		wantList(t, "after adding to a collection", accessList(t, s, list),
			"vendor/analytics ^1.0 enterprise", "vendor/core ^3.0 direct", "vendor/core ^1.0 enterprise", "vendor/solo * empty", "vendor/support ^1.0 enterprise")
		// Reverse lookup shows both ways.
		resp = s.Do(t, http.MethodGet, "/api/v1/packages/vendor/core/customers", root, nil)
		var rev []struct {
			Customer   struct{ ID string } `json:"customer"`
			Constraint string              `json:"constraint"`
			Source     string              `json:"source"`
		}
		resp.JSON(t, &rev)
		if len(rev) != 2 || rev[0].Source != "direct" || rev[1].Source != "enterprise" || rev[1].Constraint != "^1.0" || rev[1].Customer.ID != a.ID {
			t.Fatalf("customers of vendor/core: %s", resp.Body)
		}

		resp = s.Do(t, http.MethodPatch, "/api/v1/collections/enterprise", root, map[string]any{"name": "Enterprise"})
		resp.JSON(t, &got)
		if resp.Status != 200 || got.Name != "Enterprise" || len(got.Packages) != 3 {
			t.Fatalf("PATCH name: %d %s", resp.Status, resp.Body)
		}
		resp = s.Do(t, http.MethodPatch, "/api/v1/collections/enterprise", root, map[string]any{"packages": []string{"vendor/core"}})
		resp.JSON(t, &got)
		if !reflect.DeepEqual(got.Packages, []string{"vendor/core"}) {
			t.Fatalf("PATCH replace: %s", resp.Body)
		}
		wantList(t, "after removing from a collection", accessList(t, s, list),
			"vendor/core ^3.0 direct", "vendor/core ^1.0 enterprise", "vendor/solo * empty")

		if resp := s.Do(t, http.MethodDelete, "/api/v1/customers/"+a.ID+"/collections/empty", root, nil); resp.Status != http.StatusNoContent {
			t.Fatalf("revoke collection: %d %s", resp.Status, resp.Body)
		}
		wantError(t, s.Do(t, http.MethodDelete, "/api/v1/customers/"+a.ID+"/collections/empty", root, nil), 404, "NOT_FOUND", "")
		// Deleting a collection removes what it gave.
		if resp := s.Do(t, http.MethodDelete, "/api/v1/collections/enterprise", root, nil); resp.Status != http.StatusNoContent || len(resp.Body) != 0 {
			t.Fatalf("delete collection: %d %s", resp.Status, resp.Body)
		}
		wantList(t, "after deleting the collection", accessList(t, s, list), "vendor/core ^3.0 direct")
		wantError(t, s.Do(t, http.MethodGet, "/api/v1/collections/enterprise", root, nil), 404, "NOT_FOUND", "")
		wantError(t, s.Do(t, http.MethodDelete, "/api/v1/collections/enterprise", root, nil), 404, "NOT_FOUND", "")
	})
}

func TestCollectionBadInput(t *testing.T) {
	testenv.ForEach(t, func(t *testing.T, b testenv.Backend) {
		s := testenv.StartServer(t, b)
		artifactPackages(t, s, "vendor/core")
		a := createCustomer(t, s, map[string]any{"name": "Acme"})
		s.Do(t, http.MethodPost, "/api/v1/collections", root, map[string]any{"name": "Suite", "slug": "suite", "packages": []string{"vendor/core"}})
		grants := "/api/v1/customers/" + a.ID + "/collections"
		for _, tc := range []struct {
			name, method, path string
			body               any
			status             int
			code, field        string
		}{
			{"duplicate slug", "POST", "/api/v1/collections", map[string]any{"name": "Again", "slug": "suite"}, 409, "CONFLICT", "slug"},
			{"invalid slug", "POST", "/api/v1/collections", map[string]any{"name": "X", "slug": "Not_A_Slug"}, 400, "VALIDATION_ERROR", "slug"},
			{"long slug", "POST", "/api/v1/collections", map[string]any{"name": "X", "slug": strings.Repeat("a", 65)}, 400, "VALIDATION_ERROR", "slug"},
			{"missing name", "POST", "/api/v1/collections", map[string]any{"slug": "x"}, 400, "VALIDATION_ERROR", "name"},
			{"empty name", "POST", "/api/v1/collections", map[string]any{"slug": "x", "name": ""}, 400, "VALIDATION_ERROR", "name"},
			{"unknown package", "POST", "/api/v1/collections", map[string]any{"name": "X", "slug": "x", "packages": []string{"vendor/nope"}}, 400, "VALIDATION_ERROR", "packages"},
			{"duplicate package", "POST", "/api/v1/collections", map[string]any{"name": "X", "slug": "x", "packages": []string{"vendor/core", "vendor/core"}}, 400, "VALIDATION_ERROR", "packages"},
			{"PATCH unknown", "PATCH", "/api/v1/collections/nope", map[string]any{"name": "X"}, 404, "NOT_FOUND", ""},
			{"PATCH unknown package", "PATCH", "/api/v1/collections/suite", map[string]any{"packages": []string{"vendor/nope"}}, 400, "VALIDATION_ERROR", "packages"},
			{"PATCH null name", "PATCH", "/api/v1/collections/suite", `{"name": null}`, 400, "VALIDATION_ERROR", "name"},
			{"grant unknown collection", "POST", grants, map[string]any{"collection": "nope"}, 400, "VALIDATION_ERROR", "collection"},
			{"grant invalid constraint", "POST", grants, map[string]any{"collection": "suite", "constraint": "^^1"}, 400, "VALIDATION_ERROR", "constraint"},
			{"grant to unknown customer", "POST", "/api/v1/customers/cus_unknown/collections", map[string]any{"collection": "suite"}, 404, "NOT_FOUND", ""},
			{"revoke unknown collection", "DELETE", grants + "/nope", nil, 404, "NOT_FOUND", ""},
			{"revoke ungranted collection", "DELETE", grants + "/suite", nil, 404, "NOT_FOUND", ""},
			{"list of unknown customer", "GET", "/api/v1/customers/cus_unknown/collections", nil, 404, "NOT_FOUND", ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				wantError(t, s.Do(t, tc.method, tc.path, root, tc.body), tc.status, tc.code, tc.field)
			})
		}
		var col collectionJSON
		s.Do(t, http.MethodGet, "/api/v1/collections/suite", root, nil).JSON(t, &col)
		if col.Name != "Suite" || !reflect.DeepEqual(col.Packages, []string{"vendor/core"}) {
			t.Fatalf("collection changed by rejected requests: %+v", col)
		}
		if resp := s.Do(t, http.MethodGet, "/api/v1/collections", root, nil); resp.Header.Get("X-Pagination-Count") != "1" {
			t.Fatalf("rejected requests created collections: %s", resp.Body)
		}
		wantList(t, "grants after bad input", accessList(t, s, "/api/v1/customers/"+a.ID+"/packages"))
	})
}

func TestFreezeCustomer(t *testing.T) {
	testenv.ForEach(t, func(t *testing.T, b testenv.Backend) {
		s := testenv.StartServer(t, b)
		artifactPackages(t, s, "vendor/package", "vendor/addon")
		a := createCustomer(t, s, map[string]any{"name": "Acme"})
		freeze := "/api/v1/customers/" + a.ID + "/freeze"

		var c frozenCustomerJSON
		s.Do(t, http.MethodGet, "/api/v1/customers/"+a.ID, root, nil).JSON(t, &c)
		if c.FrozenVersions == nil || len(c.FrozenVersions) != 0 {
			t.Fatalf("new customer frozen_versions %+v", c.FrozenVersions)
		}

		resp := s.Do(t, http.MethodPost, freeze, root, map[string]any{"versions": []map[string]any{{"package": "vendor/package", "version": "2.0.0"}}})
		resp.JSON(t, &c)
		if resp.Status != 200 || c.Status != "frozen" || !reflect.DeepEqual(c.FrozenVersions, []frozenJSON{{"vendor/package", "2.0.0", "2.0.0.0"}}) {
			t.Fatalf("freeze: %d %s", resp.Status, resp.Body)
		}
		// A second freeze replaces the list.
		resp = s.Do(t, http.MethodPost, freeze, root, map[string]any{"versions": []map[string]any{
			{"package": "vendor/package", "version": "dev-main"}, {"package": "vendor/addon", "version": "v1.2"},
		}})
		want := []frozenJSON{{"vendor/addon", "v1.2", "1.2.0.0"}, {"vendor/package", "dev-main", "dev-main"}}
		resp.JSON(t, &c)
		if resp.Status != 200 || !reflect.DeepEqual(c.FrozenVersions, want) {
			t.Fatalf("second freeze: %d %s", resp.Status, resp.Body)
		}
		var list []frozenCustomerJSON
		s.Do(t, http.MethodGet, "/api/v1/customers?status=frozen", root, nil).JSON(t, &list)
		if len(list) != 1 || !reflect.DeepEqual(list[0].FrozenVersions, want) {
			t.Fatalf("customer list: %+v", list)
		}

		for _, tc := range []struct {
			name        string
			path        string
			body        any
			status      int
			code, field string
		}{
			{"empty list", freeze, map[string]any{"versions": []any{}}, 400, "VALIDATION_ERROR", "versions"},
			{"no list", freeze, map[string]any{}, 400, "VALIDATION_ERROR", "versions"},
			{"invalid version", freeze, map[string]any{"versions": []map[string]any{{"package": "vendor/package", "version": "foo"}}}, 400, "VALIDATION_ERROR", "versions"},
			{"unknown package", freeze, map[string]any{"versions": []map[string]any{{"package": "vendor/nope", "version": "1.0"}}}, 400, "VALIDATION_ERROR", "versions"},
			{"package twice", freeze, map[string]any{"versions": []map[string]any{{"package": "vendor/addon", "version": "1.0"}, {"package": "vendor/addon", "version": "2.0"}}}, 400, "VALIDATION_ERROR", "versions"},
			{"unknown customer", "/api/v1/customers/cus_unknown/freeze", map[string]any{"versions": []map[string]any{{"package": "vendor/addon", "version": "1.0"}}}, 404, "NOT_FOUND", ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				wantError(t, s.Do(t, http.MethodPost, tc.path, root, tc.body), tc.status, tc.code, tc.field)
			})
		}
		s.Do(t, http.MethodGet, "/api/v1/customers/"+a.ID, root, nil).JSON(t, &c)
		if c.Status != "frozen" || !reflect.DeepEqual(c.FrozenVersions, want) {
			t.Fatalf("rejected freezes changed the customer: %+v", c)
		}

		// Reactivation lifts the freeze and deletes the list.
		resp = s.Do(t, http.MethodPost, "/api/v1/customers/"+a.ID+"/reactivate", root, nil)
		resp.JSON(t, &c)
		if resp.Status != 200 || c.Status != "active" || len(c.FrozenVersions) != 0 {
			t.Fatalf("reactivate: %d %s", resp.Status, resp.Body)
		}
		// A suspended customer is not frozen by the way.
		s.Do(t, http.MethodPost, "/api/v1/customers/"+a.ID+"/suspend", root, map[string]any{"reason": "late"})
		wantError(t, s.Do(t, http.MethodPost, freeze, root, map[string]any{"versions": []map[string]any{{"package": "vendor/addon", "version": "1.0"}}}), 400, "VALIDATION_ERROR", "id")
		s.Do(t, http.MethodGet, "/api/v1/customers/"+a.ID, root, nil).JSON(t, &c)
		if c.Status != "suspended" || len(c.FrozenVersions) != 0 {
			t.Fatalf("suspended customer after freeze: %+v", c)
		}
	})
}
