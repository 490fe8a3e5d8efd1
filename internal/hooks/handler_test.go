package hooks_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/gorilla/mux"

	"github.com/cargoman/cargoman/ent/task"
	"github.com/cargoman/cargoman/ent/webhookdelivery"
	"github.com/cargoman/cargoman/internal/bodylimit"
	"github.com/cargoman/cargoman/internal/bootstrap"
	"github.com/cargoman/cargoman/internal/hooks"
	"github.com/cargoman/cargoman/internal/repourl"
	"github.com/cargoman/cargoman/internal/secretbox"
	"github.com/cargoman/cargoman/internal/tenancy"
	"github.com/cargoman/cargoman/internal/testenv"
)

type tenantID string

func (t tenantID) TenantID() string { return string(t) }

type countingWaker struct{ n atomic.Int32 }

func (w *countingWaker) Wake() { w.n.Add(1) }

// TestHandler drives the webhook handler as a service, without the
// server: over a database with one GitHub package and the server-wide
// secret, each delivery gets its status, error code or outcome, and only
// an authenticated push of a new commit queues a sync and wakes the
// workers. The steps run in order: later ones see the deliveries before.
func TestHandler(t *testing.T) {
	testenv.ForEach(t, func(t *testing.T, b testenv.Backend) {
		db := b.Open(t)
		boot, err := bootstrap.Run(context.Background(), db.Client, "")
		if err != nil {
			t.Fatal(err)
		}
		box, err := secretbox.New([]byte("0123456789abcdef0123456789abcdef"))
		if err != nil {
			t.Fatal(err)
		}
		ctx := tenancy.WithTenant(context.Background(), boot.TenantID)
		const repo = "https://github.com/acme/lib"
		if _, err := db.Client.ComposerPackage.Create().SetName("acme/lib").SetType("github").
			SetRepositoryURL(repo).SetRepositoryKey(repourl.Canonical(repo)).Save(ctx); err != nil {
			t.Fatal(err)
		}
		waker := &countingWaker{}
		const secret = "global-webhook-secret"
		r := mux.NewRouter()
		r.Handle("/api/webhooks/{provider}", hooks.New(hooks.Options{
			Client: db.Client, Dialect: db.Dialect, Box: box, Tenant: tenantID(boot.TenantID),
			Secret: []byte(secret), Waker: waker, Log: slog.New(slog.DiscardHandler),
		}))

		after := strings.Repeat("a", 40)
		for _, tc := range []struct {
			name, provider, event, id, body, secret string
			status                                  int
			code, outcome, message                  string
			queued                                  int // sync tasks queued after this step
		}{
			{name: "unknown provider", provider: "svn", event: "push", id: "d0", body: push("acme/lib", "refs/tags/v1.0.0", after, ""), secret: secret,
				status: http.StatusNotFound, code: "NOT_FOUND"},
			{name: "wrong signature", provider: "github", event: "push", id: "d1", body: push("acme/lib", "refs/tags/v1.0.0", after, ""), secret: "not-the-secret",
				status: http.StatusUnauthorized, code: "UNAUTHORIZED"},
			{name: "unsigned", provider: "github", event: "push", id: "d2", body: push("acme/lib", "refs/tags/v1.0.0", after, ""),
				status: http.StatusUnauthorized, code: "UNAUTHORIZED"},
			{name: "malformed body", provider: "github", event: "push", id: "d3", body: `{"ref":`, secret: secret,
				status: http.StatusBadRequest, code: "VALIDATION_ERROR"},
			{name: "body over the limit", provider: "github", event: "push", id: "d4", body: push("acme/lib", "refs/tags/v1.0.0", after, strings.Repeat("x", bodylimit.Webhook)), secret: secret,
				status: http.StatusRequestEntityTooLarge, code: "PAYLOAD_TOO_LARGE"},
			{name: "ping", provider: "github", event: "ping", id: "d5", body: push("acme/lib", "", "", ""), secret: secret,
				status: http.StatusOK, outcome: "ignored", message: "pong"},
			{name: "push of another repository", provider: "github", event: "push", id: "d6", body: push("acme/other", "refs/tags/v1.0.0", after, ""), secret: secret,
				status: http.StatusOK, outcome: "ignored", message: "no package uses this repository"},
			{name: "push", provider: "github", event: "push", id: "d7", body: push("acme/lib", "refs/tags/v1.0.0", after, ""), secret: secret,
				status: http.StatusAccepted, outcome: "queued", queued: 1},
			{name: "the same delivery again", provider: "github", event: "push", id: "d7", body: push("acme/lib", "refs/tags/v1.0.0", after, ""), secret: secret,
				status: http.StatusOK, outcome: "duplicate", queued: 1},
		} {
			t.Run(tc.name, func(t *testing.T) {
				req := httptest.NewRequest(http.MethodPost, "/api/webhooks/"+tc.provider, strings.NewReader(tc.body))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("X-GitHub-Event", tc.event)
				req.Header.Set("X-GitHub-Delivery", tc.id)
				if tc.secret != "" {
					req.Header.Set("X-Hub-Signature-256", sign(tc.secret, tc.body))
				}
				rec := httptest.NewRecorder()
				r.ServeHTTP(rec, req)
				if rec.Code != tc.status {
					t.Fatalf("status %d, want %d: %s", rec.Code, tc.status, rec.Body)
				}
				var out struct {
					answer
					Error struct{ Code string }
				}
				if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
					t.Fatalf("body %q: %v", rec.Body, err)
				}
				if out.Error.Code != tc.code || out.Outcome != tc.outcome || (tc.message != "" && out.Message != tc.message) {
					t.Errorf("body %s, want code %q outcome %q message %q", rec.Body, tc.code, tc.outcome, tc.message)
				}
				n, err := db.Client.Task.Query().Where(task.KindEQ(task.KindPackageSync)).Count(tenancy.WithSystem(ctx))
				if err != nil {
					t.Fatal(err)
				}
				if n != tc.queued || int(waker.n.Load()) != tc.queued {
					t.Errorf("%d sync tasks queued, workers woken %d times; want %d", n, waker.n.Load(), tc.queued)
				}
			})
		}
		// Processed deliveries are recorded; the refused ones as rejected.
		byOutcome := map[webhookdelivery.Outcome]int{}
		rows, err := db.Client.WebhookDelivery.Query().All(tenancy.WithSystem(ctx))
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range rows {
			byOutcome[d.Outcome]++
		}
		if byOutcome[webhookdelivery.OutcomeQueued] != 1 || byOutcome[webhookdelivery.OutcomeIgnored] != 2 {
			t.Errorf("recorded deliveries by outcome: %v", byOutcome)
		}
	})
}
