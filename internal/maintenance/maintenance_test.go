package maintenance_test

import (
	"context"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/cargoman/cargoman/ent"
	"github.com/cargoman/cargoman/ent/composerpackage"
	"github.com/cargoman/cargoman/ent/webhookdelivery"
	"github.com/cargoman/cargoman/internal/archives"
	"github.com/cargoman/cargoman/internal/blob"
	"github.com/cargoman/cargoman/internal/maintenance"
	"github.com/cargoman/cargoman/internal/tasks"
	"github.com/cargoman/cargoman/internal/tenancy"
	"github.com/cargoman/cargoman/internal/testenv"
)

// TestCleanupPurgesOldDeliveries: cleanup deletes webhook deliveries older
// than the retention, of every tenant and outcome, in batches, and keeps
// younger ones.
func TestCleanupPurgesOldDeliveries(t *testing.T) {
	testenv.ForEach(t, func(t *testing.T, b testenv.Backend) {
		db := b.Open(t)
		sys := tenancy.WithSystem(context.Background())
		c := db.Client
		retention := 10 * 24 * time.Hour
		now := time.Now().UTC()
		old, young := now.Add(-retention-time.Hour), now.Add(-retention+time.Hour)
		var keep []string
		for i, slug := range []string{"one", "two"} {
			tn, err := c.Tenant.Create().SetSlug(slug).SetName(slug).Save(sys)
			if err != nil {
				t.Fatal(err)
			}
			pkg, err := c.ComposerPackage.Create().SetTenantID(tn.ID).SetName("acme/lib").SetType(composerpackage.TypeGithub).Save(sys)
			if err != nil {
				t.Fatal(err)
			}
			// More old rows than one purge batch.
			n := 700 - 300*i
			bulk := make([]*ent.WebhookDeliveryCreate, 0, n+2)
			for j := range n {
				bulk = append(bulk, c.WebhookDelivery.Create().SetTenantID(tn.ID).SetProvider(webhookdelivery.ProviderGithub).
					SetEvent("push").SetDeliveryID(fmt.Sprintf("old-%d", j)).SetOutcome(webhookdelivery.OutcomeRejected).SetCreatedAt(old))
			}
			bulk = append(bulk,
				c.WebhookDelivery.Create().SetTenantID(tn.ID).SetProvider(webhookdelivery.ProviderGithub).SetEvent("push").
					SetDeliveryID("old-queued").SetOutcome(webhookdelivery.OutcomeQueued).SetCreatedAt(old).AddPackages(pkg),
				c.WebhookDelivery.Create().SetTenantID(tn.ID).SetProvider(webhookdelivery.ProviderGithub).SetEvent("push").
					SetDeliveryID("young").SetOutcome(webhookdelivery.OutcomeQueued).SetCreatedAt(young).AddPackages(pkg))
			for start := 0; start < len(bulk); start += 200 {
				rows, err := c.WebhookDelivery.CreateBulk(bulk[start:min(start+200, len(bulk))]...).Save(sys)
				if err != nil {
					t.Fatal(err)
				}
				if last := rows[len(rows)-1]; last.DeliveryID == "young" {
					keep = append(keep, last.ID)
				}
			}
		}

		fs, err := blob.NewFS(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		log := slog.New(slog.DiscardHandler)
		h := maintenance.New(maintenance.Options{Client: c, Queue: tasks.NewQueue(c), Archives: archives.New(c, fs, db.Dialect), Retention: maintenance.Retention{
			RemovedVersions: 24 * time.Hour, FinishedTasks: 24 * time.Hour, OrphanGrace: 24 * time.Hour, WebhookDeliveries: retention,
		}, Log: log})
		if err := h.Cleanup(context.Background(), &ent.Task{}); err != nil {
			t.Fatalf("cleanup: %v", err)
		}
		left, err := c.WebhookDelivery.Query().IDs(sys)
		if err != nil {
			t.Fatal(err)
		}
		if len(left) != len(keep) || len(keep) != 2 {
			t.Fatalf("%d deliveries left, want the %d young ones", len(left), len(keep))
		}
		for _, id := range keep {
			if n, err := c.WebhookDelivery.Query().Where(webhookdelivery.ID(id)).QueryPackages().Count(sys); err != nil || n != 1 {
				t.Errorf("young delivery %s lost its package link: %d %v", id, n, err)
			}
		}
	})
}
