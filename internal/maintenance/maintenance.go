// Package maintenance holds the housekeeping task handlers: sync_all
// (queue a sync of every git package) and cleanup (archives of versions
// removed upstream long ago, orphaned archives, old task records).
package maintenance

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/cargoman/cargoman/ent"
	"github.com/cargoman/cargoman/ent/composerpackage"
	"github.com/cargoman/cargoman/ent/packageversion"
	"github.com/cargoman/cargoman/ent/task"
	"github.com/cargoman/cargoman/internal/blob"
	"github.com/cargoman/cargoman/internal/tasks"
	"github.com/cargoman/cargoman/internal/tenancy"
)

// Retention periods of cleanup.
type Retention struct {
	// RemovedVersions: archives of versions whose tag or branch vanished
	// upstream are kept this long for existing lock files.
	RemovedVersions time.Duration
	// FinishedTasks: succeeded and failed task records are kept this long.
	FinishedTasks time.Duration
	// OrphanGrace: an archive no version refers to is deleted only when it
	// is older than this, so a sync storing it right now is never raced.
	OrphanGrace time.Duration
}

// DefaultRetention is used when Options leave Retention zero.
var DefaultRetention = Retention{RemovedVersions: 30 * 24 * time.Hour, FinishedTasks: 7 * 24 * time.Hour, OrphanGrace: 24 * time.Hour}

// Handlers runs housekeeping tasks.
type Handlers struct {
	client    *ent.Client
	queue     *tasks.Queue
	blobs     blob.Store
	retention Retention
	log       *slog.Logger
	now       func() time.Time
}

// New returns the handlers.
func New(client *ent.Client, queue *tasks.Queue, blobs blob.Store, retention Retention, log *slog.Logger) *Handlers {
	if retention == (Retention{}) {
		retention = DefaultRetention
	}
	return &Handlers{client: client, queue: queue, blobs: blobs, retention: retention, log: log, now: time.Now}
}

// Register adds the handlers to reg.
func (h *Handlers) Register(reg *tasks.Registry) {
	reg.Register(task.KindSyncAll, h.SyncAll)
	reg.Register(task.KindCleanup, h.Cleanup)
}

// SyncAll queues one sync per git package of the task's tenant (monorepo
// children are synced through their parent).
func (h *Handlers) SyncAll(ctx context.Context, t *ent.Task) error {
	ctx = tenancy.WithTenant(ctx, t.TenantID)
	pkgs, err := h.client.ComposerPackage.Query().
		Where(composerpackage.TypeNEQ(composerpackage.TypeArtifact), composerpackage.ParentIDIsNil()).
		IDs(ctx)
	if err != nil {
		return fmt.Errorf("maintenance: list packages: %w", err)
	}
	queued := 0
	for _, id := range pkgs {
		_, created, err := tasks.Enqueue(ctx, h.client, tasks.Spec{TenantID: t.TenantID, Kind: task.KindPackageSync, Key: id})
		if err != nil {
			return fmt.Errorf("maintenance: queue sync of %s: %w", id, err)
		}
		if created {
			queued++
		}
	}
	tasks.Progress(ctx, fmt.Sprintf("%d packages, %d syncs queued", len(pkgs), queued))
	return nil
}

// ScheduledCleanup is the daily cleanup of a tenant, due at at. Its key
// differs from that of a cleanup asked for through the API (the tenant id,
// as for every tenant-wide task): both dedupe with their own kind only, so
// asking for a cleanup queues one due now instead of answering with the
// scheduled one, due later.
func ScheduledCleanup(tenantID string, at time.Time) tasks.Spec {
	return tasks.Spec{TenantID: tenantID, Kind: task.KindCleanup, Key: "scheduled:" + tenantID, RunAt: at}
}

// Cleanup deletes what retention no longer keeps.
func (h *Handlers) Cleanup(ctx context.Context, t *ent.Task) error {
	ctx = tenancy.WithSystem(ctx)
	now := h.now()
	var errs []error

	// Versions removed upstream past retention: row and archive go.
	old, err := h.client.PackageVersion.Query().
		Where(packageversion.RemovedAtLT(now.Add(-h.retention.RemovedVersions))).
		All(ctx)
	if err != nil {
		return fmt.Errorf("maintenance: list removed versions: %w", err)
	}
	for _, v := range old {
		if err := h.client.PackageVersion.DeleteOne(v).Exec(ctx); err != nil && !ent.IsNotFound(err) {
			errs = append(errs, err)
			continue
		}
		if err := h.blobs.Delete(ctx, v.DistKey); err != nil {
			errs = append(errs, err)
		}
	}

	// Archives no version refers to (a deleted package whose files could
	// not be removed, a crashed sync).
	orphans := 0
	err = h.blobs.List(ctx, "dists/", func(key string, info blob.Info) error {
		if now.Sub(info.ModTime) < h.retention.OrphanGrace || !strings.HasSuffix(key, ".zip") {
			return nil
		}
		used, err := h.client.PackageVersion.Query().Where(packageversion.DistKey(key)).Exist(ctx)
		if err != nil || used {
			return err
		}
		orphans++
		return h.blobs.Delete(ctx, key)
	})
	if err != nil {
		errs = append(errs, fmt.Errorf("maintenance: orphaned archives: %w", err))
	}

	n, err := h.queue.DeleteFinished(ctx, now.Add(-h.retention.FinishedTasks))
	if err != nil {
		errs = append(errs, err)
	}
	tasks.Progress(ctx, fmt.Sprintf("%d removed versions, %d orphaned archives, %d old tasks deleted", len(old), orphans, n))
	return errors.Join(errs...)
}
