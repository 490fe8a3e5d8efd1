package gitsync_test

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/cargoman/cargoman/internal/app"
	"github.com/cargoman/cargoman/internal/tenancy"
	"github.com/cargoman/cargoman/internal/testenv"
)

// TestInterruptedSync stops a sync midway, as a killed worker would: every
// version it left is whole (its archive stored and matching its shasum), and
// the next sync finishes the job.
func TestInterruptedSync(t *testing.T) {
	repo := makeTaggedRepo(t, 60)
	testenv.ForEach(t, func(t *testing.T, b testenv.Backend) {
		db := b.Open(t)
		a, err := app.New(context.Background(), db, app.Config{
			PublicURL: "http://x.test", DataDir: t.TempDir(), AdminToken: "t", AllowLocalRepositories: true, ServeAPI: true,
		}, slog.New(slog.NewTextHandler(io.Discard, nil)))
		if err != nil {
			t.Fatal(err)
		}
		ctx := tenancy.WithTenant(context.Background(), a.Boot.TenantID)
		pkg, _, err := a.Packages.Create(ctx, createInput(repo))
		if err != nil {
			t.Fatal(err)
		}
		cut, cancel := context.WithCancel(ctx)
		go func() {
			for {
				n, _ := db.Client.PackageVersion.Query().Count(ctx)
				if n >= 5 {
					cancel()
					return
				}
				time.Sleep(time.Millisecond)
			}
		}()
		if err := a.Syncer.Sync(cut, pkg); err == nil {
			t.Fatal("interrupted sync reported success")
		}
		cancel()
		versions, err := db.Client.PackageVersion.Query().All(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(versions) == 0 || len(versions) >= 61 {
			t.Fatalf("%d versions after the interruption; the test did not interrupt", len(versions))
		}
		for _, v := range versions {
			obj, _, err := a.Packages.OpenDist(ctx, v.ID)
			if err != nil {
				t.Fatalf("version %s has no archive: %v", v.Version, err)
			}
			h := sha1.New()
			_, err = io.Copy(h, obj)
			obj.Close()
			if err != nil || hex.EncodeToString(h.Sum(nil)) != v.DistShasum {
				t.Fatalf("version %s archive does not match its shasum", v.Version)
			}
		}
		if err := a.Syncer.Sync(ctx, reload(t, ctx, db.Client, pkg)); err != nil {
			t.Fatalf("second sync: %v", err)
		}
		if n, _ := db.Client.PackageVersion.Query().Count(ctx); n != 61 {
			t.Fatalf("%d versions after the second sync, want 61", n)
		}
	})
}
