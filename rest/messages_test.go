package rest_test

import (
	"net/http"
	"testing"

	"github.com/cargoman/cargoman/internal/app"
	"github.com/cargoman/cargoman/internal/testenv"
)

// TestErrorMessagesSpeakREST: validation messages name REST fields and
// values, never GraphQL types; enums list what is valid; a type error reads
// the same from REST and from GraphQL; a camelCase key points at its
// snake_case name; a suggested package name is a valid one; a refusal that
// the operator can lift names the setting.
func TestErrorMessagesSpeakREST(t *testing.T) {
	testenv.ForEach(t, func(t *testing.T, b testenv.Backend) {
		s := testenv.StartServer(t, b)
		noLocal := testenv.StartServer(t, b, func(c *app.Config) { c.AllowLocalRepositories = false })
		var customer struct {
			ID string `json:"id"`
		}
		s.Do(t, http.MethodPost, "/api/v1/customers", root, map[string]any{"name": "Acme"}).JSON(t, &customer)
		if r := s.Do(t, http.MethodPost, "/api/v1/packages", root, map[string]any{"name": "acme/art", "type": "artifact"}); r.Status != http.StatusCreated {
			t.Fatalf("create package: %d %s", r.Status, r.Body)
		}

		rest := []struct {
			name        string
			server      *testenv.Server
			method      string
			path        string
			body        map[string]any
			wantMessage string
			wantField   string
		}{
			{"enum scope", s, http.MethodPost, "/api/v1/customers/" + customer.ID + "/tokens",
				map[string]any{"name": "ci", "scope": "read"},
				`scope must be one of admin, developer, download, webhook, not "read"`, "scope"},
			{"enum kind", s, http.MethodPost, "/api/v1/tasks", map[string]any{"kind": "nope"},
				`kind must be one of package_sync, sync_all, cleanup, not "nope"`, "kind"},
			{"enum package type", s, http.MethodPost, "/api/v1/packages", map[string]any{"name": "acme/x", "type": "svn"},
				`type must be one of github, gitlab, bitbucket, git, artifact, not "svn"`, "type"},
			{"string type error", s, http.MethodPost, "/api/v1/packages", map[string]any{"name": 5, "type": "artifact"},
				"name must be a string, not a number", "name"},
			{"field named as REST names it", s, http.MethodPatch, "/api/v1/packages/acme/art", map[string]any{"repository_url": 5},
				"repository_url must be a string, not a number", "repository_url"},
			{"boolean type error", s, http.MethodPatch, "/api/v1/packages/acme/art", map[string]any{"abandoned": "yes"},
				"abandoned must be true or false, not a string", "abandoned"},
			{"camelCase key", s, http.MethodPost, "/api/v1/customers", map[string]any{"name": "B", "externalId": "b-1"},
				"externalId: unknown field; did you mean external_id?", "external_id"},
			{"camelCase key spelled as GraphQL does", s, http.MethodPatch, "/api/v1/packages/acme/art", map[string]any{"repositoryUrl": "https://example.com/x.git"},
				"repositoryUrl: unknown field; did you mean repository_url?", "repository_url"},
			{"upper-case package name", s, http.MethodPost, "/api/v1/packages", map[string]any{"name": "Acme/Lib", "type": "artifact"},
				`name must be lower case (Composer package names are): "acme/lib"`, "name"},
			{"upper-case invalid package name", s, http.MethodPost, "/api/v1/packages", map[string]any{"name": "Acme Lib", "type": "artifact"},
				`name "Acme Lib" is not a valid Composer package name (vendor/name in lower case, e.g. acme/lib)`, "name"},
			{"local repositories disabled", noLocal, http.MethodPost, "/api/v1/packages", map[string]any{"name": "acme/local", "type": "git", "repository_url": "/srv/git/lib"},
				"local repositories are not allowed on this server (the operator can enable them with ALLOW_LOCAL_REPOSITORIES)", "repository_url"},
		}
		for _, tc := range rest {
			t.Run(tc.name, func(t *testing.T) {
				var answer struct {
					Error struct {
						Code    string `json:"code"`
						Message string `json:"message"`
						Field   string `json:"field"`
					} `json:"error"`
				}
				resp := tc.server.Do(t, tc.method, tc.path, root, tc.body)
				resp.JSON(t, &answer)
				if resp.Status != http.StatusBadRequest || answer.Error.Code != "VALIDATION_ERROR" {
					t.Fatalf("%s %s = %d %s, want 400 VALIDATION_ERROR", tc.method, tc.path, resp.Status, resp.Body)
				}
				if answer.Error.Message != tc.wantMessage || answer.Error.Field != tc.wantField {
					t.Errorf("error = %q (field %q), want %q (field %q)", answer.Error.Message, answer.Error.Field, tc.wantMessage, tc.wantField)
				}
			})
		}

		// GraphQL words type and enum errors as REST does, with GraphQL's
		// field names, for variables and for literals.
		graphql := []struct {
			name  string
			query string
			vars  map[string]any
			want  string
		}{
			{"string variable", `mutation($i: CreatePackageInput!) { createPackage(input: $i) { package { id } } }`,
				map[string]any{"i": map[string]any{"name": 5, "type": "artifact"}}, "name must be a string, not a number"},
			{"boolean variable", `mutation($i: UpdatePackageInput!) { updatePackage(input: $i) { package { id } } }`,
				map[string]any{"i": map[string]any{"name": "acme/art", "abandoned": "yes"}}, "abandoned must be true or false, not a string"},
			{"enum variable", `mutation($i: CreateTaskInput!) { createTask(input: $i) { created } }`,
				map[string]any{"i": map[string]any{"kind": "nope"}}, `kind must be one of package_sync, sync_all, cleanup, not "nope"`},
			{"string literal", `mutation { createPackage(input: {name: 5, type: artifact}) { package { id } } }`, nil,
				"the value must be a string, not a number"},
			{"boolean literal", `mutation { updatePackage(input: {name: "acme/art", abandoned: "yes"}) { package { id } } }`, nil,
				"the value must be true or false, not a string"},
			{"enum literal", `mutation { createTask(input: {kind: nope}) { created } }`, nil,
				`the value must be one of package_sync, sync_all, cleanup, not "nope"`},
		}
		for _, tc := range graphql {
			t.Run("graphql "+tc.name, func(t *testing.T) {
				res := s.GraphQL(t, root, tc.query, tc.vars)
				if len(res.Errors) != 1 || res.Code() != "VALIDATION_ERROR" {
					t.Fatalf("errors = %+v, want one VALIDATION_ERROR", res.Errors)
				}
				if res.Errors[0].Message != tc.want {
					t.Errorf("message = %q, want %q", res.Errors[0].Message, tc.want)
				}
			})
		}
	})
}
