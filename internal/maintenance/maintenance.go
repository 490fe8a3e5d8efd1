// Package maintenance holds the housekeeping task handlers: sync_all
// (queue a sync of every git package) and cleanup (archives of versions
// removed upstream long ago, orphaned archives, old task records).
package maintenance

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/cargoman/cargoman/ent"
	"github.com/cargoman/cargoman/ent/packageversion"
	"github.com/cargoman/cargoman/ent/task"
	"github.com/cargoman/cargoman/ent/webhookdelivery"
	"github.com/cargoman/cargoman/internal/archives"
	"github.com/cargoman/cargoman/internal/packages"
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
	// WebhookDeliveries: webhook delivery records are kept this long
	// (WEBHOOK_DELIVERY_RETENTION_DAYS).
	WebhookDeliveries time.Duration
}

// DefaultRetention is used when Options leave Retention zero, and for a
// zero WebhookDeliveries.
var DefaultRetention = Retention{RemovedVersions: 30 * 24 * time.Hour, FinishedTasks: 7 * 24 * time.Hour, OrphanGrace: 24 * time.Hour,
	WebhookDeliveries: 30 * 24 * time.Hour}

// purgeBatch is how many delivery records one statement of the purge
// deletes, so a large backlog never holds a long lock.
const purgeBatch = 500

// Handlers runs housekeeping tasks.
type Handlers struct {
	client    *ent.Client
	queue     *tasks.Queue
	archives  *archives.Store
	retention Retention
	log       *slog.Logger
	now       func() time.Time
}

// Options configure the handlers.
type Options struct {
	Client   *ent.Client
	Queue    *tasks.Queue
	Archives *archives.Store
	// Retention zero takes DefaultRetention, and a zero WebhookDeliveries
	// its value.
	Retention Retention
	Log       *slog.Logger
}

// New returns the handlers.
func New(o Options) *Handlers {
	retention := o.Retention
	if retention == (Retention{}) {
		retention = DefaultRetention
	}
	if retention.WebhookDeliveries <= 0 {
		retention.WebhookDeliveries = DefaultRetention.WebhookDeliveries
	}
	return &Handlers{client: o.Client, queue: o.Queue, archives: o.Archives, retention: retention, log: o.Log, now: time.Now}
}

// Register adds the handlers to reg.
func (h *Handlers) Register(reg *tasks.Registry) {
	reg.Register(task.KindSyncAll, h.SyncAll)
	reg.Register(task.KindCleanup, h.Cleanup)
}

// SyncAll queues one sync per repository of the task's tenant
// (packages.QueueSyncAll).
func (h *Handlers) SyncAll(ctx context.Context, t *ent.Task) error {
	ctx = tenancy.WithTenant(ctx, t.TenantID)
	pkgs, queued, err := packages.QueueSyncAll(ctx, h.client)
	if err != nil {
		return fmt.Errorf("maintenance: %w", err)
	}
	tasks.Progress(ctx, fmt.Sprintf("%d packages, %d syncs queued", pkgs, queued))
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
	keys := make([]string, 0, len(old))
	for _, v := range old {
		if err := h.client.PackageVersion.DeleteOne(v).Exec(ctx); err != nil && !ent.IsNotFound(err) {
			errs = append(errs, err)
			continue
		}
		keys = append(keys, v.DistKey)
	}
	// The rows are gone; their files go unless another version (a tag on
	// the same commit as a removed branch, ...) still serves them.
	if _, err := h.archives.Release(ctx, keys...); err != nil {
		errs = append(errs, fmt.Errorf("maintenance: archives of removed versions: %w", err))
	}

	// Archives no version refers to (a deleted package whose files could
	// not be removed, a crashed sync).
	orphans, err := h.archives.Sweep(ctx, now.Add(-h.retention.OrphanGrace))
	if err != nil {
		errs = append(errs, fmt.Errorf("maintenance: orphaned archives: %w", err))
	}

	n, err := h.queue.DeleteFinished(ctx, now.Add(-h.retention.FinishedTasks))
	if err != nil {
		errs = append(errs, err)
	}
	deliveries, err := h.purgeDeliveries(ctx, now.Add(-h.retention.WebhookDeliveries))
	if err != nil {
		errs = append(errs, err)
	}
	tasks.Progress(ctx, fmt.Sprintf("%d removed versions, %d orphaned archives, %d old tasks, %d old webhook deliveries deleted", len(old), orphans, n, deliveries))
	return errors.Join(errs...)
}

// purgeDeliveries deletes webhook delivery records (of every tenant; ctx is
// system) created before cutoff, purgeBatch at a time.
func (h *Handlers) purgeDeliveries(ctx context.Context, cutoff time.Time) (int, error) {
	cutoff = cutoff.UTC().Truncate(time.Microsecond) // SQLite compares times as text
	total := 0
	for {
		ids, err := h.client.WebhookDelivery.Query().
			Where(webhookdelivery.CreatedAtLT(cutoff)).
			Limit(purgeBatch).
			IDs(ctx)
		if err != nil {
			return total, fmt.Errorf("maintenance: list old webhook deliveries: %w", err)
		}
		if len(ids) == 0 {
			return total, nil
		}
		n, err := h.client.WebhookDelivery.Delete().Where(webhookdelivery.IDIn(ids...)).Exec(ctx)
		if err != nil {
			return total, fmt.Errorf("maintenance: delete old webhook deliveries: %w", err)
		}
		total += n
		if ctx.Err() != nil {
			return total, ctx.Err()
		}
	}
}
