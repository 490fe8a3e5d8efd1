package tasks_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cargoman/cargoman/ent"
	"github.com/cargoman/cargoman/ent/hook"
	"github.com/cargoman/cargoman/ent/task"
	"github.com/cargoman/cargoman/internal/tasks"
	"github.com/cargoman/cargoman/internal/tenancy"
	"github.com/cargoman/cargoman/internal/testenv"
)

// TestPoolsRunEachTaskOnce has several pools, each on its own connection
// pool as separate instances would be and each running several handlers
// at once, share 200 tasks: every handler must run exactly once.
func TestPoolsRunEachTaskOnce(t *testing.T) {
	t.Parallel()
	testenv.ForEach(t, func(t *testing.T, b testenv.Backend) {
		db := b.Open(t)
		const total, pools = 200, 4
		tenants := []string{newTenant(t, db.Client), newTenant(t, db.Client)}
		kinds := []task.Kind{task.KindPackageSync, task.KindCleanup}
		spec := func(i int) tasks.Spec {
			return tasks.Spec{TenantID: tenants[i%2], Kind: kinds[i/2%2], Key: fmt.Sprint(i)}
		}
		// Half the tasks exist before the pools start, half arrive while
		// they run.
		for i := range total / 2 {
			enqueue(t, db.Client, spec(i))
		}

		var runs sync.Map // task id → *atomic.Int32
		var wrongTenant atomic.Int32
		handler := func(ctx context.Context, tk *ent.Task) error {
			n, _ := runs.LoadOrStore(tk.ID, new(atomic.Int32))
			n.(*atomic.Int32).Add(1)
			if tid, _ := tenancy.FromContext(ctx); tid != tk.TenantID {
				wrongTenant.Add(1)
			}
			time.Sleep(time.Duration(rand.IntN(3)) * time.Millisecond)
			return nil
		}
		var started []*tasks.Pool
		for i := range pools {
			var reg tasks.Registry
			for _, k := range kinds {
				reg.Register(k, handler)
			}
			p := tasks.NewPool(openAgain(t, db).Client, &reg, tasks.PoolOptions{
				Concurrency:  4,
				Lease:        5 * time.Second,
				PollInterval: 50 * time.Millisecond,
				Owner:        fmt.Sprintf("pool%d", i),
				Log:          testLog(t),
			})
			start(t, p)
			started = append(started, p)
		}
		for i := total / 2; i < total; i++ {
			enqueue(t, db.Client, spec(i))
			started[i%pools].Wake()
		}
		waitFor(t, 20*time.Second, "all tasks to succeed", func() bool {
			n, err := db.Client.Task.Query().Where(task.StatusEQ(task.StatusSucceeded)).Count(sys)
			return err == nil && n == total
		})

		all, err := db.Client.Task.Query().All(sys)
		if err != nil {
			t.Fatal(err)
		}
		if len(all) != total {
			t.Fatalf("%d tasks, want %d", len(all), total)
		}
		owners := map[string]int{}
		for _, tk := range all {
			n, ok := runs.Load(tk.ID)
			if !ok {
				t.Fatalf("task %s succeeded without its handler running", tk.ID)
			}
			if c := n.(*atomic.Int32).Load(); c != 1 {
				t.Errorf("task %s: handler ran %d times", tk.ID, c)
			}
			if tk.Attempts != 1 || tk.FinishedAt == nil || tk.LeaseOwner == nil {
				t.Errorf("task %s: %+v", tk.ID, tk)
			} else {
				owners[*tk.LeaseOwner]++
			}
		}
		if w := wrongTenant.Load(); w != 0 {
			t.Errorf("%d handlers ran without their task's tenant in the context", w)
		}
		t.Logf("tasks per pool: %v", owners)
	})
}

// TestFailures covers what happens to a task whose handler fails.
func TestFailures(t *testing.T) {
	t.Parallel()
	boom := errors.New("boom")
	noBackoff := func(int) time.Duration { return 0 }
	for _, tc := range []struct {
		name        string
		maxAttempts int
		backoff     tasks.BackoffFunc
		// handler's result on the n-th attempt (from 1)
		result func(attempt int) error
		// wantRuns handler runs until the task reaches wantStatus
		wantRuns   int
		wantStatus task.Status
		wantErr    string
		check      func(t *testing.T, tk *ent.Task)
	}{
		{
			name:   "an error is retried after a backoff",
			result: func(int) error { return boom },
			// stays pending: the default backoff is at least 5s
			wantRuns: 1, wantStatus: task.StatusPending, wantErr: "boom",
			check: func(t *testing.T, tk *ent.Task) {
				// updated_at is the failure's time, to within the write.
				if wait := tk.RunAt.Sub(tk.UpdatedAt); wait < tasks.BackoffBase/2-100*time.Millisecond || wait > tasks.BackoffBase {
					t.Errorf("retry %v after the failure, want within [%v, %v]", wait, tasks.BackoffBase/2, tasks.BackoffBase)
				}
				if !tk.RunAt.After(time.Now()) {
					t.Errorf("retry at %v is not in the future", tk.RunAt)
				}
				if tk.LeaseOwner != nil || tk.LeaseExpiresAt != nil || tk.FinishedAt != nil {
					t.Errorf("pending task keeps a lease or finish time: %+v", tk)
				}
			},
		},
		{
			name:     "a permanent error fails at once",
			result:   func(int) error { return fmt.Errorf("parse: %w", tasks.Permanent(boom)) },
			wantRuns: 1, wantStatus: task.StatusFailed, wantErr: "parse: boom",
		},
		{
			name:        "the last attempt's error fails the task",
			maxAttempts: 3, backoff: noBackoff,
			result:   func(n int) error { return fmt.Errorf("boom %d", n) },
			wantRuns: 3, wantStatus: task.StatusFailed, wantErr: "boom 3",
		},
		{
			name:        "a panic counts as a failure",
			maxAttempts: 2, backoff: noBackoff,
			result:   func(n int) error { panic(fmt.Sprintf("kaboom %d", n)) },
			wantRuns: 2, wantStatus: task.StatusFailed, wantErr: "panicked: kaboom 2",
		},
		{
			name:    "success after a failure clears the error",
			backoff: noBackoff,
			result: func(n int) error {
				if n == 1 {
					return boom
				}
				return nil
			},
			wantRuns: 2, wantStatus: task.StatusSucceeded,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			testenv.ForEach(t, func(t *testing.T, b testenv.Backend) {
				db := b.Open(t)
				tk := enqueue(t, db.Client, tasks.Spec{TenantID: newTenant(t, db.Client), Kind: task.KindPackageSync, Key: "x", MaxAttempts: tc.maxAttempts})
				var runs atomic.Int32
				var reg tasks.Registry
				reg.Register(task.KindPackageSync, func(ctx context.Context, t *ent.Task) error {
					runs.Add(1)
					return tc.result(t.Attempts)
				})
				start(t, tasks.NewPool(db.Client, &reg, tasks.PoolOptions{PollInterval: 20 * time.Millisecond, Backoff: tc.backoff, Log: testLog(t)}))
				var got *ent.Task
				waitFor(t, 15*time.Second, fmt.Sprintf("%d runs and status %s", tc.wantRuns, tc.wantStatus), func() bool {
					got = reload(t, db.Client, tk.ID)
					return int(runs.Load()) >= tc.wantRuns && got.Status == tc.wantStatus
				})
				time.Sleep(50 * time.Millisecond) // no further runs
				if n := int(runs.Load()); n != tc.wantRuns {
					t.Fatalf("handler ran %d times, want %d", n, tc.wantRuns)
				}
				if got.Attempts != tc.wantRuns {
					t.Errorf("attempts = %d, want %d", got.Attempts, tc.wantRuns)
				}
				switch {
				case tc.wantErr == "" && got.Error != nil:
					t.Errorf("error = %q, want none", *got.Error)
				case tc.wantErr != "" && (got.Error == nil || !strings.Contains(*got.Error, tc.wantErr)):
					t.Errorf("error = %v, want it to contain %q", got.Error, tc.wantErr)
				}
				if finished := got.Status == task.StatusSucceeded || got.Status == task.StatusFailed; finished != (got.FinishedAt != nil) {
					t.Errorf("status %s with finished_at %v", got.Status, got.FinishedAt)
				}
				if tc.check != nil {
					tc.check(t, got)
				}
			})
		})
	}
}

// TestHeartbeat: a handler that runs for several leases keeps its task.
func TestHeartbeat(t *testing.T) {
	t.Parallel()
	const lease = 1200 * time.Millisecond
	testenv.ForEach(t, func(t *testing.T, b testenv.Backend) {
		db := b.Open(t)
		tk := enqueue(t, db.Client, tasks.Spec{TenantID: newTenant(t, db.Client), Kind: task.KindSyncAll})
		var runs atomic.Int32
		running := make(chan struct{})
		var reg tasks.Registry
		reg.Register(task.KindSyncAll, func(ctx context.Context, _ *ent.Task) error {
			if runs.Add(1) == 1 {
				close(running)
			}
			select {
			case <-time.After(5 * lease / 2):
				return nil
			case <-ctx.Done():
				return context.Cause(ctx)
			}
		})
		start(t, tasks.NewPool(db.Client, &reg, tasks.PoolOptions{Lease: lease, PollInterval: 20 * time.Millisecond, Log: testLog(t)}))
		<-running
		thief := tasks.NewQueue(openAgain(t, db).Client)
		for !statusIs(t, db.Client, tk.ID, task.StatusSucceeded)() {
			if got, err := thief.Claim(sys, "thief", nil, time.Minute); !errors.Is(err, tasks.ErrNoTask) {
				t.Fatalf("a heartbeating task was claimed: %v %v", got, err)
			}
			time.Sleep(50 * time.Millisecond)
		}
		if got := reload(t, db.Client, tk.ID); runs.Load() != 1 || got.Attempts != 1 {
			t.Fatalf("runs=%d attempts=%d, want 1 and 1", runs.Load(), got.Attempts)
		}
	})
}

// TestLeaseLost: a worker whose task was taken from it is told through its
// context, and its result is not written.
func TestLeaseLost(t *testing.T) {
	t.Parallel()
	const lease = time.Second
	testenv.ForEach(t, func(t *testing.T, b testenv.Backend) {
		db := b.Open(t)
		tk := enqueue(t, db.Client, tasks.Spec{TenantID: newTenant(t, db.Client), Kind: task.KindSyncAll})
		running := make(chan struct{})
		cause := make(chan error, 1)
		var runs atomic.Int32
		var reg tasks.Registry
		reg.Register(task.KindSyncAll, func(ctx context.Context, _ *ent.Task) error {
			if runs.Add(1) > 1 {
				return errors.New("ran again")
			}
			close(running)
			<-ctx.Done()
			cause <- context.Cause(ctx)
			return nil // claims success: must not be written
		})
		start(t, tasks.NewPool(db.Client, &reg, tasks.PoolOptions{Lease: lease, PollInterval: 20 * time.Millisecond, Log: testLog(t)}))
		<-running
		// Another claim takes the task, as one would after a missed lease.
		if err := db.Client.Task.UpdateOneID(tk.ID).SetLeaseOwner("thief").AddAttempts(1).SetLeaseExpiresAt(time.Now().Add(time.Hour)).Exec(sys); err != nil {
			t.Fatal(err)
		}
		select {
		case err := <-cause:
			if !errors.Is(err, tasks.ErrLeaseLost) {
				t.Fatalf("handler cancelled with %v, want ErrLeaseLost", err)
			}
		case <-time.After(5 * lease):
			t.Fatal("handler not cancelled after losing its lease")
		}
		if n := runs.Load(); n != 1 {
			t.Fatalf("handler ran %d times", n)
		}
		time.Sleep(100 * time.Millisecond) // let a (wrong) completion land
		if got := reload(t, db.Client, tk.ID); got.Status != task.StatusRunning || *got.LeaseOwner != "thief" || got.Attempts != 2 {
			t.Fatalf("the worker that lost the lease wrote its result: %+v", got)
		}
	})
}

func TestGracefulShutdown(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		// handler finishes when release is closed (ignoring ctx) or, when
		// honourCtx, when its context ends
		honourCtx  bool
		grace      time.Duration
		wantStatus task.Status
		wantTries  int
	}{
		{"running handlers finish within the grace period", false, 10 * time.Second, task.StatusSucceeded, 1},
		{"handlers past the grace period are cancelled and their task released", true, 100 * time.Millisecond, task.StatusPending, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			testenv.ForEach(t, func(t *testing.T, b testenv.Backend) {
				db := b.Open(t)
				tenantID := newTenant(t, db.Client)
				first := enqueue(t, db.Client, tasks.Spec{TenantID: tenantID, Kind: task.KindPackageSync, Key: "1"})
				running := make(chan struct{})
				release := make(chan struct{})
				var inFlight atomic.Int32
				var handlerErr atomic.Value
				var reg tasks.Registry
				reg.Register(task.KindPackageSync, func(ctx context.Context, t *ent.Task) error {
					inFlight.Add(1)
					defer inFlight.Add(-1)
					close(running)
					if tc.honourCtx {
						<-ctx.Done()
						handlerErr.Store(ctx.Err())
						return ctx.Err()
					}
					<-release
					if ctx.Err() != nil {
						handlerErr.Store(ctx.Err())
					}
					return nil
				})
				p := tasks.NewPool(db.Client, &reg, tasks.PoolOptions{Concurrency: 1, ShutdownGrace: tc.grace, PollInterval: 20 * time.Millisecond, Log: testLog(t)})
				ctx, cancel := context.WithCancel(context.Background())
				returned := make(chan error, 1)
				go func() { returned <- p.Run(ctx) }()
				<-running
				// Queued behind the running one (concurrency 1): not started
				// once the shutdown began.
				second := enqueue(t, db.Client, tasks.Spec{TenantID: tenantID, Kind: task.KindPackageSync, Key: "2"})
				stopped := time.Now()
				cancel()
				if tc.honourCtx {
					select {
					case <-returned:
					case <-time.After(5 * time.Second):
						t.Fatal("Run still waits long after the grace period")
					}
					if took := time.Since(stopped); took < tc.grace {
						t.Fatalf("Run returned after %v, before the grace period of %v", took, tc.grace)
					}
				} else {
					select {
					case <-returned:
						t.Fatal("Run returned while a handler was running")
					case <-time.After(200 * time.Millisecond):
					}
					close(release)
					select {
					case <-returned:
					case <-time.After(5 * time.Second):
						t.Fatal("Run did not return after its handler finished")
					}
				}
				if n := inFlight.Load(); n != 0 {
					t.Fatalf("Run returned with %d handlers running", n)
				}
				if err, _ := handlerErr.Load().(error); (err != nil) != tc.honourCtx {
					t.Fatalf("handler context error %v, want one: %v", err, tc.honourCtx)
				}
				got := reload(t, db.Client, first.ID)
				if got.Status != tc.wantStatus || got.Attempts != tc.wantTries {
					t.Fatalf("first task: status %s attempts %d, want %s and %d", got.Status, got.Attempts, tc.wantStatus, tc.wantTries)
				}
				if tc.wantStatus == task.StatusPending && (got.LeaseOwner != nil || got.RunAt.After(time.Now())) {
					t.Fatalf("released task: %+v", got)
				}
				if got := reload(t, db.Client, second.ID); got.Status != task.StatusPending || got.Attempts != 0 {
					t.Fatalf("task enqueued during shutdown was started: %+v", got)
				}
			})
		})
	}
}

func TestProgress(t *testing.T) {
	t.Parallel()
	testenv.ForEach(t, func(t *testing.T, b testenv.Backend) {
		db := b.Open(t)
		tasks.Progress(context.Background(), "outside a handler: ignored")
		var writes atomic.Int32
		db.Client.Task.Use(func(next ent.Mutator) ent.Mutator {
			return hook.TaskFunc(func(ctx context.Context, m *ent.TaskMutation) (ent.Value, error) {
				if _, ok := m.Progress(); ok {
					writes.Add(1)
				}
				return next.Mutate(ctx, m)
			})
		})
		tk := enqueue(t, db.Client, tasks.Spec{TenantID: newTenant(t, db.Client), Kind: task.KindPackageSync, Key: "p"})
		const steps = 300
		seen := make(chan *string, 1)
		var reg tasks.Registry
		reg.Register(task.KindPackageSync, func(ctx context.Context, _ *ent.Task) error {
			for i := 1; i <= steps; i++ {
				tasks.Progress(ctx, fmt.Sprintf("%d/%d tags", i, steps))
				time.Sleep(4 * time.Millisecond) // >= 1.2s in all
				if i == steps/2 {
					var p *string
					if got, err := db.Client.Task.Get(sys, tk.ID); err == nil {
						p = got.Progress
					}
					seen <- p
				}
			}
			return nil
		})
		began := time.Now()
		start(t, tasks.NewPool(db.Client, &reg, tasks.PoolOptions{PollInterval: 20 * time.Millisecond, Log: testLog(t)}))
		if p := <-seen; p == nil || !strings.HasSuffix(*p, "/300 tags") {
			t.Fatalf("progress while running: %v", p)
		}
		waitFor(t, 15*time.Second, "the task to succeed", statusIs(t, db.Client, tk.ID, task.StatusSucceeded))
		took := time.Since(began)
		if got := reload(t, db.Client, tk.ID); got.Progress == nil || *got.Progress != "300/300 tags" {
			t.Fatalf("final progress %v", got.Progress)
		}
		// One write per started second, plus the final one.
		if n, most := writes.Load(), int32(took/time.Second)+2; n < 2 || n > most {
			t.Fatalf("%d progress writes in %v, want 2..%d", n, took, most)
		}
	})
}

func TestWake(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		enqueue func(t *testing.T, client *ent.Client, p *tasks.Pool, spec tasks.Spec)
	}{
		{"Wake after enqueueing", func(t *testing.T, client *ent.Client, p *tasks.Pool, spec tasks.Spec) {
			enqueue(t, client, spec)
			p.Wake()
		}},
		{"WakeOnCommit of the enqueueing transaction", func(t *testing.T, client *ent.Client, p *tasks.Pool, spec tasks.Spec) {
			tx, err := client.Tx(sys)
			if err != nil {
				t.Fatal(err)
			}
			tasks.WakeOnCommit(tx, p)
			if _, _, err := tasks.Enqueue(sys, tx.Client(), spec); err != nil {
				t.Fatal(err)
			}
			if err := tx.Commit(); err != nil {
				t.Fatal(err)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			testenv.ForEach(t, func(t *testing.T, b testenv.Backend) {
				db := b.Open(t)
				ran := make(chan struct{})
				var reg tasks.Registry
				reg.Register(task.KindSyncAll, func(context.Context, *ent.Task) error {
					close(ran)
					return nil
				})
				p := tasks.NewPool(db.Client, &reg, tasks.PoolOptions{PollInterval: time.Hour, Log: testLog(t)})
				start(t, p)
				time.Sleep(50 * time.Millisecond) // the first poll found nothing
				tc.enqueue(t, db.Client, p, tasks.Spec{TenantID: newTenant(t, db.Client), Kind: task.KindSyncAll})
				select {
				case <-ran:
				case <-time.After(5 * time.Second):
					t.Fatal("the woken pool did not run the task")
				}
			})
		})
	}
}

func TestRun(t *testing.T) {
	t.Parallel()
	testenv.ForEach(t, func(t *testing.T, b testenv.Backend) {
		db := b.Open(t)
		for _, reg := range []*tasks.Registry{nil, {}} {
			if err := tasks.NewPool(db.Client, reg, tasks.PoolOptions{}).Run(context.Background()); err == nil {
				t.Fatal("a pool without handlers ran")
			}
		}
		// Handlers registered after NewPool, before Run, are used.
		var reg tasks.Registry
		p := tasks.NewPool(db.Client, &reg, tasks.PoolOptions{PollInterval: 20 * time.Millisecond, Log: testLog(t)})
		reg.Register(task.KindCleanup, func(context.Context, *ent.Task) error { return nil })
		if !strings.Contains(p.Owner(), ":") {
			t.Fatalf("default owner %q", p.Owner())
		}
		stop := start(t, p)
		tk := enqueue(t, db.Client, tasks.Spec{TenantID: newTenant(t, db.Client), Kind: task.KindCleanup})
		waitFor(t, 15*time.Second, "the task to succeed", statusIs(t, db.Client, tk.ID, task.StatusSucceeded))
		if err := p.Run(context.Background()); err == nil {
			t.Fatal("a pool ran twice at once")
		}
		stop()
	})
}

func TestRegisterRejectsMistakes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		kind task.Kind
		h    tasks.Handler
	}{
		{"unknown kind", "nope", func(context.Context, *ent.Task) error { return nil }},
		{"nil handler", task.KindCleanup, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Fatal("Register did not panic")
				}
			}()
			var reg tasks.Registry
			reg.Register(tc.kind, tc.h)
		})
	}
}
