package rest_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/cargoman/cargoman/ent/customertoken"
	"github.com/cargoman/cargoman/internal/access"
	"github.com/cargoman/cargoman/internal/tenancy"
	"github.com/cargoman/cargoman/internal/testenv"
)

// mustDo sends a request and fails the test unless it answers want.
func mustDo(t *testing.T, s *testenv.Server, method, path, token string, body any, want int) *testenv.Response {
	t.Helper()
	r := s.Do(t, method, path, token, body)
	if r.Status != want {
		t.Fatalf("%s %s: %d %s, want %d", method, path, r.Status, r.Body, want)
	}
	return r
}

// newToken creates a customer token with caller's credential.
func newToken(t *testing.T, s *testenv.Server, caller, customerID string, body map[string]any) tokenSecretJSON {
	t.Helper()
	var out tokenSecretJSON
	mustDo(t, s, http.MethodPost, "/api/v1/customers/"+customerID+"/tokens", caller, body, http.StatusCreated).JSON(t, &out)
	return out
}

// newJWT issues an admin-scoped customer JWT with caller's credential.
func newJWT(t *testing.T, s *testenv.Server, caller, customerID string) string {
	t.Helper()
	var out jwtJSON
	mustDo(t, s, http.MethodPost, "/api/v1/customers/"+customerID+"/jwt", caller, map[string]any{"scope": "admin"}, http.StatusOK).JSON(t, &out)
	return out.Token
}

// works reports the status a credential gets on the REST API (its own
// customer) and on the Composer endpoint.
func works(t *testing.T, s *testenv.Server, customerID, credential string) (rest, composer int) {
	t.Helper()
	rest = s.Do(t, http.MethodGet, "/api/v1/customers/"+customerID+"/packages", credential, nil).Status
	composer = s.Raw(t, http.MethodGet, "/packages.json", credential, nil, nil).Status
	return rest, composer
}

// TestPublishNeedsCanPublish: reading a package is not publishing it. A
// developer token whose customer may install a package cannot upload a
// version (which would reach every customer) until its grant says
// can_publish; the version then records who uploaded it.
func TestPublishNeedsCanPublish(t *testing.T) {
	testenv.ForEach(t, func(t *testing.T, b testenv.Backend) {
		s := testenv.StartServer(t, b)
		artifactPackages(t, s, "acme/lib")
		a := createCustomer(t, s, map[string]any{"name": "Acme"})
		grants := "/api/v1/customers/" + a.ID + "/packages"
		var grant struct {
			accessJSON
			CanPublish bool `json:"can_publish"`
		}
		mustDo(t, s, http.MethodPost, grants, root, map[string]any{"package": "acme/lib"}, http.StatusCreated).JSON(t, &grant)
		if grant.CanPublish {
			t.Fatalf("a grant publishes by default: %+v", grant)
		}
		dev := newToken(t, s, root, a.ID, map[string]any{"name": "ci", "scope": "developer"})
		archive := func(version string) []byte {
			return testenv.Zip(t, map[string]string{"p/composer.json": testenv.ComposerJSON("acme/lib", `"version":"`+version+`"`)})
		}
		var version struct {
			Version    string  `json:"version"`
			UploadedBy *string `json:"uploaded_by"`
		}
		steps := []struct {
			name    string
			grant   map[string]any // sent to grants first (POST), when set
			replace map[string]any // sent to grants first (PUT), when set
			token   string
			version string
			status  int
			by      string
		}{
			{name: "grant without can_publish", token: dev.PlainToken, version: "1.0.0", status: http.StatusForbidden},
			{name: "can_publish false said aloud", grant: map[string]any{"package": "acme/lib", "can_publish": false},
				token: dev.PlainToken, version: "1.0.0", status: http.StatusForbidden},
			{name: "can_publish", grant: map[string]any{"package": "acme/lib", "can_publish": true},
				token: dev.PlainToken, version: "1.0.0", status: http.StatusCreated, by: dev.Token.ID},
			{name: "granting again without it takes it back", grant: map[string]any{"package": "acme/lib", "constraint": "*"},
				token: dev.PlainToken, version: "1.1.0", status: http.StatusForbidden},
			{name: "replacing the grants with it", replace: map[string]any{"packages": []map[string]any{{"package": "acme/lib", "can_publish": true}}},
				token: dev.PlainToken, version: "1.1.0", status: http.StatusCreated, by: dev.Token.ID},
			{name: "root uploads without any grant", token: root, version: "1.2.0", status: http.StatusCreated, by: "root"},
		}
		for _, st := range steps {
			if st.grant != nil {
				mustDo(t, s, http.MethodPost, grants, root, st.grant, http.StatusCreated).JSON(t, &grant)
				if want := st.grant["can_publish"] == true; grant.CanPublish != want {
					t.Fatalf("%s: grant answered can_publish %v", st.name, grant.CanPublish)
				}
			}
			if st.replace != nil {
				r := mustDo(t, s, http.MethodPut, grants, root, st.replace, http.StatusOK)
				if !strings.Contains(string(r.Body), `"can_publish":true`) {
					t.Fatalf("%s: %s", st.name, r.Body)
				}
			}
			r := s.UploadZip(t, st.token, "acme/lib", archive(st.version))
			if r.Status != st.status {
				t.Fatalf("%s: upload %d %s, want %d", st.name, r.Status, r.Body, st.status)
			}
			if st.status != http.StatusCreated {
				continue
			}
			r.JSON(t, &version)
			if version.UploadedBy == nil || *version.UploadedBy != st.by {
				t.Fatalf("%s: uploaded_by %v, want %q: %s", st.name, version.UploadedBy, st.by, r.Body)
			}
		}
		// The package's versions show their uploader too.
		var pkg struct {
			Versions []struct {
				Version    string  `json:"version"`
				UploadedBy *string `json:"uploaded_by"`
			} `json:"versions"`
		}
		mustDo(t, s, http.MethodGet, "/api/v1/packages/acme/lib", root, nil, http.StatusOK).JSON(t, &pkg)
		by := map[string]string{}
		for _, v := range pkg.Versions {
			if v.UploadedBy != nil {
				by[v.Version] = *v.UploadedBy
			}
		}
		if by["1.0.0"] != dev.Token.ID || by["1.1.0"] != dev.Token.ID || by["1.2.0"] != "root" || len(by) != 3 {
			t.Fatalf("uploaded_by of the versions: %v", by)
		}
	})
}

// TestRevokingMinterRevokesChildren: a customer admin token's children
// (tokens it created, theirs, and the JWTs any of them issued) stop
// working with it, on the API and on the Composer endpoint even when the
// Composer endpoint cached them; unrelated tokens keep working.
func TestRevokingMinterRevokesChildren(t *testing.T) {
	testenv.ForEach(t, func(t *testing.T, b testenv.Backend) {
		s := testenv.StartServer(t, b, testenv.WithJWT())
		a := createCustomer(t, s, map[string]any{"name": "Acme"})
		parent := newToken(t, s, root, a.ID, map[string]any{"name": "parent", "scope": "admin"})
		sibling := newToken(t, s, root, a.ID, map[string]any{"name": "sibling", "scope": "admin"})
		child := newToken(t, s, parent.PlainToken, a.ID, map[string]any{"name": "child", "scope": "admin"})
		grandchild := newToken(t, s, child.PlainToken, a.ID, map[string]any{"name": "grandchild", "scope": "admin"})
		if parent.Token.MintedBy != nil || child.Token.MintedBy == nil || *child.Token.MintedBy != parent.Token.ID ||
			grandchild.Token.MintedBy == nil || *grandchild.Token.MintedBy != child.Token.ID {
			t.Fatalf("minted_by: parent %v child %v grandchild %v", parent.Token.MintedBy, child.Token.MintedBy, grandchild.Token.MintedBy)
		}
		parentJWT := newJWT(t, s, parent.PlainToken, a.ID)
		childJWT := newJWT(t, s, child.PlainToken, a.ID)
		siblingJWT := newJWT(t, s, sibling.PlainToken, a.ID)
		creds := map[string]string{
			"child": child.PlainToken, "grandchild": grandchild.PlainToken,
			"parent's JWT": parentJWT, "child's JWT": childJWT,
		}
		for name, c := range creds {
			// Warms the Composer endpoint's credential cache.
			if rs, cs := works(t, s, a.ID, c); rs != http.StatusOK || cs != http.StatusOK {
				t.Fatalf("%s before the revocation: REST %d, Composer %d", name, rs, cs)
			}
		}
		mustDo(t, s, http.MethodDelete, "/api/v1/customers/"+a.ID+"/tokens/"+parent.Token.ID, root, nil, http.StatusNoContent)
		for name, c := range creds {
			if rs, cs := works(t, s, a.ID, c); rs != http.StatusUnauthorized || cs != http.StatusUnauthorized {
				t.Errorf("%s after revoking its minter: REST %d, Composer %d, want 401", name, rs, cs)
			}
		}
		for name, c := range map[string]string{"sibling": sibling.PlainToken, "sibling's JWT": siblingJWT} {
			if rs, cs := works(t, s, a.ID, c); rs != http.StatusOK || cs != http.StatusOK {
				t.Errorf("%s: REST %d, Composer %d, want 200", name, rs, cs)
			}
		}
		var list []tokenJSON
		mustDo(t, s, http.MethodGet, "/api/v1/customers/"+a.ID+"/tokens", root, nil, http.StatusOK).JSON(t, &list)
		revoked := map[string]bool{}
		for _, tok := range list {
			revoked[tok.Name] = tok.RevokedAt != nil
		}
		want := map[string]bool{"parent": true, "child": true, "grandchild": true, "sibling": false}
		for name, w := range want {
			if revoked[name] != w {
				t.Errorf("token %s revoked = %v, want %v", name, revoked[name], w)
			}
		}
	})
}

// TestJWTNeedsItsMinter: a JWT a customer token issued works only while
// that token exists unrevoked and unexpired, also once the Composer
// endpoint has cached it.
func TestJWTNeedsItsMinter(t *testing.T) {
	testenv.ForEach(t, func(t *testing.T, b testenv.Backend) {
		s := testenv.StartServer(t, b, testenv.WithJWT())
		a := createCustomer(t, s, map[string]any{"name": "Acme"})
		ctx := tenancy.WithTenant(context.Background(), s.TenantID)

		// A JWT an API token issued has no minter and keeps working.
		adminJWT := newJWT(t, s, root, a.ID)

		// Revoked minter.
		revokedMinter := newToken(t, s, root, a.ID, map[string]any{"name": "revoked", "scope": "admin"})
		fromRevoked := newJWT(t, s, revokedMinter.PlainToken, a.ID)

		// Deleted minter: the legacy token.
		var legacy tokenSecretJSON
		mustDo(t, s, http.MethodPost, "/api/v1/customers/"+a.ID+"/token/regenerate", root, nil, http.StatusCreated).JSON(t, &legacy)
		fromLegacy := newJWT(t, s, legacy.PlainToken, a.ID)

		// Expired minter: its JWT was signed (through the service, as
		// the API caps a JWT's lifetime at its caller's) to outlive it.
		expiry := time.Now().Add(2 * time.Second)
		expiring := newToken(t, s, root, a.ID, map[string]any{"name": "expiring", "scope": "admin",
			"expires_at": expiry.UTC().Format(time.RFC3339Nano)})
		fromExpired, _, err := s.App.Access.IssueJWT(ctx, access.JWTInput{
			CustomerID: a.ID, TTL: time.Hour, Scope: customertoken.ScopeAdmin, MintedBy: expiring.Token.ID,
		})
		if err != nil {
			t.Fatal(err)
		}

		for name, c := range map[string]string{"revoked": fromRevoked, "legacy": fromLegacy, "expiring": fromExpired, "admin": adminJWT} {
			if rs, cs := works(t, s, a.ID, c); rs != http.StatusOK || cs != http.StatusOK {
				t.Fatalf("JWT of the %s token before: REST %d, Composer %d", name, rs, cs)
			}
		}
		mustDo(t, s, http.MethodDelete, "/api/v1/customers/"+a.ID+"/tokens/"+revokedMinter.Token.ID, root, nil, http.StatusNoContent)
		mustDo(t, s, http.MethodDelete, "/api/v1/customers/"+a.ID+"/token", root, nil, http.StatusNoContent)
		time.Sleep(time.Until(expiry) + 100*time.Millisecond)
		for name, c := range map[string]string{"revoked": fromRevoked, "deleted": fromLegacy, "expired": fromExpired} {
			if rs, cs := works(t, s, a.ID, c); rs != http.StatusUnauthorized || cs != http.StatusUnauthorized {
				t.Errorf("JWT of the %s token: REST %d, Composer %d, want 401", name, rs, cs)
			}
		}
		if rs, cs := works(t, s, a.ID, adminJWT); rs != http.StatusOK || cs != http.StatusOK {
			t.Errorf("JWT an API token issued: REST %d, Composer %d, want 200", rs, cs)
		}
		// The claim is checked against the token's customer: a JWT naming
		// another customer's token as its minter is refused.
		b2 := createCustomer(t, s, map[string]any{"name": "Beta"})
		forged, _, err := s.App.Access.IssueJWT(ctx, access.JWTInput{
			CustomerID: b2.ID, TTL: time.Hour, Scope: customertoken.ScopeAdmin, MintedBy: legacyOrSibling(t, s, a.ID),
		})
		if err != nil {
			t.Fatal(err)
		}
		if rs, cs := works(t, s, b2.ID, forged); rs != http.StatusUnauthorized || cs != http.StatusUnauthorized {
			t.Errorf("JWT whose minter is another customer's token: REST %d, Composer %d, want 401", rs, cs)
		}
	})
}

// legacyOrSibling is a live token of customer id.
func legacyOrSibling(t *testing.T, s *testenv.Server, id string) string {
	t.Helper()
	var out tokenSecretJSON
	mustDo(t, s, http.MethodPost, "/api/v1/customers/"+id+"/tokens", root, map[string]any{"name": "live"}, http.StatusCreated).JSON(t, &out)
	return out.Token.ID
}
