package packages_test

import (
	"log/slog"
	"strings"
	"testing"

	"github.com/cargoman/cargoman/ent/composerpackage"
	"github.com/cargoman/cargoman/ent/task"
	"github.com/cargoman/cargoman/internal/apperr"
	"github.com/cargoman/cargoman/internal/packages"
	"github.com/cargoman/cargoman/internal/testenv"
)

// TestQueueSync: which package a sync runs on. A git package syncs itself,
// a monorepo child through its parent (one task for both), an artifact
// package never; sync_all queues one task per repository.
func TestQueueSync(t *testing.T) {
	testenv.ForEach(t, func(t *testing.T, b testenv.Backend) {
		db, ctx, tenantID := tenantDB(t, b)
		c := db.Client
		create := func(name string, typ composerpackage.Type, parent *string) string {
			t.Helper()
			p, err := c.ComposerPackage.Create().SetTenantID(tenantID).SetName(name).SetType(typ).SetNillableParentID(parent).Save(ctx)
			if err != nil {
				t.Fatal(err)
			}
			return p.ID
		}
		mono := create("acme/mono", composerpackage.TypeGit, nil)
		child := create("acme/child", composerpackage.TypeGit, &mono)
		plain := create("acme/plain", composerpackage.TypeGithub, nil)
		art := create("acme/art", composerpackage.TypeArtifact, nil)

		tests := []struct {
			name    string
			pkg     string
			key     string
			created bool
			err     bool
		}{
			{name: "git package", pkg: plain, key: plain, created: true},
			{name: "again: the queued task", pkg: plain, key: plain},
			{name: "monorepo child syncs its parent", pkg: child, key: mono, created: true},
			{name: "parent finds the child's task", pkg: mono, key: mono},
			{name: "artifact never syncs", pkg: art, err: true},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				pkg, err := c.ComposerPackage.Get(ctx, tc.pkg)
				if err != nil {
					t.Fatal(err)
				}
				got, created, err := packages.QueueSync(ctx, c, pkg)
				if tc.err {
					if e, ok := apperr.As(err); !ok || e.Code != apperr.Validation {
						t.Fatalf("err = %v, want a validation error", err)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				if got.Kind != task.KindPackageSync || got.Key != tc.key || got.TenantID != tenantID || created != tc.created {
					t.Fatalf("task %s %s (tenant %s), created %v; want key %s, created %v", got.Kind, got.Key, got.TenantID, created, tc.key, tc.created)
				}
			})
		}
		t.Run("the API refuses a child by name", func(t *testing.T) {
			svc := packages.New(packages.Options{Client: c, Log: slog.New(slog.DiscardHandler)})
			before, err := c.Task.Query().Count(ctx)
			if err != nil {
				t.Fatal(err)
			}
			_, _, err = svc.Sync(ctx, "acme/child")
			if e, ok := apperr.As(err); !ok || e.Code != apperr.Validation || !strings.Contains(e.Message, "sync its parent") {
				t.Fatalf("Sync(acme/child) = %v, want a validation error pointing at the parent", err)
			}
			if after, err := c.Task.Query().Count(ctx); err != nil || after != before {
				t.Fatalf("%d tasks after the refusal, %d before (%v)", after, before, err)
			}
		})
		t.Run("sync all", func(t *testing.T) {
			pkgs, queued, err := packages.QueueSyncAll(ctx, c)
			if err != nil || pkgs != 2 || queued != 0 {
				t.Fatalf("QueueSyncAll = %d packages, %d queued, %v; want 2, 0 (both already queued)", pkgs, queued, err)
			}
			n, err := c.Task.Query().Where(task.KindEQ(task.KindPackageSync)).Count(ctx)
			if err != nil || n != 2 {
				t.Fatalf("%d sync tasks (%v), want 2", n, err)
			}
		})
	})
}
