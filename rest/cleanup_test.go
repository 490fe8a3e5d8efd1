package rest_test

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/cargoman/cargoman/ent/task"
	"github.com/cargoman/cargoman/internal/tenancy"
	"github.com/cargoman/cargoman/internal/testenv"
)

// POST /api/v1/tasks/cleanup queues a cleanup due now and returns it, not
// the daily one scheduled for later; the returned task runs.
func TestCleanupTaskRunsNow(t *testing.T) {
	testenv.ForEach(t, func(t *testing.T, b testenv.Backend) {
		s := testenv.StartServer(t, b)
		ctx := tenancy.WithSystem(t.Context())
		// The daily cleanup is scheduled at start, due in an hour.
		var scheduled string
		for deadline := time.Now().Add(10 * time.Second); scheduled == ""; {
			ids, err := s.DB.Client.Task.Query().Where(task.KindEQ(task.KindCleanup), task.StatusEQ(task.StatusPending)).IDs(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(ids) == 1 {
				scheduled = ids[0]
			}
			if time.Now().After(deadline) {
				t.Fatal("no daily cleanup was scheduled at start")
			}
			time.Sleep(20 * time.Millisecond)
		}

		asked := time.Now()
		r := s.Do(t, http.MethodPost, "/api/v1/tasks/cleanup", root, nil)
		if r.Status != http.StatusAccepted {
			t.Fatalf("POST /api/v1/tasks/cleanup: %d %s", r.Status, r.Body)
		}
		type taskJSON struct {
			ID    string    `json:"id"`
			Kind  string    `json:"kind"`
			RunAt time.Time `json:"run_at"`
		}
		var out struct {
			taskJSON
			Task *taskJSON `json:"task"`
		}
		if err := json.Unmarshal(r.Body, &out); err != nil {
			t.Fatalf("decode %s: %v", r.Body, err)
		}
		got := out.taskJSON
		if out.Task != nil {
			got = *out.Task
		}
		if got.ID == scheduled || got.Kind != "cleanup" || got.RunAt.After(asked.Add(time.Second)) {
			t.Fatalf("returned %+v (the scheduled cleanup is %s): want a cleanup due now", got, scheduled)
		}

		for deadline := time.Now().Add(20 * time.Second); ; {
			var res struct{ Task struct{ Status string } }
			s.MustGraphQL(t, root, `query($id: ID!) { task(id: $id) { status } }`, map[string]any{"id": got.ID}, &res)
			if res.Task.Status == "succeeded" {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("the cleanup did not run: status %s", res.Task.Status)
			}
			time.Sleep(50 * time.Millisecond)
		}
		// The daily one is still scheduled.
		if st, err := s.DB.Client.Task.Get(ctx, scheduled); err != nil || st.Status != task.StatusPending {
			t.Fatalf("the scheduled cleanup: %+v, %v", st, err)
		}
	})
}
