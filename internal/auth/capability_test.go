package auth_test

import (
	"strings"
	"testing"

	"github.com/cargoman/cargoman/ent"
	"github.com/cargoman/cargoman/ent/customertoken"
	"github.com/cargoman/cargoman/internal/apperr"
	"github.com/cargoman/cargoman/internal/auth"
)

func TestScopeCapabilities(t *testing.T) {
	caps := []auth.Capability{auth.Download, auth.Upload, auth.ManageSelf, auth.Webhook}
	for _, tc := range []struct {
		scope customertoken.Scope
		want  []auth.Capability
	}{
		{customertoken.ScopeAdmin, []auth.Capability{auth.Download, auth.Upload, auth.ManageSelf}},
		{customertoken.ScopeDeveloper, []auth.Capability{auth.Download, auth.Upload}},
		{customertoken.ScopeDownload, []auth.Capability{auth.Download}},
		{customertoken.ScopeWebhook, []auth.Capability{auth.Webhook}},
		{customertoken.Scope("nonsense"), nil},
	} {
		t.Run(string(tc.scope), func(t *testing.T) {
			c := &auth.Caller{Kind: auth.KindCustomer, Customer: &ent.Customer{ID: "cus_1"}, Scope: tc.scope}
			for _, cp := range caps {
				want := false
				for _, w := range tc.want {
					want = want || w == cp
				}
				if got := c.Can(cp); got != want {
					t.Errorf("Can(%s) = %v, want %v", cp, got, want)
				}
				err := c.Require(cp)
				if want != (err == nil) {
					t.Errorf("Require(%s) = %v", cp, err)
				}
				if e, ok := apperr.As(err); err != nil && (!ok || e.Code != apperr.Forbidden || !strings.Contains(e.Message, "that needs scope")) {
					t.Errorf("Require(%s): %v, want FORBIDDEN naming the scopes", cp, err)
				}
			}
		})
	}
	t.Run("every scope is in the table", func(t *testing.T) {
		for _, s := range []customertoken.Scope{customertoken.ScopeAdmin, customertoken.ScopeDeveloper, customertoken.ScopeDownload, customertoken.ScopeWebhook} {
			if customertoken.ScopeValidator(s) != nil {
				t.Errorf("%s is not a token scope", s)
			}
			found := false
			for _, cp := range caps {
				found = found || auth.ScopeAllows(s, cp)
			}
			if !found {
				t.Errorf("scope %s has no capability", s)
			}
		}
	})
	t.Run("API tokens have no customer capability", func(t *testing.T) {
		for _, c := range []*auth.Caller{nil, {Kind: auth.KindRoot, Role: auth.RoleOwner}, {Kind: auth.KindAdminToken, Role: auth.RoleAdmin}} {
			for _, cp := range caps {
				if c.Can(cp) {
					t.Errorf("%+v can %s", c, cp)
				}
			}
		}
	})
	t.Run("needed scopes", func(t *testing.T) {
		got := auth.ScopesWith(auth.Upload)
		if len(got) != 2 || got[0] != customertoken.ScopeDeveloper || got[1] != customertoken.ScopeAdmin {
			t.Fatalf("ScopesWith(Upload) = %v", got)
		}
	})
}
