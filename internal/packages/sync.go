package packages

import (
	"context"
	"fmt"

	"github.com/cargoman/cargoman/ent"
	"github.com/cargoman/cargoman/ent/composerpackage"
	"github.com/cargoman/cargoman/ent/task"
	"github.com/cargoman/cargoman/internal/apperr"
	"github.com/cargoman/cargoman/internal/tasks"
)

// QueueSync queues a sync of pkg through c (the client or a transaction),
// or returns the one already queued (created is then false). This file is
// the one place that knows which package a sync runs on, for the API,
// package creation, webhooks and sync_all: an artifact package has no
// repository and never syncs (a validation error), and a monorepo child is
// synced through its parent, whose sync writes every child. The caller
// wakes the workers.
func QueueSync(ctx context.Context, c *ent.Client, pkg *ent.ComposerPackage) (t *ent.Task, created bool, err error) {
	if pkg.Type == composerpackage.TypeArtifact {
		return nil, false, apperr.Invalid("name", "%s is an artifact package: it has no repository to sync", pkg.Name)
	}
	return tasks.Enqueue(ctx, c, tasks.Spec{TenantID: pkg.TenantID, Kind: task.KindPackageSync, Key: SyncTarget(pkg)})
}

// queueNamedSync is QueueSync for a caller that named pkg (the API): a
// monorepo child is refused, pointing at the parent to sync, rather than
// silently syncing a package the caller did not name.
func queueNamedSync(ctx context.Context, c *ent.Client, pkg *ent.ComposerPackage) (*ent.Task, bool, error) {
	if pkg.ParentID != nil {
		return nil, false, apperr.Invalid("name", "%s is part of a monorepo: sync its parent package", pkg.Name)
	}
	return QueueSync(ctx, c, pkg)
}

// SyncTarget is the id of the package a sync of pkg runs on: its parent
// for a monorepo child, else pkg itself.
func SyncTarget(pkg *ent.ComposerPackage) string {
	if pkg.ParentID != nil {
		return *pkg.ParentID
	}
	return pkg.ID
}

// QueueSyncAll queues one sync per repository of the tenant in ctx (every
// package QueueSync would sync: no artifacts, no monorepo children, which
// their parent's sync covers). It returns how many packages it looked at
// and how many syncs it queued anew.
func QueueSyncAll(ctx context.Context, c *ent.Client) (pkgs, queued int, err error) {
	all, err := c.ComposerPackage.Query().
		Where(composerpackage.TypeNEQ(composerpackage.TypeArtifact), composerpackage.ParentIDIsNil()).
		All(ctx)
	if err != nil {
		return 0, 0, fmt.Errorf("packages: list packages to sync: %w", err)
	}
	for _, p := range all {
		_, created, err := QueueSync(ctx, c, p)
		if err != nil {
			return len(all), queued, fmt.Errorf("packages: queue sync of %s: %w", p.Name, err)
		}
		if created {
			queued++
		}
	}
	return len(all), queued, nil
}
