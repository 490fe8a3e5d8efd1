package auth_test

import (
	"strings"
	"testing"
	"time"

	"github.com/cargoman/cargoman/ent"
	"github.com/cargoman/cargoman/internal/auth"
)

func TestCallerBounds(t *testing.T) {
	now := time.Now()
	soon, later := now.Add(time.Hour), now.Add(48*time.Hour)
	customer := func(scopes []string, expires *time.Time) *auth.Caller {
		return &auth.Caller{Kind: auth.KindCustomer, Customer: &ent.Customer{ID: "cus_1"}, Scope: "admin", PackageScopes: scopes,
			Token: &ent.CustomerToken{ID: "tok_1", ExpiresAt: expires}}
	}
	api := &auth.Caller{Kind: auth.KindAdminToken, Role: auth.RoleAdmin}
	scoped, expiring := customer([]string{"acme/*"}, nil), customer(nil, &soon)

	t.Run("narrow scopes", func(t *testing.T) {
		for _, tc := range []struct {
			name      string
			c         *auth.Caller
			requested []string
			want      string
			refused   bool
		}{
			{name: "API token asks anything", c: api, requested: []string{"*"}, want: "*"},
			{name: "anonymous", c: nil, requested: []string{"x/*"}, want: "x/*"},
			{name: "unscoped customer", c: expiring, requested: nil, want: ""},
			{name: "scoped customer inherits", c: scoped, requested: nil, want: "acme/*"},
			{name: "scoped customer, own scope", c: scoped, requested: []string{"acme/*"}, want: "acme/*"},
			{name: "scoped customer, a package within", c: scoped, requested: []string{"acme/lib"}, want: "acme/lib"},
			{name: "scoped customer, broader", c: scoped, requested: []string{"*"}, refused: true},
			{name: "scoped customer, another vendor", c: scoped, requested: []string{"other/lib"}, refused: true},
			{name: "scoped customer, narrower wildcard", c: scoped, requested: []string{"acme/lib*"}, refused: true},
		} {
			t.Run(tc.name, func(t *testing.T) {
				got, err := tc.c.NarrowScopes(tc.requested)
				if tc.refused != (err != nil) || (!tc.refused && join(got) != tc.want) {
					t.Fatalf("%v, %v", got, err)
				}
			})
		}
	})
	t.Run("manage", func(t *testing.T) {
		if api.MayManageScopes(nil) != nil || api.MayManageExpiry(nil) != nil {
			t.Error("API token refused")
		}
		if scoped.MayManageScopes(nil) == nil || scoped.MayManageScopes([]string{"other/*"}) == nil || scoped.MayManageScopes([]string{"acme/lib"}) != nil {
			t.Error("scoped customer's management of scopes")
		}
		if expiring.MayManageExpiry(nil) == nil || expiring.MayManageExpiry(&later) == nil || expiring.MayManageExpiry(&now) != nil {
			t.Error("expiring customer's management of expiry")
		}
	})
	t.Run("cap expiry", func(t *testing.T) {
		if got := expiring.CapExpiry(nil); got == nil || !got.Equal(soon) {
			t.Errorf("no expiry became %v", got)
		}
		if got := expiring.CapExpiry(&later); !got.Equal(soon) {
			t.Errorf("later expiry became %v", got)
		}
		if got := api.CapExpiry(nil); got != nil {
			t.Errorf("API token's expiry capped at %v", got)
		}
		if got := expiring.CapTTL(24*time.Hour, now); got != time.Hour {
			t.Errorf("TTL capped at %v", got)
		}
		// A JWT is bounded by the token that minted it too.
		jwt := &auth.Caller{Kind: auth.KindCustomer, Customer: &ent.Customer{ID: "cus_1"}, Minter: &ent.CustomerToken{ExpiresAt: &soon}}
		if got := jwt.CapTTL(24*time.Hour, now); got != time.Hour {
			t.Errorf("JWT's TTL capped at %v", got)
		}
	})
}

func join(s []string) string { return strings.Join(s, ",") }
