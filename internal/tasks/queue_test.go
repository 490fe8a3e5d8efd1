package tasks_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/cargoman/cargoman/ent"
	"github.com/cargoman/cargoman/ent/task"
	"github.com/cargoman/cargoman/internal/tasks"
	"github.com/cargoman/cargoman/internal/tenancy"
	"github.com/cargoman/cargoman/internal/testenv"
)

func TestEnqueue(t *testing.T) {
	t.Parallel()
	testenv.ForEach(t, func(t *testing.T, b testenv.Backend) {
		db := b.Open(t)
		client := db.Client
		q := tasks.NewQueue(client)

		for _, tc := range []struct {
			name string
			run  func(t *testing.T, tenantID string)
		}{
			{"the same kind and key twice is one task", func(t *testing.T, tenantID string) {
				spec := tasks.Spec{TenantID: tenantID, Kind: task.KindPackageSync, Key: "pkg_1", Args: map[string]any{"force": true}}
				first := enqueue(t, client, spec)
				again, created, err := tasks.Enqueue(sys, client, spec)
				if err != nil || created || again.ID != first.ID {
					t.Fatalf("second enqueue: id=%v created=%v err=%v, want %s not created", again, created, err, first.ID)
				}
				if n := active(t, client, tenantID); n != 1 {
					t.Fatalf("%d active tasks, want 1", n)
				}
				if first.Status != task.StatusPending || first.Attempts != 0 || first.MaxAttempts != 5 || first.Args["force"] != true {
					t.Fatalf("new task: %+v", first)
				}
			}},
			{"another key, kind or tenant is another task", func(t *testing.T, tenantID string) {
				other := newTenant(t, client)
				for _, spec := range []tasks.Spec{
					{TenantID: tenantID, Kind: task.KindPackageSync, Key: "a"},
					{TenantID: tenantID, Kind: task.KindPackageSync, Key: "b"},
					{TenantID: tenantID, Kind: task.KindCleanup, Key: "a"},
					{TenantID: other, Kind: task.KindPackageSync, Key: "a"},
				} {
					spec.RunAt = time.Now().Add(time.Hour) // out of the way of the claims below
					enqueue(t, client, spec)
				}
			}},
			{"a running task also holds its key", func(t *testing.T, tenantID string) {
				spec := tasks.Spec{TenantID: tenantID, Kind: task.KindSyncAll}
				first := enqueue(t, client, spec)
				claimed, err := q.Claim(sys, "w1", []task.Kind{task.KindSyncAll}, time.Minute)
				if err != nil || claimed.ID != first.ID {
					t.Fatalf("claim: %v %v", claimed, err)
				}
				again, created, err := tasks.Enqueue(sys, client, spec)
				if err != nil || created || again.ID != first.ID || again.Status != task.StatusRunning {
					t.Fatalf("enqueue while running: %v created=%v err=%v", again, created, err)
				}
			}},
			{"after the task finished the key is free again", func(t *testing.T, tenantID string) {
				spec := tasks.Spec{TenantID: tenantID, Kind: task.KindCleanup, Key: "k"}
				for i, result := range []error{nil, tasks.Permanent(errors.New("no"))} {
					tk := enqueue(t, client, spec)
					claimed, err := q.Claim(sys, "w1", []task.Kind{task.KindCleanup}, time.Minute)
					if err != nil || claimed.ID != tk.ID {
						t.Fatalf("round %d: claim: %v %v", i, claimed, err)
					}
					if _, err := q.Complete(sys, claimed, result); err != nil {
						t.Fatalf("round %d: complete: %v", i, err)
					}
				}
				enqueue(t, client, spec)
				if n, _ := client.Task.Query().Where(task.TenantID(tenantID)).Count(sys); n != 3 {
					t.Fatalf("%d tasks, want 3 (succeeded, failed, pending)", n)
				}
			}},
			{"in a transaction that rolls back no task remains", func(t *testing.T, tenantID string) {
				tx, err := client.Tx(sys)
				if err != nil {
					t.Fatal(err)
				}
				spec := tasks.Spec{TenantID: tenantID, Kind: task.KindPackageSync, Key: "rb"}
				first, created, err := tasks.Enqueue(sys, tx.Client(), spec)
				if err != nil || !created {
					t.Fatalf("enqueue in tx: %v %v", created, err)
				}
				again, created, err := tasks.Enqueue(sys, tx.Client(), spec)
				if err != nil || created || again.ID != first.ID {
					t.Fatalf("second enqueue in tx: %v created=%v err=%v", again, created, err)
				}
				if err := tx.Rollback(); err != nil {
					t.Fatal(err)
				}
				if n := active(t, client, tenantID); n != 0 {
					t.Fatalf("%d tasks after rollback, want 0", n)
				}
			}},
			{"in a transaction that commits the task and the change land together", func(t *testing.T, tenantID string) {
				spec := tasks.Spec{TenantID: tenantID, Kind: task.KindPackageSync, Key: "c"}
				enqueue(t, client, spec) // already there: the duplicate must not break the tx
				tx, err := client.Tx(sys)
				if err != nil {
					t.Fatal(err)
				}
				if _, created, err := tasks.Enqueue(sys, tx.Client(), spec); err != nil || created {
					t.Fatalf("duplicate in tx: created=%v err=%v", created, err)
				}
				if _, created, err := tasks.Enqueue(sys, tx.Client(), tasks.Spec{TenantID: tenantID, Kind: task.KindPackageSync, Key: "d"}); err != nil || !created {
					t.Fatalf("new in tx: created=%v err=%v", created, err)
				}
				// The transaction is still usable after the duplicate.
				if _, err := tx.Tenant.Create().SetSlug("s" + tenantID[len(tenantID)-8:]).SetName("x").Save(sys); err != nil {
					t.Fatalf("change in the same tx: %v", err)
				}
				if err := tx.Commit(); err != nil {
					t.Fatal(err)
				}
				if n := active(t, client, tenantID); n != 2 {
					t.Fatalf("%d tasks after commit, want 2", n)
				}
			}},
			{"the tenant comes from the context", func(t *testing.T, tenantID string) {
				ctx := tenancy.WithTenant(context.Background(), tenantID)
				tk, created, err := tasks.Enqueue(ctx, client, tasks.Spec{Kind: task.KindSyncAll, RunAt: time.Now().Add(time.Hour)})
				if err != nil || !created || tk.TenantID != tenantID || !tk.RunAt.After(time.Now()) {
					t.Fatalf("enqueue in a tenant context: %+v created=%v err=%v", tk, created, err)
				}
				other := newTenant(t, client)
				if _, _, err := tasks.Enqueue(ctx, client, tasks.Spec{TenantID: other, Kind: task.KindSyncAll}); err == nil {
					t.Fatal("enqueued for another tenant from a tenant context")
				}
			}},
			{"invalid specs are rejected", func(t *testing.T, tenantID string) {
				for _, c := range []struct {
					ctx  context.Context
					spec tasks.Spec
				}{
					{context.Background(), tasks.Spec{Kind: task.KindSyncAll}},
					{sys, tasks.Spec{Kind: task.KindSyncAll}},
					{sys, tasks.Spec{TenantID: tenantID, Kind: "nope"}},
					{sys, tasks.Spec{TenantID: tenantID, Kind: task.KindSyncAll, MaxAttempts: -1}},
				} {
					if _, _, err := tasks.Enqueue(c.ctx, client, c.spec); err == nil {
						t.Errorf("Enqueue(%+v) succeeded", c.spec)
					}
				}
				if n := active(t, client, tenantID); n != 0 {
					t.Fatalf("%d tasks, want 0", n)
				}
			}},
		} {
			t.Run(tc.name, func(t *testing.T) { tc.run(t, newTenant(t, client)) })
		}
	})
}

func TestEnqueueConcurrently(t *testing.T) {
	t.Parallel()
	testenv.ForEach(t, func(t *testing.T, b testenv.Backend) {
		db := b.Open(t)
		for _, tc := range []struct {
			name string
			inTx bool
		}{
			{"autocommit", false},
			{"each in its own transaction", true},
		} {
			t.Run(tc.name, func(t *testing.T) {
				tenantID := newTenant(t, db.Client)
				spec := tasks.Spec{TenantID: tenantID, Kind: task.KindPackageSync, Key: "hot"}
				const n = 24
				ids := make([]string, n)
				created := make([]bool, n)
				errs := make([]error, n)
				var wg sync.WaitGroup
				for i := range n {
					wg.Go(func() {
						client := db.Client
						var tx *ent.Tx
						if tc.inTx {
							if tx, errs[i] = db.Client.Tx(sys); errs[i] != nil {
								return
							}
							client = tx.Client()
						}
						var tk *ent.Task
						tk, created[i], errs[i] = tasks.Enqueue(sys, client, spec)
						if tk != nil {
							ids[i] = tk.ID
						}
						if tx != nil {
							if errs[i] != nil {
								_ = tx.Rollback()
								return
							}
							errs[i] = tx.Commit()
						}
					})
				}
				wg.Wait()
				var made int
				for i := range n {
					if errs[i] != nil {
						t.Fatalf("enqueue %d: %v", i, errs[i])
					}
					if ids[i] != ids[0] {
						t.Fatalf("enqueue %d returned %s, enqueue 0 %s", i, ids[i], ids[0])
					}
					if created[i] {
						made++
					}
				}
				if made != 1 {
					t.Fatalf("%d enqueues created the task, want 1", made)
				}
				if c := active(t, db.Client, tenantID); c != 1 {
					t.Fatalf("%d active tasks, want 1", c)
				}
			})
		}
	})
}

// TestClaimConcurrently has many claimers race for the same tasks: each
// task must be claimed once.
func TestClaimConcurrently(t *testing.T) {
	t.Parallel()
	testenv.ForEach(t, func(t *testing.T, b testenv.Backend) {
		db := b.Open(t)
		tenantID := newTenant(t, db.Client)
		const total, claimers = 100, 12
		for i := range total {
			enqueue(t, db.Client, tasks.Spec{TenantID: tenantID, Kind: task.KindPackageSync, Key: fmt.Sprint(i)})
		}
		queues := []*tasks.Queue{tasks.NewQueue(db.Client), tasks.NewQueue(openAgain(t, db).Client)}
		var (
			mu      sync.Mutex
			claimed = map[string]int{}
			wg      sync.WaitGroup
		)
		for w := range claimers {
			wg.Go(func() {
				q := queues[w%len(queues)]
				for {
					tk, err := q.Claim(sys, fmt.Sprintf("w%d", w), nil, time.Minute)
					if errors.Is(err, tasks.ErrNoTask) {
						return
					}
					if err != nil {
						t.Errorf("claimer %d: %v", w, err)
						return
					}
					mu.Lock()
					claimed[tk.ID]++
					mu.Unlock()
					if tk.Attempts != 1 || tk.Status != task.StatusRunning || *tk.LeaseOwner != fmt.Sprintf("w%d", w) || tk.StartedAt == nil {
						t.Errorf("claimed task: %+v", tk)
					}
					if _, err := q.Complete(sys, tk, nil); err != nil {
						t.Errorf("complete: %v", err)
					}
				}
			})
		}
		wg.Wait()
		if len(claimed) != total {
			t.Fatalf("%d tasks claimed, want %d", len(claimed), total)
		}
		for id, n := range claimed {
			if n != 1 {
				t.Fatalf("task %s claimed %d times", id, n)
			}
		}
		if n := active(t, db.Client, tenantID); n != 0 {
			t.Fatalf("%d tasks left", n)
		}
	})
}

func TestClaimOrderAndFilters(t *testing.T) {
	t.Parallel()
	testenv.ForEach(t, func(t *testing.T, b testenv.Backend) {
		db := b.Open(t)
		q := tasks.NewQueue(db.Client)
		tenantID := newTenant(t, db.Client)
		base := time.Now()
		later := enqueue(t, db.Client, tasks.Spec{TenantID: tenantID, Kind: task.KindPackageSync, Key: "later", RunAt: base.Add(-time.Second)})
		older := enqueue(t, db.Client, tasks.Spec{TenantID: tenantID, Kind: task.KindPackageSync, Key: "older", RunAt: base.Add(-time.Minute)})
		enqueue(t, db.Client, tasks.Spec{TenantID: tenantID, Kind: task.KindPackageSync, Key: "future", RunAt: base.Add(time.Hour)})
		cleanup := enqueue(t, db.Client, tasks.Spec{TenantID: tenantID, Kind: task.KindCleanup, Key: "c", RunAt: base.Add(-time.Hour)})

		for _, want := range []string{older.ID, later.ID} {
			got, err := q.Claim(sys, "w", []task.Kind{task.KindPackageSync}, time.Minute)
			if err != nil || got.ID != want {
				t.Fatalf("claim: %v %v, want %s", got, err, want)
			}
		}
		if got, err := q.Claim(sys, "w", []task.Kind{task.KindPackageSync}, time.Minute); !errors.Is(err, tasks.ErrNoTask) {
			t.Fatalf("claim with only a future task left: %v %v", got, err)
		}
		if got, err := q.Claim(sys, "w", nil, time.Minute); err != nil || got.ID != cleanup.ID {
			t.Fatalf("claim of any kind: %v %v", got, err)
		}
		if _, err := q.Claim(sys, "", nil, time.Minute); err == nil {
			t.Fatal("claim without an owner succeeded")
		}
	})
}

// TestCrashRecovery: a claim that is neither renewed nor completed runs
// out, the task is claimed again, and the first claimant's late writes are
// rejected.
func TestCrashRecovery(t *testing.T) {
	t.Parallel()
	const lease = 300 * time.Millisecond
	testenv.ForEach(t, func(t *testing.T, b testenv.Backend) {
		db := b.Open(t)
		q := tasks.NewQueue(db.Client)
		for _, tc := range []struct {
			name, rescuer string
		}{
			{"another owner takes over", "w2"},
			{"the same owner claims again", "w1"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				tenantID := newTenant(t, db.Client)
				kinds := []task.Kind{task.KindPackageSync}
				tk := enqueue(t, db.Client, tasks.Spec{TenantID: tenantID, Kind: task.KindPackageSync, Key: tc.name})
				crashed, err := q.Claim(sys, "w1", kinds, lease)
				if err != nil || crashed.ID != tk.ID {
					t.Fatalf("first claim: %v %v", crashed, err)
				}
				if got, err := q.Claim(sys, tc.rescuer, kinds, lease); !errors.Is(err, tasks.ErrNoTask) {
					t.Fatalf("claim during the lease: %v %v", got, err)
				}
				time.Sleep(lease + 50*time.Millisecond)
				rescued, err := q.Claim(sys, tc.rescuer, kinds, time.Minute)
				if err != nil || rescued.ID != tk.ID || rescued.Attempts != 2 {
					t.Fatalf("claim after the lease ran out: %+v %v", rescued, err)
				}

				if _, err := q.Heartbeat(sys, crashed, time.Minute); !errors.Is(err, tasks.ErrLeaseLost) {
					t.Errorf("late heartbeat: %v, want ErrLeaseLost", err)
				}
				if err := q.SetProgress(sys, crashed, "late"); !errors.Is(err, tasks.ErrLeaseLost) {
					t.Errorf("late progress: %v, want ErrLeaseLost", err)
				}
				if _, err := q.Complete(sys, crashed, nil); !errors.Is(err, tasks.ErrLeaseLost) {
					t.Errorf("late completion: %v, want ErrLeaseLost", err)
				}
				if err := q.Release(sys, crashed); !errors.Is(err, tasks.ErrLeaseLost) {
					t.Errorf("late release: %v, want ErrLeaseLost", err)
				}
				if got := reload(t, db.Client, tk.ID); got.Status != task.StatusRunning || *got.LeaseOwner != tc.rescuer || got.Attempts != 2 || got.Progress != nil {
					t.Fatalf("after the late writes: %+v", got)
				}
				if status, err := q.Complete(sys, rescued, nil); err != nil || status != task.StatusSucceeded {
					t.Fatalf("rescuer's completion: %s %v", status, err)
				}
				if done := reload(t, db.Client, tk.ID); done.Status != task.StatusSucceeded || done.FinishedAt == nil {
					t.Fatalf("after the rescuer's completion: %+v", done)
				}
			})
		}
		t.Run("a pool picks up a crashed worker's task", func(t *testing.T) {
			tenantID := newTenant(t, db.Client)
			tk := enqueue(t, db.Client, tasks.Spec{TenantID: tenantID, Kind: task.KindCleanup, Key: "crash"})
			if _, err := q.Claim(sys, "dead", []task.Kind{task.KindCleanup}, lease); err != nil {
				t.Fatal(err)
			}
			var runs sync.Map
			var reg tasks.Registry
			reg.Register(task.KindCleanup, func(ctx context.Context, t *ent.Task) error {
				runs.Store(t.ID, t.Attempts)
				return nil
			})
			start(t, tasks.NewPool(db.Client, &reg, tasks.PoolOptions{PollInterval: 20 * time.Millisecond, Log: testLog(t)}))
			waitFor(t, 15*time.Second, "the rescued task to succeed", statusIs(t, db.Client, tk.ID, task.StatusSucceeded))
			if a, _ := runs.Load(tk.ID); a != 2 {
				t.Fatalf("handler saw attempt %v, want 2", a)
			}
		})
	})
}

func TestDeleteFinished(t *testing.T) {
	t.Parallel()
	testenv.ForEach(t, func(t *testing.T, b testenv.Backend) {
		db := b.Open(t)
		q := tasks.NewQueue(db.Client)
		cutoff := time.Now().Add(-time.Hour)
		old, recent := cutoff.Add(-time.Minute), cutoff.Add(time.Minute)
		one, two := newTenant(t, db.Client), newTenant(t, db.Client)
		type row struct {
			tenant   string
			status   task.Status
			finished *time.Time
			gone     bool
		}
		rows := []row{
			{one, task.StatusSucceeded, &old, true},
			{one, task.StatusFailed, &old, true},
			{one, task.StatusSucceeded, &recent, false},
			{one, task.StatusPending, nil, false},
			{one, task.StatusRunning, nil, false},
			{two, task.StatusSucceeded, &old, true},
		}
		ids := make([]string, len(rows))
		for i, r := range rows {
			tk, err := db.Client.Task.Create().SetTenantID(r.tenant).SetKind(task.KindPackageSync).SetKey(fmt.Sprint(i)).
				SetStatus(r.status).SetNillableFinishedAt(r.finished).Save(sys)
			if err != nil {
				t.Fatal(err)
			}
			ids[i] = tk.ID
		}
		// A tenant context deletes only that tenant's tasks.
		if n, err := q.DeleteFinished(tenancy.WithTenant(context.Background(), two), cutoff); err != nil || n != 1 {
			t.Fatalf("DeleteFinished for tenant two: %d %v, want 1", n, err)
		}
		if _, err := q.DeleteFinished(context.Background(), cutoff); err == nil {
			t.Fatal("DeleteFinished without a tenant or system context succeeded")
		}
		if n, err := q.DeleteFinished(sys, cutoff); err != nil || n != 2 {
			t.Fatalf("DeleteFinished: %d %v, want 2", n, err)
		}
		for i, r := range rows {
			_, err := db.Client.Task.Get(sys, ids[i])
			if gone := ent.IsNotFound(err); gone != r.gone {
				t.Errorf("row %d (%s): gone=%v, want %v (err %v)", i, r.status, gone, r.gone, err)
			}
		}
	})
}

func TestDefaultBackoff(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		attempts int
		max      time.Duration
	}{
		{0, 10 * time.Second},
		{1, 10 * time.Second},
		{2, 20 * time.Second},
		{3, 40 * time.Second},
		{8, 1280 * time.Second},
		{9, 2560 * time.Second},
		{10, time.Hour},
		{40, time.Hour},
		{1000, time.Hour},
	} {
		for range 50 {
			if d := tasks.DefaultBackoff(tc.attempts); d < tc.max/2 || d > tc.max {
				t.Fatalf("DefaultBackoff(%d) = %v, want within [%v, %v]", tc.attempts, d, tc.max/2, tc.max)
			}
		}
	}
}

func TestPermanent(t *testing.T) {
	t.Parallel()
	base := errors.New("bad manifest")
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{nil, false},
		{base, false},
		{tasks.Permanent(base), true},
		{fmt.Errorf("sync: %w", tasks.Permanent(base)), true},
	} {
		if got := tasks.IsPermanent(tc.err); got != tc.want {
			t.Errorf("IsPermanent(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
	if tasks.Permanent(nil) != nil {
		t.Error("Permanent(nil) is not nil")
	}
	if err := tasks.Permanent(base); !errors.Is(err, base) || err.Error() != base.Error() {
		t.Errorf("Permanent hides its error: %v", err)
	}
}
