package rest_test

import (
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/cargoman/cargoman/internal/testenv"
)

// syncState is the part of a package answer that tells how syncs went.
type syncState struct {
	SyncedAt      *string `json:"synced_at"`
	LastAttemptAt *string `json:"last_attempt_at"`
	SyncError     *string `json:"sync_error"`
	CurrentTask   *struct {
		Key     string  `json:"key"`
		Package *string `json:"package"`
	} `json:"current_task"`
}

// TestSyncStateSeparatesAttemptFromSuccess: synced_at is the last
// successful sync and last_attempt_at every attempt, so a package whose
// clone failed keeps the time of its last good sync next to the error;
// task answers name the package next to its id.
func TestSyncStateSeparatesAttemptFromSuccess(t *testing.T) {
	testenv.ForEach(t, func(t *testing.T, b testenv.Backend) {
		s := testenv.StartServer(t, b)
		repo := testenv.NewGitRepo(t)
		repo.Commit("init", map[string]string{"composer.json": testenv.ComposerJSON("acme/state", "")})
		repo.Git("tag", "v1.0.0")

		var created struct {
			Package struct {
				ID string `json:"id"`
			} `json:"package"`
			Task struct {
				Key     string  `json:"key"`
				Package *string `json:"package"`
			} `json:"task"`
		}
		resp := s.Do(t, http.MethodPost, "/api/v1/packages", root, map[string]any{"name": "acme/state", "type": "git", "repository_url": repo.Dir})
		if resp.Status != http.StatusCreated {
			t.Fatalf("create: %d %s", resp.Status, resp.Body)
		}
		resp.JSON(t, &created)
		if created.Task.Key != created.Package.ID || created.Task.Package == nil || *created.Task.Package != "acme/state" {
			t.Fatalf("created task = %+v, want key %s and package acme/state", created.Task, created.Package.ID)
		}

		good := waitAttempt(t, s, "acme/state", "")
		if good.SyncError != nil || good.SyncedAt == nil || *good.SyncedAt != *good.LastAttemptAt {
			t.Fatalf("after a good sync: %+v, want synced_at = last_attempt_at and no error", good)
		}

		if err := os.RemoveAll(repo.Dir); err != nil {
			t.Fatal(err)
		}
		var queued struct {
			Key     string  `json:"key"`
			Package *string `json:"package"`
		}
		resp = s.Do(t, http.MethodPost, "/api/v1/packages/acme/state/sync", root, nil)
		if resp.Status != http.StatusAccepted {
			t.Fatalf("sync: %d %s", resp.Status, resp.Body)
		}
		resp.JSON(t, &queued)
		if queued.Package == nil || *queued.Package != "acme/state" {
			t.Fatalf("sync task = %+v, want package acme/state", queued)
		}

		bad := waitAttempt(t, s, "acme/state", *good.LastAttemptAt)
		if bad.SyncError == nil {
			t.Fatalf("after a failed sync: %+v, want a sync_error", bad)
		}
		if bad.SyncedAt == nil || *bad.SyncedAt != *good.SyncedAt {
			t.Fatalf("after a failed sync synced_at = %v, want the last good sync %s", bad.SyncedAt, *good.SyncedAt)
		}

		var tasks []struct {
			Key     string  `json:"key"`
			Package *string `json:"package"`
		}
		s.Do(t, http.MethodGet, "/api/v1/tasks?kind=package_sync", root, nil).JSON(t, &tasks)
		if len(tasks) == 0 {
			t.Fatal("no package_sync tasks listed")
		}
		for _, task := range tasks {
			if task.Key != created.Package.ID || task.Package == nil || *task.Package != "acme/state" {
				t.Fatalf("listed task = %+v, want key %s and package acme/state", task, created.Package.ID)
			}
		}
	})
}

// waitAttempt polls the package until a sync attempt later than since
// (RFC 3339; empty for any) has been recorded.
func waitAttempt(t *testing.T, s *testenv.Server, name, since string) syncState {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		var p syncState
		resp := s.Do(t, http.MethodGet, "/api/v1/packages/"+name, root, nil)
		if resp.Status != http.StatusOK {
			t.Fatalf("GET package: %d %s", resp.Status, resp.Body)
		}
		resp.JSON(t, &p)
		// A failed attempt may leave a retry queued: only the first wait
		// also waits for the task to be done.
		if p.LastAttemptAt != nil && *p.LastAttemptAt != since && (since != "" || p.CurrentTask == nil) {
			return p
		}
		if time.Now().After(deadline) {
			t.Fatalf("no sync attempt of %s after %q: %s", name, since, resp.Body)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
