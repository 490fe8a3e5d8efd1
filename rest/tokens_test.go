package rest_test

import (
	"context"
	"encoding/json"
	"net/http"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/cargoman/cargoman/ent/customertoken"
	"github.com/cargoman/cargoman/internal/apperr"
	"github.com/cargoman/cargoman/internal/auth"
	"github.com/cargoman/cargoman/internal/secret"
	"github.com/cargoman/cargoman/internal/tenancy"
	"github.com/cargoman/cargoman/internal/testenv"
)

type tokenJSON struct {
	ID            string   `json:"id"`
	Name          string   `json:"name"`
	Scope         string   `json:"scope"`
	PackageScopes []string `json:"package_scopes"`
	Prefix        string   `json:"prefix"`
	ExpiresAt     *string  `json:"expires_at"`
	LastUsedAt    *string  `json:"last_used_at"`
	RevokedAt     *string  `json:"revoked_at"`
	Legacy        bool     `json:"legacy"`
	MintedBy      *string  `json:"minted_by"`
	CreatedAt     string   `json:"created_at"`
	UpdatedAt     string   `json:"updated_at"`
}

type composerAuthJSON struct {
	Username              string `json:"username"`
	Password              string `json:"password"`
	RepositoryURL         string `json:"repository_url"`
	ComposerConfigCommand string `json:"composer_config_command"`
}

type tokenSecretJSON struct {
	Token        tokenJSON        `json:"token"`
	PlainToken   string           `json:"plain_token"`
	ComposerAuth composerAuthJSON `json:"composer_auth"`
}

// keys returns the sorted keys of a JSON object.
func keys(t *testing.T, raw []byte) []string {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("decode %s: %v", raw, err)
	}
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// checkSecret checks the spec's shape of a response carrying a new secret.
func checkSecret(t *testing.T, s *testenv.Server, resp *testenv.Response, status int) tokenSecretJSON {
	t.Helper()
	if resp.Status != status {
		t.Fatalf("status %d, want %d: %s", resp.Status, status, resp.Body)
	}
	if got := keys(t, resp.Body); !reflect.DeepEqual(got, []string{"composer_auth", "plain_token", "token"}) {
		t.Fatalf("top-level keys %v: %s", got, resp.Body)
	}
	var raw struct {
		Token        json.RawMessage `json:"token"`
		ComposerAuth json.RawMessage `json:"composer_auth"`
	}
	resp.JSON(t, &raw)
	want := []string{"created_at", "expires_at", "id", "last_used_at", "legacy", "minted_by", "name", "package_scopes", "prefix", "revoked_at", "scope", "updated_at"}
	if got := keys(t, raw.Token); !reflect.DeepEqual(got, want) {
		t.Fatalf("token keys %v, want %v", got, want)
	}
	if got := keys(t, raw.ComposerAuth); !reflect.DeepEqual(got, []string{"auth_json", "composer_config_command", "password", "repository_url", "username"}) {
		t.Fatalf("composer_auth keys %v", got)
	}
	var out tokenSecretJSON
	resp.JSON(t, &out)
	host := strings.TrimPrefix(s.URL, "http://")
	if !strings.HasPrefix(out.Token.ID, "tok_") || !strings.HasPrefix(out.PlainToken, secret.CustomerPrefix) ||
		out.Token.Prefix != secret.Visible(out.PlainToken) ||
		out.ComposerAuth != (composerAuthJSON{Username: "token", Password: out.PlainToken, RepositoryURL: s.URL,
			ComposerConfigCommand: "composer config --auth http-basic." + host + " token " + out.PlainToken}) {
		t.Fatalf("secret response %+v", out)
	}
	var authJSON struct {
		AuthJSON json.RawMessage `json:"auth_json"`
	}
	if err := json.Unmarshal(raw.ComposerAuth, &authJSON); err != nil {
		t.Fatal(err)
	}
	if want := `{"http-basic":{"` + host + `":{"password":"` + out.PlainToken + `","username":"token"}}}`; string(authJSON.AuthJSON) != want {
		t.Fatalf("auth_json %s, want %s", authJSON.AuthJSON, want)
	}
	return out
}

// storedHashes returns the secret hashes of a customer's tokens.
func storedHashes(t *testing.T, s *testenv.Server, customerID string) []string {
	t.Helper()
	hashes, err := s.DB.Client.CustomerToken.Query().
		Where(customertoken.CustomerID(customerID)).
		Select(customertoken.FieldSecretHash).
		Strings(tenancy.WithSystem(context.Background()))
	if err != nil {
		t.Fatal(err)
	}
	return hashes
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func TestCustomerTokens(t *testing.T) {
	testenv.ForEach(t, func(t *testing.T, b testenv.Backend) {
		s := testenv.StartServer(t, b)
		ctx := context.Background()
		a := createCustomer(t, s, map[string]any{"name": "Acme"})
		other := createCustomer(t, s, map[string]any{"name": "Other"})
		base := "/api/v1/customers/" + a.ID

		expires := time.Now().Add(48 * time.Hour).UTC().Truncate(time.Second).Format(time.RFC3339)
		created := checkSecret(t, s, s.Do(t, http.MethodPost, base+"/tokens", root, map[string]any{
			"name": "CI Deploy Token", "scope": "download", "package_scopes": []string{"vendor/*"}, "expires_at": expires,
		}), http.StatusCreated)
		tok := created.Token
		if tok.Name != "CI Deploy Token" || tok.Scope != "download" || !reflect.DeepEqual(tok.PackageScopes, []string{"vendor/*"}) ||
			tok.ExpiresAt == nil || *tok.ExpiresAt != expires || tok.CreatedAt == "" || tok.Legacy || tok.RevokedAt != nil {
			t.Fatalf("created token %+v", tok)
		}
		// Only the hash is stored.
		if hashes := storedHashes(t, s, a.ID); len(hashes) != 1 || hashes[0] != secret.Hash(created.PlainToken) {
			t.Fatalf("stored hashes %v", hashes)
		}
		if _, err := s.App.Access.Resolve(ctx, created.PlainToken); err != nil {
			t.Fatalf("new token does not resolve: %v", err)
		}

		def := checkSecret(t, s, s.Do(t, http.MethodPost, base+"/tokens", root, map[string]any{"name": "Default"}), http.StatusCreated).Token
		if def.Scope != "admin" || def.PackageScopes == nil || len(def.PackageScopes) != 0 || def.ExpiresAt != nil {
			t.Fatalf("defaults %+v", def)
		}

		// List (oldest first, paged) and get one.
		resp := s.Do(t, http.MethodGet, base+"/tokens", root, nil)
		var list []tokenJSON
		resp.JSON(t, &list)
		if resp.Status != 200 || len(list) != 2 || list[0].ID != tok.ID || list[1].ID != def.ID || resp.Header.Get("X-Pagination-Count") != "2" {
			t.Fatalf("list: %d %s", resp.Status, resp.Body)
		}
		resp = s.Do(t, http.MethodGet, base+"/tokens?page=2&per_page=1", root, nil)
		resp.JSON(t, &list)
		if len(list) != 1 || list[0].ID != def.ID || resp.Header.Get("X-Pagination-PageTotal") != "2" || !strings.Contains(resp.Header.Get("Link"), `rel="prev"`) {
			t.Fatalf("page 2: %s %v", resp.Body, resp.Header)
		}
		var got tokenJSON
		resp = s.Do(t, http.MethodGet, base+"/tokens/"+tok.ID, root, nil)
		resp.JSON(t, &got)
		if resp.Status != 200 || got.ID != tok.ID || got.Name != tok.Name || got.Prefix != tok.Prefix {
			t.Fatalf("get: %d %s", resp.Status, resp.Body)
		}

		// Rotate: same settings, new secret, the old one is gone at once.
		rotated := checkSecret(t, s, s.Do(t, http.MethodPost, base+"/tokens/"+tok.ID+"/rotate", root, nil), http.StatusOK)
		r := rotated.Token
		if r.ID != tok.ID || r.Name != tok.Name || r.Scope != tok.Scope || !reflect.DeepEqual(r.PackageScopes, tok.PackageScopes) ||
			*r.ExpiresAt != *tok.ExpiresAt || r.CreatedAt != tok.CreatedAt || rotated.PlainToken == created.PlainToken {
			t.Fatalf("rotated %+v, was %+v", rotated, created)
		}
		hashes := storedHashes(t, s, a.ID)
		if contains(hashes, secret.Hash(created.PlainToken)) || !contains(hashes, secret.Hash(rotated.PlainToken)) {
			t.Fatalf("after rotation the stored hashes are %v", hashes)
		}
		if _, err := s.App.Access.Resolve(ctx, created.PlainToken); err == nil {
			t.Fatal("the old secret still resolves")
		}
		cred, err := s.App.Access.Resolve(ctx, rotated.PlainToken)
		if err != nil || cred.Token.ID != tok.ID || cred.Customer.ID != a.ID || cred.Scope != "download" || !cred.Reaches("vendor/x") || cred.Reaches("other/x") {
			t.Fatalf("rotated secret resolves to %+v, %v", cred, err)
		}

		// Revoke: 204, listed with revoked_at, stops working; twice is fine.
		for range 2 {
			if resp := s.Do(t, http.MethodDelete, base+"/tokens/"+tok.ID, root, nil); resp.Status != http.StatusNoContent || len(resp.Body) != 0 {
				t.Fatalf("revoke: %d %s", resp.Status, resp.Body)
			}
		}
		s.Do(t, http.MethodGet, base+"/tokens/"+tok.ID, root, nil).JSON(t, &got)
		if got.RevokedAt == nil {
			t.Fatalf("revoked token %+v", got)
		}
		if _, err := s.App.Access.Resolve(ctx, rotated.PlainToken); err == nil {
			t.Fatal("a revoked token resolves")
		}
		var e errorJSON
		resp = s.Do(t, http.MethodPost, base+"/tokens/"+tok.ID+"/rotate", root, nil)
		resp.JSON(t, &e)
		if resp.Status != 400 || e.Error.Code != "VALIDATION_ERROR" {
			t.Fatalf("rotate revoked: %d %s", resp.Status, resp.Body)
		}

		// Another customer's id in the path does not reach the token.
		for _, rt := range []struct{ method, path string }{
			{"GET", "/api/v1/customers/" + other.ID + "/tokens/" + def.ID},
			{"DELETE", "/api/v1/customers/" + other.ID + "/tokens/" + def.ID},
			{"POST", "/api/v1/customers/" + other.ID + "/tokens/" + def.ID + "/rotate"},
		} {
			resp := s.Do(t, rt.method, rt.path, root, nil)
			resp.JSON(t, &e)
			if resp.Status != 404 || e.Error.Code != "NOT_FOUND" {
				t.Fatalf("%s %s: %d %s", rt.method, rt.path, resp.Status, resp.Body)
			}
		}
		if _, err := s.App.Access.Resolve(ctx, "cgm_tok_unknown"); err == nil {
			t.Fatal("unknown token resolves")
		}
		if _, err := s.App.Access.Resolve(ctx, testenv.RootToken); err == nil {
			t.Fatal("root token resolves as a customer token")
		}
		// Customer tokens are no admin credentials.
		if resp := s.Do(t, http.MethodGet, "/api/v1/customers", created.PlainToken, nil); resp.Status != http.StatusUnauthorized {
			t.Fatalf("customer token on the admin API: %d", resp.Status)
		}
	})
}

func TestLegacyToken(t *testing.T) {
	testenv.ForEach(t, func(t *testing.T, b testenv.Backend) {
		s := testenv.StartServer(t, b)
		ctx := context.Background()
		a := createCustomer(t, s, map[string]any{"name": "Acme"})
		base := "/api/v1/customers/" + a.ID
		checkSecret(t, s, s.Do(t, http.MethodPost, base+"/tokens", root, map[string]any{"name": "Scoped"}), http.StatusCreated)

		var e errorJSON
		resp := s.Do(t, http.MethodDelete, base+"/token", root, nil)
		resp.JSON(t, &e)
		if resp.Status != 404 || e.Error.Code != "NOT_FOUND" {
			t.Fatalf("delete without a legacy token: %d %s", resp.Status, resp.Body)
		}

		first := checkSecret(t, s, s.Do(t, http.MethodPost, base+"/token/regenerate", root, nil), http.StatusCreated)
		if !first.Token.Legacy || first.Token.Scope != "admin" || first.Token.Name != "Legacy token" || len(first.Token.PackageScopes) != 0 || first.Token.ExpiresAt != nil {
			t.Fatalf("legacy token %+v", first.Token)
		}
		second := checkSecret(t, s, s.Do(t, http.MethodPost, base+"/token/regenerate", root, nil), http.StatusCreated)
		if second.Token.ID == first.Token.ID || second.PlainToken == first.PlainToken {
			t.Fatal("regenerate did not replace the token")
		}
		if _, err := s.App.Access.Resolve(ctx, first.PlainToken); err == nil {
			t.Fatal("the replaced legacy token still resolves")
		}
		if cred, err := s.App.Access.Resolve(ctx, second.PlainToken); err != nil || !cred.Can(auth.Download) || !cred.Can(auth.Upload) {
			t.Fatalf("legacy token: %+v %v", cred, err)
		}
		if resp := s.Do(t, http.MethodGet, base+"/tokens/"+first.Token.ID, root, nil); resp.Status != 404 {
			t.Fatalf("replaced legacy token still listed: %d", resp.Status)
		}
		var list []tokenJSON
		s.Do(t, http.MethodGet, base+"/tokens", root, nil).JSON(t, &list)
		legacy := 0
		for _, tk := range list {
			if tk.Legacy {
				legacy++
			}
		}
		if len(list) != 2 || legacy != 1 {
			t.Fatalf("tokens after two regenerations: %+v", list)
		}

		if resp := s.Do(t, http.MethodDelete, base+"/token", root, nil); resp.Status != http.StatusNoContent {
			t.Fatalf("delete legacy: %d %s", resp.Status, resp.Body)
		}
		if _, err := s.App.Access.Resolve(ctx, second.PlainToken); err == nil {
			t.Fatal("deleted legacy token resolves")
		}
		if resp := s.Do(t, http.MethodDelete, base+"/token", root, nil); resp.Status != 404 {
			t.Fatalf("second delete: %d", resp.Status)
		}
		for _, path := range []string{"/api/v1/customers/cus_unknown/token/regenerate"} {
			if resp := s.Do(t, http.MethodPost, path, root, nil); resp.Status != 404 {
				t.Fatalf("%s: %d", path, resp.Status)
			}
		}
		// Deleting the customer deletes its tokens.
		s.Do(t, http.MethodDelete, base, root, nil)
		if hashes := storedHashes(t, s, a.ID); len(hashes) != 0 {
			t.Fatalf("tokens of a deleted customer: %v", hashes)
		}
	})
}

func TestCustomerTokenBadInput(t *testing.T) {
	testenv.ForEach(t, func(t *testing.T, b testenv.Backend) {
		s := testenv.StartServer(t, b)
		a := createCustomer(t, s, map[string]any{"name": "Acme"})
		other := createCustomer(t, s, map[string]any{"name": "Other"})
		base := "/api/v1/customers/" + a.ID
		otherTok := checkSecret(t, s, s.Do(t, http.MethodPost, "/api/v1/customers/"+other.ID+"/tokens", root, map[string]any{"name": "O"}), http.StatusCreated).Token
		past := time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)
		for _, tc := range []struct {
			name, method, path string
			body               any
			status             int
			code, field        string
		}{
			{"invalid scope", "POST", base + "/tokens", map[string]any{"name": "T", "scope": "superuser"}, 400, "VALIDATION_ERROR", "scope"},
			{"invalid glob", "POST", base + "/tokens", map[string]any{"name": "T", "package_scopes": []string{"Vendor/*"}}, 400, "VALIDATION_ERROR", "package_scopes"},
			{"glob without vendor", "POST", base + "/tokens", map[string]any{"name": "T", "package_scopes": []string{"*"}}, 400, "VALIDATION_ERROR", "package_scopes"},
			{"glob with brackets", "POST", base + "/tokens", map[string]any{"name": "T", "package_scopes": []string{"vendor/[ab]"}}, 400, "VALIDATION_ERROR", "package_scopes"},
			{"past expires_at", "POST", base + "/tokens", map[string]any{"name": "T", "expires_at": past}, 400, "VALIDATION_ERROR", "expires_at"},
			{"malformed expires_at", "POST", base + "/tokens", map[string]any{"name": "T", "expires_at": "tomorrow"}, 400, "VALIDATION_ERROR", "expires_at"},
			{"missing name", "POST", base + "/tokens", map[string]any{"scope": "download"}, 400, "VALIDATION_ERROR", "name"},
			{"empty name", "POST", base + "/tokens", map[string]any{"name": " "}, 400, "VALIDATION_ERROR", "name"},
			{"unknown field", "POST", base + "/tokens", map[string]any{"name": "T", "colour": "red"}, 400, "VALIDATION_ERROR", "colour"},
			{"unknown customer", "POST", "/api/v1/customers/cus_unknown/tokens", map[string]any{"name": "T"}, 404, "NOT_FOUND", ""},
			{"list of unknown customer", "GET", "/api/v1/customers/cus_unknown/tokens", nil, 404, "NOT_FOUND", ""},
			{"unknown token", "GET", base + "/tokens/tok_unknown", nil, 404, "NOT_FOUND", ""},
			{"revoke unknown token", "DELETE", base + "/tokens/tok_unknown", nil, 404, "NOT_FOUND", ""},
			{"rotate unknown token", "POST", base + "/tokens/tok_unknown/rotate", nil, 404, "NOT_FOUND", ""},
			{"another customer's token", "GET", base + "/tokens/" + otherTok.ID, nil, 404, "NOT_FOUND", ""},
			{"revoke another customer's token", "DELETE", base + "/tokens/" + otherTok.ID, nil, 404, "NOT_FOUND", ""},
			{"rotate another customer's token", "POST", base + "/tokens/" + otherTok.ID + "/rotate", nil, 404, "NOT_FOUND", ""},
			{"delete legacy of unknown customer", "DELETE", "/api/v1/customers/cus_unknown/token", nil, 404, "NOT_FOUND", ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				resp := s.Do(t, tc.method, tc.path, root, tc.body)
				var e errorJSON
				resp.JSON(t, &e)
				if resp.Status != tc.status || e.Error.Code != tc.code || e.Error.Field != tc.field || e.Error.Message == "" {
					t.Fatalf("got %d %s, want %d %s field %q", resp.Status, resp.Body, tc.status, tc.code, tc.field)
				}
				if strings.Contains(e.Error.Message, "ent:") || strings.Contains(strings.ToLower(e.Error.Message), "sql") {
					t.Errorf("message leaks internals: %q", e.Error.Message)
				}
			})
		}
		if hashes := storedHashes(t, s, a.ID); len(hashes) != 0 {
			t.Fatalf("rejected requests stored %d tokens", len(hashes))
		}
		var tk tokenJSON
		s.Do(t, http.MethodGet, "/api/v1/customers/"+other.ID+"/tokens/"+otherTok.ID, root, nil).JSON(t, &tk)
		if tk.RevokedAt != nil {
			t.Fatal("another customer's token was revoked")
		}
	})
}

type jwtJSON struct {
	Token        string           `json:"token"`
	ExpiresAt    string           `json:"expires_at"`
	ComposerAuth composerAuthJSON `json:"composer_auth"`
}

func TestCustomerJWT(t *testing.T) {
	testenv.ForEach(t, func(t *testing.T, b testenv.Backend) {
		ctx := context.Background()
		// Without JWT_SECRET the feature is not available.
		plain := testenv.StartServer(t, b)
		a := createCustomer(t, plain, map[string]any{"name": "Acme"})
		resp := plain.Do(t, http.MethodPost, "/api/v1/customers/"+a.ID+"/jwt", root, nil)
		var e errorJSON
		resp.JSON(t, &e)
		if resp.Status != http.StatusForbidden || e.Error.Code != "FEATURE_NOT_AVAILABLE" || e.Error.Message != "JWT_SECRET is not configured" {
			t.Fatalf("without JWT_SECRET: %d %s", resp.Status, resp.Body)
		}

		s := testenv.StartServer(t, b, testenv.WithJWT())
		a = createCustomer(t, s, map[string]any{"name": "Acme"})
		path := "/api/v1/customers/" + a.ID + "/jwt"
		before := time.Now()
		resp = s.Do(t, http.MethodPost, path, root, nil)
		if resp.Status != http.StatusOK {
			t.Fatalf("issue: %d %s", resp.Status, resp.Body)
		}
		if got := keys(t, resp.Body); !reflect.DeepEqual(got, []string{"composer_auth", "expires_at", "token"}) {
			t.Fatalf("keys %v", got)
		}
		var j jwtJSON
		resp.JSON(t, &j)
		exp, err := time.Parse(time.RFC3339, j.ExpiresAt)
		if err != nil || exp.Before(before.Add(time.Hour-2*time.Second)) || exp.After(time.Now().Add(time.Hour+time.Second)) {
			t.Fatalf("default expiry %s", j.ExpiresAt)
		}
		if j.ComposerAuth != (composerAuthJSON{Username: "token", Password: j.Token, RepositoryURL: s.URL,
			ComposerConfigCommand: "composer config --auth http-basic." + strings.TrimPrefix(s.URL, "http://") + " token " + j.Token}) {
			t.Fatalf("composer_auth %+v", j.ComposerAuth)
		}
		cred, err := s.App.Access.Resolve(ctx, j.Token)
		if err != nil || cred.Customer.ID != a.ID || cred.Scope != "download" || len(cred.PackageScopes) != 0 || cred.Claims == nil ||
			cred.Claims.TenantID != s.TenantID || !cred.Can(auth.Download) || cred.Can(auth.Upload) {
			t.Fatalf("resolved %+v %v", cred, err)
		}

		resp = s.Do(t, http.MethodPost, path, root, map[string]any{"ttl_seconds": 120, "scope": "developer", "package_scopes": []string{"acme/*"}})
		resp.JSON(t, &j)
		exp, _ = time.Parse(time.RFC3339, j.ExpiresAt)
		if resp.Status != 200 || exp.After(time.Now().Add(121*time.Second)) {
			t.Fatalf("ttl 120: %d %s", resp.Status, resp.Body)
		}
		cred, err = s.App.Access.Resolve(ctx, j.Token)
		if err != nil || cred.Scope != "developer" || !reflect.DeepEqual(cred.PackageScopes, []string{"acme/*"}) || !cred.Reaches("acme/x") || cred.Reaches("beta/x") {
			t.Fatalf("resolved %+v %v", cred, err)
		}

		// Suspension makes the customer's JWTs stop working at once;
		// reactivation restores them, as it does static tokens.
		s.Do(t, http.MethodPost, "/api/v1/customers/"+a.ID+"/suspend", root, map[string]any{"reason": "Payment failed"})
		_, err = s.App.Access.Resolve(ctx, j.Token)
		if ae, ok := apperr.As(err); !ok || ae.Code != apperr.Forbidden || !strings.Contains(ae.Message, "Payment failed") {
			t.Fatalf("JWT of a suspended customer: %v", err)
		}
		s.Do(t, http.MethodPost, "/api/v1/customers/"+a.ID+"/reactivate", root, nil)
		if _, err := s.App.Access.Resolve(ctx, j.Token); err != nil {
			t.Fatalf("after reactivation: %v", err)
		}
		// A deleted customer's JWTs are invalid.
		s.Do(t, http.MethodDelete, "/api/v1/customers/"+a.ID, root, nil)
		if _, err := s.App.Access.Resolve(ctx, j.Token); err == nil {
			t.Fatal("JWT of a deleted customer resolves")
		}
		// The server without JWT_SECRET does not accept it either.
		if _, err := plain.App.Access.Resolve(ctx, j.Token); err == nil {
			t.Fatal("JWT resolves without JWT_SECRET")
		}

		c := createCustomer(t, s, map[string]any{"name": "C"})
		path = "/api/v1/customers/" + c.ID + "/jwt"
		for _, tc := range []struct {
			name   string
			path   string
			body   any
			status int
			code   string
			field  string
		}{
			{"ttl too short", path, map[string]any{"ttl_seconds": 30}, 400, "VALIDATION_ERROR", "ttl_seconds"},
			{"ttl too long", path, map[string]any{"ttl_seconds": 30*24*3600 + 1}, 400, "VALIDATION_ERROR", "ttl_seconds"},
			{"ttl not a number", path, map[string]any{"ttl_seconds": "1h"}, 400, "VALIDATION_ERROR", "ttl_seconds"},
			{"bad scope", path, map[string]any{"scope": "root"}, 400, "VALIDATION_ERROR", "scope"},
			{"bad glob", path, map[string]any{"package_scopes": []string{"a/b/c"}}, 400, "VALIDATION_ERROR", "package_scopes"},
			{"unknown customer", "/api/v1/customers/cus_unknown/jwt", nil, 404, "NOT_FOUND", ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				resp := s.Do(t, http.MethodPost, tc.path, root, tc.body)
				var e errorJSON
				resp.JSON(t, &e)
				if resp.Status != tc.status || e.Error.Code != tc.code || e.Error.Field != tc.field {
					t.Fatalf("got %d %s", resp.Status, resp.Body)
				}
			})
		}
		resp = s.Do(t, http.MethodPost, path, root, map[string]any{"ttl_seconds": 30 * 24 * 3600})
		if resp.Status != 200 {
			t.Fatalf("ttl of 30 days: %d %s", resp.Status, resp.Body)
		}
	})
}
