package cachestamp_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/cargoman/cargoman/ent"
	"github.com/cargoman/cargoman/ent/cachestamp"
	cs "github.com/cargoman/cargoman/internal/cachestamp"
	"github.com/cargoman/cargoman/internal/database"
	"github.com/cargoman/cargoman/internal/tenancy"
	"github.com/cargoman/cargoman/internal/testenv"
)

// row reads a tenant's stamp row; a missing row is the zero stamp.
func row(t *testing.T, c *ent.Client, tenantID string) cs.Stamp {
	t.Helper()
	r, err := c.CacheStamp.Query().Where(cachestamp.TenantID(tenantID)).Only(tenancy.WithSystem(context.Background()))
	if ent.IsNotFound(err) {
		return cs.Stamp{}
	}
	if err != nil {
		t.Fatal(err)
	}
	return cs.Stamp{Value: r.Value, AccessChangedAt: r.AccessChangedAt}
}

var errAbort = errors.New("abort")

func TestHook(t *testing.T) {
	testenv.ForEach(t, func(t *testing.T, b testenv.Backend) {
		s := testenv.StartServer(t, b)
		c := s.DB.Client // the app registered the hook on it
		ctx := tenancy.WithTenant(context.Background(), s.TenantID)
		cu := c.Customer.Create().SetName("Acme").SaveX(ctx)
		pkg := c.ComposerPackage.Create().SetName("acme/lib").SetType("artifact").SaveX(ctx)
		pkg2 := c.ComposerPackage.Create().SetName("acme/two").SetType("artifact").SaveX(ctx)
		tok := c.CustomerToken.Create().SetCustomerID(cu.ID).SetName("t").SetScope("download").
			SetSecretHash("h").SetPrefix("cgm_tok_x").SaveX(ctx)

		cases := []struct {
			name   string
			change func(ctx context.Context) error
			bumps  bool
			access bool
		}{
			{"new customer", func(ctx context.Context) error {
				return c.Customer.Create().SetName("Other").Exec(ctx)
			}, false, false},
			{"token used", func(ctx context.Context) error {
				return c.CustomerToken.UpdateOneID(tok.ID).SetLastUsedAt(time.Now()).Exec(ctx)
			}, false, false},
			{"package synced, metadata unchanged", func(ctx context.Context) error {
				return c.ComposerPackage.UpdateOneID(pkg.ID).SetSyncedAt(time.Now()).Exec(ctx)
			}, false, false},
			{"grant", func(ctx context.Context) error {
				return c.PackageGrant.Create().SetCustomerID(cu.ID).SetPackageID(pkg.ID).SetConstraint("^1.0").Exec(ctx)
			}, true, true},
			{"token revoked", func(ctx context.Context) error {
				return c.CustomerToken.UpdateOneID(tok.ID).SetRevokedAt(time.Now()).Exec(ctx)
			}, true, true},
			{"customer suspended", func(ctx context.Context) error {
				return c.Customer.UpdateOneID(cu.ID).SetStatus("suspended").Exec(ctx)
			}, true, true},
			{"metadata rendered", func(ctx context.Context) error {
				return c.ComposerPackage.UpdateOneID(pkg.ID).SetMetadataUpdatedAt(time.Now()).Exec(ctx)
			}, true, false},
			{"rolled back grant", func(ctx context.Context) error {
				err := database.InTx(ctx, c, func(tc *ent.Client) error {
					if err := tc.PackageGrant.Create().SetCustomerID(cu.ID).SetPackageID(pkg2.ID).SetConstraint("^2.0").Exec(ctx); err != nil {
						return err
					}
					return errAbort
				})
				if !errors.Is(err, errAbort) {
					t.Fatalf("the transaction: %v", err)
				}
				return nil
			}, false, false},
			{"grant in a transaction", func(ctx context.Context) error {
				return database.InTx(ctx, c, func(tc *ent.Client) error {
					return tc.PackageGrant.Create().SetCustomerID(cu.ID).SetPackageID(pkg2.ID).SetConstraint("^3.0").Exec(ctx)
				})
			}, true, true},
		}
		for _, tc := range cases {
			before := row(t, c, s.TenantID)
			if err := tc.change(ctx); err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			after := row(t, c, s.TenantID)
			if bumped := after.Value > before.Value; bumped != tc.bumps {
				t.Errorf("%s: value %d -> %d, want a bump: %v", tc.name, before.Value, after.Value, tc.bumps)
			}
			if moved := after.AccessChangedAt.After(before.AccessChangedAt); moved != tc.access {
				t.Errorf("%s: access_changed_at %v -> %v, want it moved: %v", tc.name, before.AccessChangedAt, after.AccessChangedAt, tc.access)
			}
		}

		// Changes outside a tenant's context count for every tenant.
		stamps := cs.New(c)
		if err := stamps.Refresh(ctx); err != nil {
			t.Fatal(err)
		}
		was := stamps.Of(s.TenantID)
		if was.Value != row(t, c, s.TenantID).Value {
			t.Fatalf("Of = %+v, row %+v", was, row(t, c, s.TenantID))
		}
		if err := c.ComposerPackage.UpdateOneID(pkg.ID).SetMetadataUpdatedAt(time.Now()).Exec(tenancy.WithSystem(ctx)); err != nil {
			t.Fatal(err)
		}
		if stamps.Of(s.TenantID) != was {
			t.Fatal("the stamp moved before a refresh")
		}
		if err := stamps.Refresh(ctx); err != nil {
			t.Fatal(err)
		}
		if now := stamps.Of(s.TenantID); now.Value != was.Value+1 || row(t, c, "").Value != 1 {
			t.Fatalf("after a system change: %+v (was %+v), global row %+v", now, was, row(t, c, ""))
		}
		if other := stamps.Of("ten_other"); other.Value != 1 {
			t.Fatalf("another tenant: %+v", other)
		}
	})
}
