package access_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/cargoman/cargoman/ent"
	"github.com/cargoman/cargoman/ent/customertoken"
	"github.com/cargoman/cargoman/internal/access"
	"github.com/cargoman/cargoman/internal/apperr"
	"github.com/cargoman/cargoman/internal/auth"
	"github.com/cargoman/cargoman/internal/database"
	"github.com/cargoman/cargoman/internal/secret"
	"github.com/cargoman/cargoman/internal/semver"
	"github.com/cargoman/cargoman/internal/tenancy"
	"github.com/cargoman/cargoman/internal/testenv"
)

type fixture struct {
	s   *testenv.Server
	svc *access.Service
	ctx context.Context
	c   *ent.Customer
}

func setup(t *testing.T, b testenv.Backend, pkgs ...string) *fixture {
	t.Helper()
	s := testenv.StartServer(t, b, testenv.WithJWT())
	ctx := tenancy.WithTenant(context.Background(), s.TenantID)
	for _, n := range pkgs {
		if err := s.DB.Client.ComposerPackage.Create().SetName(n).SetType("artifact").Exec(ctx); err != nil {
			t.Fatal(err)
		}
	}
	c, err := s.DB.Client.Customer.Create().SetName("Acme").Save(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{s: s, svc: s.App.Access, ctx: ctx, c: c}
}

func ptr(s string) *string { return &s }

func norm(t *testing.T, v string) string {
	t.Helper()
	n, err := semver.Normalize(v)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// allowed lists which of versions the entitlement of pkg allows ("" when
// the package is not visible at all).
func (f *fixture) allowed(t *testing.T, cred *auth.Caller, pkg string, versions ...string) string {
	t.Helper()
	e, err := f.svc.Entitlement(f.ctx, cred, pkg)
	if err != nil {
		t.Fatal(err)
	}
	if e == nil {
		return ""
	}
	var out []string
	for _, v := range versions {
		if e.Allows(norm(t, v)) {
			out = append(out, v)
		}
	}
	return strings.Join(out, " ")
}

func (f *fixture) token(t *testing.T, scopes ...string) (*auth.Caller, string) {
	t.Helper()
	_, plain, err := f.svc.CreateToken(f.ctx, access.TokenInput{CustomerID: f.c.ID, Name: "t", Scope: customertoken.ScopeDownload, PackageScopes: scopes})
	if err != nil {
		t.Fatal(err)
	}
	cred, err := f.svc.Resolve(context.Background(), plain)
	if err != nil {
		t.Fatal(err)
	}
	return cred, plain
}

func TestEntitlements(t *testing.T) {
	testenv.ForEach(t, func(t *testing.T, b testenv.Backend) {
		f := setup(t, b, "acme/one", "acme/two", "acme/three", "other/lib")
		if _, err := f.svc.GrantPackage(f.ctx, f.c.ID, access.GrantInput{Package: "acme/one", Constraint: ptr("^1.0")}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.GrantPackage(f.ctx, f.c.ID, access.GrantInput{Package: "other/lib"}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.CreateCollection(f.ctx, access.CollectionInput{Slug: "suite", Name: "Suite", Packages: []string{"acme/one", "acme/two"}}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.GrantCollection(f.ctx, f.c.ID, "suite", ptr("^2.0")); err != nil {
			t.Fatal(err)
		}
		all, _ := f.token(t)
		scoped, _ := f.token(t, "acme/*")
		versions := []string{"1.5.0", "2.0.0", "2.1.0", "3.0.0", "dev-main"}

		es, err := f.svc.Entitlements(f.ctx, all)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, e := range es {
			names = append(names, e.Package.Name)
		}
		if strings.Join(names, " ") != "acme/one acme/two other/lib" || len(es[0].Ways) != 2 {
			t.Fatalf("entitlements %v", names)
		}
		for _, tc := range []struct {
			cred      *auth.Caller
			pkg, want string
		}{
			// Direct ^1.0 or the collection's ^2.0.
			{all, "acme/one", "1.5.0 2.0.0 2.1.0"},
			{all, "acme/two", "2.0.0 2.1.0"},
			{all, "acme/three", ""},
			{all, "other/lib", "1.5.0 2.0.0 2.1.0 3.0.0 dev-main"},
			{all, "ACME/One", "1.5.0 2.0.0 2.1.0"},
			{scoped, "other/lib", ""},
			{scoped, "acme/two", "2.0.0 2.1.0"},
		} {
			if got := f.allowed(t, tc.cred, tc.pkg, versions...); got != tc.want {
				t.Errorf("%s (scopes %v) allows %q, want %q", tc.pkg, tc.cred.PackageScopes, got, tc.want)
			}
		}
		if es, _ := f.svc.Entitlements(f.ctx, scoped); len(es) != 2 {
			t.Errorf("scoped token sees %d packages", len(es))
		}

		// Frozen: capped at the version; a dev branch allows only itself.
		if _, err := f.svc.Freeze(f.ctx, f.c.ID, []access.FreezeInput{{Package: "acme/one", Version: "2.0.0"}, {Package: "other/lib", Version: "dev-main"}}); err != nil {
			t.Fatal(err)
		}
		frozen, err := f.svc.Resolve(context.Background(), mustPlain(t, f))
		if err != nil {
			t.Fatal(err)
		}
		for pkg, want := range map[string]string{"acme/one": "1.5.0 2.0.0", "acme/two": "2.0.0 2.1.0", "other/lib": "dev-main"} {
			if got := f.allowed(t, frozen, pkg, versions...); got != want {
				t.Errorf("frozen: %s allows %q, want %q", pkg, got, want)
			}
		}
		e, _ := f.svc.Entitlement(f.ctx, frozen, "acme/one")
		if e.Freeze == nil || e.Freeze.Version != "2.0.0" {
			t.Errorf("freeze of acme/one: %+v", e.Freeze)
		}
		// Reactivated: the cap is gone.
		if _, err := f.svc.Reactivate(f.ctx, f.c.ID); err != nil {
			t.Fatal(err)
		}
		active, _ := f.svc.Resolve(context.Background(), mustPlain(t, f))
		if got := f.allowed(t, active, "acme/one", versions...); got != "1.5.0 2.0.0 2.1.0" {
			t.Errorf("after reactivation acme/one allows %q", got)
		}
		// Suspended: nothing resolves, nothing is entitled.
		if err := database.InTx(f.ctx, f.s.DB.Client, func(c *ent.Client) error {
			return c.Customer.UpdateOneID(f.c.ID).SetStatus("suspended").Exec(f.ctx)
		}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Resolve(context.Background(), mustPlain(t, f)); !isCode(err, apperr.Forbidden) {
			t.Errorf("suspended customer's token: %v", err)
		}
		active.Customer.Status = "suspended"
		if es, _ := f.svc.Entitlements(f.ctx, active); len(es) != 0 {
			t.Errorf("suspended customer is entitled to %d packages", len(es))
		}
	})
}

func mustPlain(t *testing.T, f *fixture) string {
	t.Helper()
	_, plain, err := f.svc.CreateToken(f.ctx, access.TokenInput{CustomerID: f.c.ID, Name: "t", Scope: customertoken.ScopeDownload})
	if err != nil {
		t.Fatal(err)
	}
	return plain
}

func isCode(err error, code apperr.Code) bool {
	e, ok := apperr.As(err)
	return ok && e.Code == code
}

func TestResolve(t *testing.T) {
	testenv.ForEach(t, func(t *testing.T, b testenv.Backend) {
		f := setup(t, b)
		bg := context.Background()
		_, plain, err := f.svc.CreateToken(f.ctx, access.TokenInput{CustomerID: f.c.ID, Name: "t", Scope: customertoken.ScopeWebhook})
		if err != nil {
			t.Fatal(err)
		}
		cred, err := f.svc.Resolve(bg, plain)
		if err != nil || cred.Customer.ID != f.c.ID || cred.Customer.TenantID != f.s.TenantID || cred.Can(auth.Download) || cred.Can(auth.Upload) || !cred.Reaches("any/thing") {
			t.Fatalf("webhook token: %+v %v", cred, err)
		}
		expiring, plainExp, err := f.svc.CreateToken(f.ctx, access.TokenInput{CustomerID: f.c.ID, Name: "e", Scope: customertoken.ScopeAdmin,
			ExpiresAt: timePtr(time.Now().Add(time.Hour))})
		if err != nil {
			t.Fatal(err)
		}
		sys := tenancy.WithSystem(bg)
		if err := database.InTx(sys, f.s.DB.Client, func(c *ent.Client) error {
			return c.CustomerToken.UpdateOneID(expiring.ID).SetExpiresAt(time.Now().Add(-time.Second)).Exec(sys)
		}); err != nil {
			t.Fatal(err)
		}
		jwt, _, err := f.svc.IssueJWT(f.ctx, access.JWTInput{CustomerID: f.c.ID, TTL: time.Hour, Scope: customertoken.ScopeDownload})
		if err != nil {
			t.Fatal(err)
		}
		if cred, err := f.svc.Resolve(bg, jwt); err != nil || cred.Claims == nil || !cred.Can(auth.Download) {
			t.Fatalf("JWT: %+v %v", cred, err)
		}
		for name, presented := range map[string]string{
			"empty":            "",
			"unknown token":    secret.CustomerPrefix + "0000000000000000000000000000000000000000",
			"admin token":      testenv.RootToken,
			"expired":          plainExp,
			"tampered JWT":     jwt[:len(jwt)-2] + "xx",
			"JWT-shaped noise": "eyJ.eyJ.x",
		} {
			if _, err := f.svc.Resolve(bg, presented); !isCode(err, apperr.Unauthorized) {
				t.Errorf("%s: %v", name, err)
			}
		}
		// The JWT names its tenant: the customer must be in it.
		other, err := f.s.DB.Client.Tenant.Create().SetSlug("other").SetName("Other").Save(sys)
		if err != nil {
			t.Fatal(err)
		}
		octx := tenancy.WithTenant(bg, other.ID)
		oc, err := f.s.DB.Client.Customer.Create().SetName("O").Save(octx)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := f.svc.IssueJWT(f.ctx, access.JWTInput{CustomerID: oc.ID, TTL: time.Hour, Scope: customertoken.ScopeDownload}); !isCode(err, apperr.NotFound) {
			t.Errorf("JWT for another tenant's customer: %v", err)
		}
	})
}

func timePtr(t time.Time) *time.Time { return &t }
