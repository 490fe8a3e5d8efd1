package graph_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/cargoman/cargoman/internal/testenv"
)

// TestCustomerCredentials uses customer tokens and a customer JWT on the
// API: scope admin manages its own customer (tokens, JWTs, what it may
// install) and nothing else, developer uploads to packages it may
// install, download and webhook do nothing here, and no GraphQL path leads
// from a customer's data to anyone else's.
func TestCustomerCredentials(t *testing.T) {
	testenv.ForEach(t, func(t *testing.T, b testenv.Backend) {
		s := testenv.StartServer(t, b, testenv.WithJWT())
		rootDo := func(method, path string, body any) []byte {
			t.Helper()
			r := s.Do(t, method, path, root, body)
			if r.Status >= 300 {
				t.Fatalf("%s %s: %d %s", method, path, r.Status, r.Body)
			}
			return r.Body
		}
		for _, p := range []string{"acme/lib", "acme/secret"} {
			rootDo(http.MethodPost, "/api/v1/packages", map[string]any{"name": p, "type": "artifact"})
		}
		a := createCustomer(t, s, root, "Acme")
		other := createCustomer(t, s, root, "Other")
		rootDo(http.MethodPost, "/api/v1/customers/"+a+"/packages", map[string]any{"package": "acme/lib", "constraint": "^1.0", "can_publish": true})
		rootDo(http.MethodPost, "/api/v1/customers/"+other+"/packages", map[string]any{"package": "acme/secret", "constraint": "*"})
		token := func(body map[string]any) string {
			var out struct {
				PlainToken string `json:"plain_token"`
			}
			if err := json.Unmarshal(rootDo(http.MethodPost, "/api/v1/customers/"+a+"/tokens", body), &out); err != nil {
				t.Fatal(err)
			}
			return out.PlainToken
		}
		admin := token(map[string]any{"name": "admin", "scope": "admin"})
		scoped := token(map[string]any{"name": "scoped", "scope": "admin", "package_scopes": []string{"acme/lib"}})
		developer := token(map[string]any{"name": "developer", "scope": "developer"})
		download := token(map[string]any{"name": "download", "scope": "download"})
		webhook := token(map[string]any{"name": "webhook", "scope": "webhook"})
		var jwt struct{ Token string }
		if err := json.Unmarshal(rootDo(http.MethodPost, "/api/v1/customers/"+a+"/jwt", map[string]any{"scope": "admin"}), &jwt); err != nil {
			t.Fatal(err)
		}
		archive := func(version string) []byte {
			return testenv.Zip(t, map[string]string{"p/composer.json": testenv.ComposerJSON("acme/lib", `"version":"`+version+`"`)})
		}

		own := "/api/v1/customers/" + a
		cases := []struct {
			name, token, method, path string
			body                      any
			status                    int
			has                       string // a piece of the response body
		}{
			{"admin reads its customer", admin, http.MethodGet, own, nil, http.StatusOK, `"name":"Acme"`},
			{"admin lists its tokens", admin, http.MethodGet, own + "/tokens", nil, http.StatusOK, `"name":"download"`},
			{"admin lists what it may install", admin, http.MethodGet, own + "/packages", nil, http.StatusOK, `"package":"acme/lib"`},
			{"admin creates a token", admin, http.MethodPost, own + "/tokens", map[string]any{"name": "ci", "scope": "download"}, http.StatusCreated, `"plain_token":"cgm_tok_`},
			{"admin issues a JWT", admin, http.MethodPost, own + "/jwt", map[string]any{}, http.StatusOK, `"token":"`},
			{"JWT lists the tokens", jwt.Token, http.MethodGet, own + "/tokens", nil, http.StatusOK, `"name":"admin"`},
			{"a JWT's tokens expire with it", jwt.Token, http.MethodPost, own + "/tokens", map[string]any{"name": "from jwt"}, http.StatusCreated, `"expires_at":"20`},
			{"a JWT and the legacy token", jwt.Token, http.MethodPost, own + "/token/regenerate", nil, http.StatusForbidden, "outlives"},
			{"another customer", admin, http.MethodGet, "/api/v1/customers/" + other, nil, http.StatusNotFound, "NOT_FOUND"},
			{"another customer's tokens", admin, http.MethodPost, "/api/v1/customers/" + other + "/tokens", map[string]any{"name": "x"}, http.StatusNotFound, "NOT_FOUND"},
			{"the customer list", admin, http.MethodGet, "/api/v1/customers", nil, http.StatusForbidden, "FORBIDDEN"},
			{"granting itself packages", admin, http.MethodPost, own + "/packages", map[string]any{"package": "acme/secret"}, http.StatusForbidden, "FORBIDDEN"},
			{"lifting its freeze", admin, http.MethodPost, own + "/reactivate", nil, http.StatusForbidden, "FORBIDDEN"},
			{"the package list", admin, http.MethodGet, "/api/v1/packages", nil, http.StatusForbidden, "FORBIDDEN"},
			{"statistics", admin, http.MethodGet, "/api/v1/stats", nil, http.StatusForbidden, "FORBIDDEN"},
			{"download scope", download, http.MethodGet, own + "/tokens", nil, http.StatusForbidden, "scope admin"},
			{"webhook scope", webhook, http.MethodGet, own, nil, http.StatusForbidden, "scope admin"},
			{"developer cannot manage", developer, http.MethodGet, own + "/tokens", nil, http.StatusForbidden, "scope admin"},
			{"scoped admin sees its packages", scoped, http.MethodGet, own + "/packages", nil, http.StatusOK, `"package":"acme/lib"`},
			{"scoped admin cannot widen", scoped, http.MethodPost, own + "/tokens", map[string]any{"name": "w", "package_scopes": []string{"acme/*"}}, http.StatusBadRequest, "broader"},
			{"scoped admin passes its scopes on", scoped, http.MethodPost, own + "/tokens", map[string]any{"name": "n"}, http.StatusCreated, `"package_scopes":["acme/lib"]`},
			{"scoped admin and the legacy token", scoped, http.MethodPost, own + "/token/regenerate", nil, http.StatusForbidden, "FORBIDDEN"},
			{"an unknown token", "cgm_tok_nope", http.MethodGet, own, nil, http.StatusUnauthorized, "UNAUTHORIZED"},
		}
		for _, c := range cases {
			r := s.Do(t, c.method, c.path, c.token, c.body)
			if r.Status != c.status || !strings.Contains(string(r.Body), c.has) {
				t.Errorf("%s: %d %s, want %d with %q", c.name, r.Status, r.Body, c.status, c.has)
			}
		}

		uploads := []struct {
			name, token, pkg, version string
			status                    int
		}{
			{"developer uploads to a package it may install", developer, "acme/lib", "1.0.0", http.StatusCreated},
			{"admin uploads too", admin, "acme/lib", "1.1.0", http.StatusCreated},
			{"a package it may not install", developer, "acme/secret", "1.0.0", http.StatusNotFound},
			{"a version beyond its grant", developer, "acme/lib", "2.0.0", http.StatusForbidden},
			{"download scope", download, "acme/lib", "1.2.0", http.StatusForbidden},
		}
		for _, u := range uploads {
			if r := s.UploadZip(t, u.token, u.pkg, archive(u.version)); r.Status != u.status {
				t.Errorf("%s: %d %s, want %d", u.name, r.Status, r.Body, u.status)
			}
		}
		var secret struct{ Versions []struct{ Version string } }
		if err := json.Unmarshal(rootDo(http.MethodGet, "/api/v1/packages/acme/secret", nil), &secret); err != nil || len(secret.Versions) != 0 {
			t.Fatalf("acme/secret got versions: %v %+v", err, secret)
		}

		// No path through the graph leads to other customers' data.
		vars := map[string]any{"a": a, "other": other}
		for name, doc := range map[string]string{
			"a package's customers":   `query($a: ID!) { customer(id: $a) { packageAccess { edges { node { package { customers { edges { node { customer { name } } } } } } } } } }`,
			"a token's customer":      `query($a: ID!) { customer(id: $a) { tokens { edges { node { customer { name } } } } } }`,
			"another customer's node": `query($other: ID!) { node(id: $other) { id } }`,
			"the viewer":              `{ viewer { kind } }`,
			"another customer":        `query($other: ID!) { customer(id: $other) { name } }`,
		} {
			res := s.GraphQL(t, admin, doc, vars)
			if code := res.Code(); code != "FORBIDDEN" && code != "NOT_FOUND" {
				t.Errorf("%s: %s %+v", name, code, res.Errors)
			}
			if strings.Contains(string(res.Data), "Other") {
				t.Errorf("%s leaked: %s", name, res.Data)
			}
		}
	})
}
