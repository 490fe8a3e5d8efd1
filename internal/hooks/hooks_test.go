package hooks_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/cargoman/cargoman/ent/composerpackage"
	"github.com/cargoman/cargoman/ent/packageversion"
	"github.com/cargoman/cargoman/ent/task"
	"github.com/cargoman/cargoman/ent/webhookdelivery"
	"github.com/cargoman/cargoman/internal/hooks"
	"github.com/cargoman/cargoman/internal/repourl"
	"github.com/cargoman/cargoman/internal/tenancy"
	"github.com/cargoman/cargoman/internal/testenv"
	"github.com/cargoman/cargoman/internal/webhook"
)

var sys = tenancy.WithSystem(context.Background())

func sign(secret, body string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(body))
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

type answer struct {
	Outcome string   `json:"outcome"`
	Queued  []string `json:"queued"`
	Message string   `json:"message"`
}

// deliver posts a GitHub delivery; secret signs it, bearer presents a
// customer token instead.
func deliver(t *testing.T, s *testenv.Server, event, id, body, secret, bearer string) (int, answer) {
	t.Helper()
	h := map[string]string{"Content-Type": "application/json", "X-GitHub-Event": event, "X-GitHub-Delivery": id}
	if secret != "" {
		h["X-Hub-Signature-256"] = sign(secret, body)
	}
	if bearer != "" {
		h["Authorization"] = "Bearer " + bearer
	}
	r := s.Raw(t, http.MethodPost, "/api/webhooks/github", "", strings.NewReader(body), h)
	var a answer
	if r.Status < 300 {
		r.JSON(t, &a)
	}
	return r.Status, a
}

func push(repo, ref, after, padding string) string {
	b, _ := json.Marshal(map[string]any{
		"ref": ref, "after": after, "padding": padding,
		"repository": map[string]any{"html_url": "https://github.com/" + repo, "clone_url": "https://github.com/" + repo + ".git"},
	})
	return string(b)
}

func create(t *testing.T, s *testenv.Server, body map[string]any) {
	t.Helper()
	if r := s.Do(t, http.MethodPost, "/api/v1/packages", testenv.RootToken, body); r.Status != http.StatusCreated {
		t.Fatalf("create %v: %d %s", body["name"], r.Status, r.Body)
	}
}

// TestUnauthenticatedDeliveryStoresNoBody: a delivery that fails its
// signature keeps only provider, event, id and a short reason, and no more
// than hooks.MaxRejectedPerHour of them are stored per hour.
func TestUnauthenticatedDeliveryStoresNoBody(t *testing.T) {
	testenv.ForEach(t, func(t *testing.T, b testenv.Backend) {
		s := testenv.StartServer(t, b)
		create(t, s, map[string]any{"name": "acme/hooked", "type": "github", "repository_url": "https://github.com/acme/hooked.git", "webhook_secret": "pkg-secret"})
		big := strings.Repeat("x", 200<<10)
		for _, tc := range []struct{ name, repo, secret string }{
			{"bad signature, known package", "acme/hooked", "wrong"},
			{"unsigned, unknown repository", "acme/unknown", ""},
		} {
			status, _ := deliver(t, s, "push", "bad-"+tc.repo, push(tc.repo, "refs/heads/main", "", big), tc.secret, "")
			if status != http.StatusUnauthorized {
				t.Fatalf("%s: %d, want 401", tc.name, status)
			}
		}
		rows, err := s.DB.Client.WebhookDelivery.Query().WithPackages().All(sys)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 2 {
			t.Fatalf("stored %d deliveries, want 2", len(rows))
		}
		for _, d := range rows {
			if d.Outcome != webhookdelivery.OutcomeRejected || d.Event != "push" || !strings.HasPrefix(d.DeliveryID, "bad-") {
				t.Errorf("delivery %+v", d)
			}
			if d.RepositoryURL != nil || len(d.Edges.Packages) != 0 {
				t.Errorf("unauthenticated delivery %s kept payload data: repository %v, packages %d", d.DeliveryID, d.RepositoryURL, len(d.Edges.Packages))
			}
			if d.Error == nil || *d.Error == "" || len(*d.Error) > webhook.MaxReasonLen {
				t.Errorf("reason of %s: %v", d.DeliveryID, d.Error)
			}
		}

		// A flood is answered but stored only up to the cap.
		for i := range hooks.MaxRejectedPerHour + 5 {
			if status, _ := deliver(t, s, "push", fmt.Sprintf("flood-%d", i), push("acme/hooked", "refs/heads/main", "", ""), "wrong", ""); status != http.StatusUnauthorized {
				t.Fatalf("flood %d: %d", i, status)
			}
		}
		n, err := s.DB.Client.WebhookDelivery.Query().Where(webhookdelivery.OutcomeEQ(webhookdelivery.OutcomeRejected)).Count(sys)
		if err != nil || n != hooks.MaxRejectedPerHour {
			t.Fatalf("stored %d rejected deliveries (%v), want the cap %d", n, err, hooks.MaxRejectedPerHour)
		}
	})
}

// TestReplayWithNewDeliveryIDDoesNotResync: a push the package already
// synced, sent again under a new delivery id, queues nothing; a push of a
// new commit still does.
func TestReplayWithNewDeliveryIDDoesNotResync(t *testing.T) {
	testenv.ForEach(t, func(t *testing.T, b testenv.Backend) {
		s := testenv.StartServer(t, b)
		repo := testenv.NewGitRepo(t)
		repo.Commit("1.0.0", map[string]string{"composer.json": testenv.ComposerJSON("acme/lib", "")})
		repo.Git("tag", "1.0.0")
		create(t, s, map[string]any{"name": "acme/lib", "type": "git", "repository_url": repo.Dir})
		// The package mirrors github.com/acme/lib from a local clone.
		key := repourl.Canonical("https://github.com/acme/lib")
		if err := s.DB.Client.ComposerPackage.Update().Where(composerpackage.Name("acme/lib")).SetRepositoryKey(key).Exec(sys); err != nil {
			t.Fatal(err)
		}
		pkg, err := s.DB.Client.ComposerPackage.Query().Where(composerpackage.Name("acme/lib")).Only(sys)
		if err != nil {
			t.Fatal(err)
		}
		syncs := func() int {
			n, err := s.DB.Client.Task.Query().Where(task.KindEQ(task.KindPackageSync), task.Key(pkg.ID)).Count(sys)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		waitMain := func(commit string) {
			deadline := time.Now().Add(60 * time.Second)
			for {
				v, err := s.DB.Client.PackageVersion.Query().Where(packageversion.PackageID(pkg.ID), packageversion.Version("dev-main")).Only(sys)
				pending, _ := s.DB.Client.Task.Query().Where(task.Key(pkg.ID), task.StatusIn(task.StatusPending, task.StatusRunning)).Exist(sys)
				if err == nil && v.Reference == commit && !pending {
					return
				}
				if time.Now().After(deadline) {
					t.Fatalf("dev-main did not reach %s: %v %v", commit, v, err)
				}
				time.Sleep(50 * time.Millisecond)
			}
		}

		next := repo.Commit("next", map[string]string{"src/Next.php": "<?php"})
		body := push("acme/lib", "refs/heads/main", next, "")
		if status, a := deliver(t, s, "push", "d-1", body, testenv.WebhookSecret, ""); status != http.StatusAccepted || a.Outcome != "queued" {
			t.Fatalf("push: %d %+v", status, a)
		}
		waitMain(next)
		before := syncs()

		for _, id := range []string{"d-2", "d-3"} {
			status, a := deliver(t, s, "push", id, body, testenv.WebhookSecret, "")
			if status != http.StatusOK || a.Outcome != "ignored" {
				t.Fatalf("replay as %s: %d %+v, want 200 ignored", id, status, a)
			}
		}
		// Deleting a branch the package never had is nothing to do either.
		if status, a := deliver(t, s, "push", "d-4", push("acme/lib", "refs/heads/gone", webhook.ZeroCommit, ""), testenv.WebhookSecret, ""); status != http.StatusOK || a.Outcome != "ignored" {
			t.Fatalf("deletion of an unknown branch: %d %+v", status, a)
		}
		if after := syncs(); after != before {
			t.Fatalf("replays queued %d syncs", after-before)
		}

		// New commits, a moved tag or a push without "after" still sync.
		newer := repo.Commit("newer", map[string]string{"src/Newer.php": "<?php"})
		for i, body := range []string{
			push("acme/lib", "refs/heads/main", newer, ""),
			push("acme/lib", "refs/tags/1.0.0", next, ""),
			push("acme/lib", "refs/heads/main", "", ""),
		} {
			if status, a := deliver(t, s, "push", fmt.Sprintf("n-%d", i), body, testenv.WebhookSecret, ""); status != http.StatusAccepted || a.Outcome != "queued" {
				t.Fatalf("push %d: %d %+v", i, status, a)
			}
		}
	})
}

// TestDeliveryIDScopedPerPackage: a delivery id someone used for one
// package (here a customer's webhook token) does not make the provider's
// delivery of that id for another package a duplicate.
func TestDeliveryIDScopedPerPackage(t *testing.T) {
	testenv.ForEach(t, func(t *testing.T, b testenv.Backend) {
		s := testenv.StartServer(t, b)
		create(t, s, map[string]any{"name": "acme/a", "type": "github", "repository_url": "https://github.com/acme/a.git"})
		create(t, s, map[string]any{"name": "acme/b", "type": "github", "repository_url": "https://github.com/acme/b.git"})
		var cu struct{ ID string }
		r := s.Do(t, http.MethodPost, "/api/v1/customers", testenv.RootToken, map[string]any{"name": "Acme Corp"})
		r.JSON(t, &cu)
		if r := s.Do(t, http.MethodPost, "/api/v1/customers/"+cu.ID+"/packages", testenv.RootToken, map[string]any{"package": "acme/a", "constraint": "*"}); r.Status != http.StatusCreated {
			t.Fatalf("grant: %d %s", r.Status, r.Body)
		}
		var tok struct {
			PlainToken string `json:"plain_token"`
		}
		s.Do(t, http.MethodPost, "/api/v1/customers/"+cu.ID+"/tokens", testenv.RootToken, map[string]any{"name": "hook", "scope": "webhook"}).JSON(t, &tok)

		for _, step := range []struct {
			name, repo, id, secret, bearer string
			status                         int
			outcome                        string
		}{
			{"customer claims an id for a package it cannot sync", "acme/b", "gh-X", "", tok.PlainToken, 200, "ignored"},
			{"customer uses an id for its own package", "acme/a", "gh-Y", "", tok.PlainToken, 202, "queued"},
			{"provider's delivery of the first id", "acme/b", "gh-X", testenv.WebhookSecret, "", 202, "queued"},
			{"provider's delivery of the second id, other package", "acme/b", "gh-Y", testenv.WebhookSecret, "", 202, "queued"},
			{"replay of an id the package took", "acme/b", "gh-X", testenv.WebhookSecret, "", 200, "duplicate"},
			{"replay to the customer's package", "acme/a", "gh-Y", testenv.WebhookSecret, "", 200, "duplicate"},
		} {
			status, a := deliver(t, s, "push", step.id, push(step.repo, "refs/heads/main", "", ""), step.secret, step.bearer)
			if status != step.status || a.Outcome != step.outcome {
				t.Fatalf("%s: %d %+v, want %d %s", step.name, status, a, step.status, step.outcome)
			}
		}
	})
}
