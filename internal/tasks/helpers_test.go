package tasks_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"testing"
	"time"

	"github.com/cargoman/cargoman/ent"
	"github.com/cargoman/cargoman/ent/task"
	"github.com/cargoman/cargoman/internal/database"
	"github.com/cargoman/cargoman/internal/tasks"
	"github.com/cargoman/cargoman/internal/tenancy"
)

// sys is the context of worker-side checks: every tenant's rows.
var sys = tenancy.WithSystem(context.Background())

// newTenant adds a tenant and returns its id.
func newTenant(t testing.TB, client *ent.Client) string {
	t.Helper()
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	slug := "t" + hex.EncodeToString(b)
	tn, err := client.Tenant.Create().SetSlug(slug).SetName(slug).Save(context.Background())
	if err != nil {
		t.Fatalf("create tenant: %v", err)
	}
	return tn.ID
}

// enqueue adds a task that must be new.
func enqueue(t testing.TB, client *ent.Client, spec tasks.Spec) *ent.Task {
	t.Helper()
	tk, created, err := tasks.Enqueue(sys, client, spec)
	if err != nil || !created {
		t.Fatalf("enqueue %+v: created=%v err=%v", spec, created, err)
	}
	return tk
}

// reload reads a task back.
func reload(t testing.TB, client *ent.Client, id string) *ent.Task {
	t.Helper()
	tk, err := client.Task.Get(sys, id)
	if err != nil {
		t.Fatalf("get task %s: %v", id, err)
	}
	return tk
}

// active counts the pending and running tasks of a tenant.
func active(t testing.TB, client *ent.Client, tenantID string) int {
	t.Helper()
	n, err := client.Task.Query().
		Where(task.TenantID(tenantID), task.StatusIn(task.StatusPending, task.StatusRunning)).
		Count(sys)
	if err != nil {
		t.Fatalf("count tasks: %v", err)
	}
	return n
}

// testLog logs warnings and errors to the test's output, which shows with
// -v or when the test fails. Pools must stop before the test ends.
func testLog(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
}

// start runs p until the test ends (or stop is called) and returns stop,
// which cancels Run and waits for it to return.
func start(t testing.TB, p *tasks.Pool) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	stopped := false
	stop = func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run: %v", err)
			}
		case <-time.After(15 * time.Second):
			t.Fatalf("Run did not return after its context ended")
		}
	}
	t.Cleanup(stop)
	return stop
}

// waitFor polls cond until it holds or timeout passes.
func waitFor(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// statusIs reports whether the task is in status.
func statusIs(t testing.TB, client *ent.Client, id string, status task.Status) func() bool {
	return func() bool { return reload(t, client, id).Status == status }
}

// openAgain opens another handle on db's database, as another instance
// would.
func openAgain(t testing.TB, db *database.DB) *database.DB {
	t.Helper()
	other, err := database.Open(db.URL)
	if err != nil {
		t.Fatalf("open %s again: %v", db.Dialect, err)
	}
	t.Cleanup(func() { other.Close() })
	return other
}
