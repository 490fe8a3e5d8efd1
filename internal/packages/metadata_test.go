package packages_test

import (
	"log/slog"
	"testing"
	"time"

	"github.com/cargoman/cargoman/ent/composerpackage"
	"github.com/cargoman/cargoman/ent/packageversion"
	"github.com/cargoman/cargoman/internal/packages"
	"github.com/cargoman/cargoman/internal/testenv"
)

// TestRefreshMetadataDigest: the rendered documents are not stored, only
// their digest; metadata_updated_at moves when they change and stays when
// a refresh finds them the same (the stamp of cached views and
// Last-Modified).
func TestRefreshMetadataDigest(t *testing.T) {
	testenv.ForEach(t, func(t *testing.T, b testenv.Backend) {
		db, ctx, tenantID := tenantDB(t, b)
		c := db.Client
		svc := packages.New(packages.Options{Client: c, Log: slog.New(slog.DiscardHandler)})
		p, err := c.ComposerPackage.Create().SetTenantID(tenantID).SetName("acme/lib").SetType(composerpackage.TypeGit).Save(ctx)
		if err != nil {
			t.Fatal(err)
		}
		v, err := c.PackageVersion.Create().SetTenantID(tenantID).SetPackageID(p.ID).SetVersion("1.0.0").SetVersionNormalized("1.0.0.0").
			SetSource(packageversion.SourceTag).SetReference("abc").SetStability(packageversion.StabilityStable).
			SetComposerJSON(`{"name":"acme/lib"}`).SetDistKey("dists/x.zip").SetDistShasum("s").SetDistSize(1).
			SetReleasedAt(time.Now().UTC()).Save(ctx)
		if err != nil {
			t.Fatal(err)
		}
		refresh := func() (digest string, at time.Time) {
			t.Helper()
			cur, err := c.ComposerPackage.Get(ctx, p.ID)
			if err != nil {
				t.Fatal(err)
			}
			if err := svc.RefreshMetadata(ctx, c, cur); err != nil {
				t.Fatal(err)
			}
			if cur, err = c.ComposerPackage.Get(ctx, p.ID); err != nil {
				t.Fatal(err)
			}
			return cur.MetadataDigest, *cur.MetadataUpdatedAt
		}
		d1, at1 := refresh()
		time.Sleep(5 * time.Millisecond)
		d2, at2 := refresh()
		if d1 == "" || d2 != d1 || !at2.Equal(at1) {
			t.Fatalf("unchanged documents moved the stamp: %s %v -> %s %v", d1, at1, d2, at2)
		}
		if err := c.PackageVersion.UpdateOne(v).SetDeprecated(true).Exec(ctx); err != nil {
			t.Fatal(err)
		}
		d3, at3 := refresh()
		if d3 == d1 || !at3.After(at1) {
			t.Fatalf("changed documents kept the stamp: %s %v -> %s %v", d1, at1, d3, at3)
		}
	})
}
