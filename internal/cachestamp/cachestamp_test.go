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

		// Each change runs in a transaction, as the hook requires; "raw"
		// ones run on the plain client.
		cases := []struct {
			name   string
			raw    bool
			change func(tc *ent.Client) error
			bumps  bool
			access bool
			fails  error
		}{
			{"new customer", false, func(tc *ent.Client) error {
				return tc.Customer.Create().SetName("Other").Exec(ctx)
			}, false, false, nil},
			{"token used, no transaction needed", true, func(tc *ent.Client) error {
				return tc.CustomerToken.UpdateOneID(tok.ID).SetLastUsedAt(time.Now()).Exec(ctx)
			}, false, false, nil},
			{"package synced, metadata unchanged", true, func(tc *ent.Client) error {
				return tc.ComposerPackage.UpdateOneID(pkg.ID).SetSyncedAt(time.Now()).Exec(ctx)
			}, false, false, nil},
			{"grant outside a transaction is refused", true, func(tc *ent.Client) error {
				return tc.PackageGrant.Create().SetCustomerID(cu.ID).SetPackageID(pkg.ID).SetConstraint("^1.0").Exec(ctx)
			}, false, false, cs.ErrNoTransaction},
			{"grant", false, func(tc *ent.Client) error {
				return tc.PackageGrant.Create().SetCustomerID(cu.ID).SetPackageID(pkg.ID).SetConstraint("^1.0").Exec(ctx)
			}, true, true, nil},
			{"token revoked", false, func(tc *ent.Client) error {
				return tc.CustomerToken.UpdateOneID(tok.ID).SetRevokedAt(time.Now()).Exec(ctx)
			}, true, true, nil},
			{"customer suspended", false, func(tc *ent.Client) error {
				return tc.Customer.UpdateOneID(cu.ID).SetStatus("suspended").Exec(ctx)
			}, true, true, nil},
			{"metadata rendered", false, func(tc *ent.Client) error {
				return tc.ComposerPackage.UpdateOneID(pkg.ID).SetMetadataUpdatedAt(time.Now()).Exec(ctx)
			}, true, false, nil},
			{"rolled back grant", false, func(tc *ent.Client) error {
				if err := tc.PackageGrant.Create().SetCustomerID(cu.ID).SetPackageID(pkg2.ID).SetConstraint("^2.0").Exec(ctx); err != nil {
					return err
				}
				return errAbort
			}, false, false, errAbort},
			{"grant in a transaction", false, func(tc *ent.Client) error {
				return tc.PackageGrant.Create().SetCustomerID(cu.ID).SetPackageID(pkg2.ID).SetConstraint("^3.0").Exec(ctx)
			}, true, true, nil},
		}
		for _, tc := range cases {
			before := row(t, c, s.TenantID)
			var err error
			if tc.raw {
				err = tc.change(c)
			} else {
				err = database.InTx(ctx, c, tc.change)
			}
			if !errors.Is(err, tc.fails) {
				t.Fatalf("%s: %v, want %v", tc.name, err, tc.fails)
			}
			after := row(t, c, s.TenantID)
			if bumped := after.Value > before.Value; bumped != tc.bumps {
				t.Errorf("%s: value %d -> %d, want a bump: %v", tc.name, before.Value, after.Value, tc.bumps)
			}
			if moved := after.AccessChangedAt.After(before.AccessChangedAt); moved != tc.access {
				t.Errorf("%s: access_changed_at %v -> %v, want it moved: %v", tc.name, before.AccessChangedAt, after.AccessChangedAt, tc.access)
			}
		}
		if n := c.PackageGrant.Query().CountX(ctx); n != 2 {
			t.Fatalf("%d grants stored, want the two made in committed transactions", n)
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
		sys := tenancy.WithSystem(ctx)
		if err := database.InTx(sys, c, func(tc *ent.Client) error {
			return tc.ComposerPackage.UpdateOneID(pkg.ID).SetMetadataUpdatedAt(time.Now()).Exec(sys)
		}); err != nil {
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

// TestWatchGeneration: a new database generation invalidates every stamp
// handed out before (the counters of a database created anew start from
// zero again and would match old cache entries), at once, and is adopted
// through changed, retried while it fails.
func TestWatchGeneration(t *testing.T) {
	testenv.ForEach(t, func(t *testing.T, b testenv.Backend) {
		db := b.Open(t)
		ctx := context.Background()
		stamps := cs.New(db.Client)
		seen, fail := "g1", true
		var calls []string
		stamps.WatchGeneration("g1",
			func(context.Context) (string, error) { return seen, nil },
			func(_ context.Context, gen string) (string, error) {
				calls = append(calls, gen)
				if fail {
					return "", errAbort
				}
				return gen + "-adopted", nil
			})
		if err := stamps.Refresh(ctx); err != nil || len(calls) != 0 {
			t.Fatalf("same generation: %v, changed called %v", err, calls)
		}
		before := stamps.Of("ten_x").Value

		seen = "g2"
		if err := stamps.Refresh(ctx); !errors.Is(err, errAbort) {
			t.Fatalf("failing adoption: %v", err)
		}
		dropped := stamps.Of("ten_x").Value
		if dropped <= before {
			t.Fatalf("stamps kept %d (before %d) though the database was replaced", dropped, before)
		}
		fail = false
		if err := stamps.Refresh(ctx); err != nil {
			t.Fatal(err)
		}
		if got := stamps.Of("ten_x").Value; got <= dropped {
			t.Fatalf("stamp %d after the retry, not past %d", got, dropped)
		}
		// The generation in force is the one changed returned (bootstrap
		// may have written it): polls that read it call nothing.
		seen = "g2-adopted"
		calls = nil
		if err := stamps.Refresh(ctx); err != nil || len(calls) != 0 {
			t.Fatalf("adopted generation: %v, changed called %v", err, calls)
		}
	})
}
