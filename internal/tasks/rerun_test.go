package tasks_test

import (
	"errors"
	"testing"
	"time"

	"github.com/cargoman/cargoman/ent/task"
	"github.com/cargoman/cargoman/internal/tasks"
	"github.com/cargoman/cargoman/internal/testenv"
)

// TestRerun: work requested while its task runs (say a push arriving during
// a sync) is not merged into the running task, which may have read the old
// state: the task runs once more after it finishes.
func TestRerun(t *testing.T) {
	testenv.ForEach(t, func(t *testing.T, b testenv.Backend) {
		db := b.Open(t)
		q := tasks.NewQueue(db.Client)
		tenant := newTenant(t, db.Client)
		for _, tc := range []struct {
			name    string
			outcome error
			want    task.Status
		}{
			{"after success", nil, task.StatusPending},
			{"after a permanent failure", tasks.Permanent(errors.New("boom")), task.StatusPending},
		} {
			t.Run(tc.name, func(t *testing.T) {
				spec := tasks.Spec{TenantID: tenant, Kind: task.KindPackageSync, Key: "pkg_" + tc.name}
				first := enqueue(t, db.Client, spec)
				claimed, err := q.Claim(sys, "w1", []task.Kind{task.KindPackageSync}, time.Minute)
				if err != nil || claimed.ID != first.ID {
					t.Fatalf("claim: %v %v", claimed, err)
				}
				again, created, err := tasks.Enqueue(sys, db.Client, spec)
				if err != nil || created || again.ID != first.ID || !again.Rerun {
					t.Fatalf("enqueue while running: %+v created=%v err=%v", again, created, err)
				}
				status, err := q.Complete(sys, claimed, tc.outcome)
				if err != nil || status != tc.want {
					t.Fatalf("complete: %v %v", status, err)
				}
				back := reload(t, db.Client, first.ID)
				if back.Status != task.StatusPending || back.Rerun || back.Attempts != 0 {
					t.Fatalf("after completion: %+v", back)
				}
				second, err := q.Claim(sys, "w2", []task.Kind{task.KindPackageSync}, time.Minute)
				if err != nil || second.ID != first.ID {
					t.Fatalf("second claim: %v %v", second, err)
				}
				if status, err := q.Complete(sys, second, nil); err != nil || status != task.StatusSucceeded {
					t.Fatalf("second completion: %v %v", status, err)
				}
				if n := active(t, db.Client, tenant); n != 0 {
					t.Fatalf("%d active tasks left", n)
				}
			})
		}
	})
}
