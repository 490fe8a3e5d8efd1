// Package hooks serves the git-provider webhook endpoints
// (/api/webhooks/github, /gitlab, /bitbucket): it checks the signature (or
// a customer's webhook-scoped token), records every delivery, ignores
// replays, and queues a sync of each package whose repository the push was
// for.
package hooks

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"time"

	"github.com/gorilla/mux"

	"github.com/cargoman/cargoman/ent"
	"github.com/cargoman/cargoman/ent/composerpackage"
	"github.com/cargoman/cargoman/ent/webhookdelivery"
	"github.com/cargoman/cargoman/internal/access"
	"github.com/cargoman/cargoman/internal/apperr"
	"github.com/cargoman/cargoman/internal/auth"
	"github.com/cargoman/cargoman/internal/bodylimit"
	"github.com/cargoman/cargoman/internal/database"
	"github.com/cargoman/cargoman/internal/httperr"
	"github.com/cargoman/cargoman/internal/packages"
	"github.com/cargoman/cargoman/internal/repourl"
	"github.com/cargoman/cargoman/internal/secretbox"
	"github.com/cargoman/cargoman/internal/tasks"
	"github.com/cargoman/cargoman/internal/tenancy"
	"github.com/cargoman/cargoman/internal/webhook"
)

// Handler serves webhook deliveries.
type Handler struct {
	client  *ent.Client
	dialect string
	box     *secretbox.Box
	// tenant is the default tenant, read at every delivery: it changes
	// when the database is replaced under a running instance.
	tenant interface{ TenantID() string }
	global []byte
	waker  tasks.Waker
	log    *slog.Logger
	// customers resolves customer tokens; nil accepts signatures only.
	customers Customers
}

// Customers resolves customer credentials and what they may install
// (access.Service).
type Customers interface {
	auth.CustomerResolver
	Entitlement(ctx context.Context, cred *auth.Caller, name string) (*access.Entitlement, error)
}

// AcceptCustomerTokens lets customers trigger syncs with a webhook-scoped
// token instead of a signature, for packages they may install, presented
// as auth.Presented reads it at webhooks (Authorization, X-Api-Key,
// GitLab's X-Gitlab-Token or the query parameter token).
func (h *Handler) AcceptCustomerTokens(c Customers) { h.customers = c }

// Options configure the webhook handler.
type Options struct {
	Client *ent.Client
	// Dialect is the database's (database.DB.Dialect).
	Dialect string
	// Box decrypts packages' own webhook secrets.
	Box *secretbox.Box
	// Tenant is the default tenant, read at every delivery.
	Tenant interface{ TenantID() string }
	// Secret is the server-wide webhook secret (may be empty); packages
	// may have secrets of their own.
	Secret []byte
	// Waker is woken when a delivery queues a sync.
	Waker tasks.Waker
	Log   *slog.Logger
}

// New returns the handler.
func New(o Options) *Handler {
	return &Handler{client: o.Client, dialect: o.Dialect, box: o.Box, tenant: o.Tenant, global: o.Secret, waker: o.Waker, log: o.Log}
}

// result is the JSON answer to a delivery.
type result struct {
	Delivery string   `json:"delivery_id,omitempty"`
	Outcome  string   `json:"outcome"`
	Queued   []string `json:"queued,omitempty"`
	Message  string   `json:"message,omitempty"`
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	provider, err := webhook.ParseProvider(mux.Vars(r)["provider"])
	if err != nil {
		httperr.REST(w, apperr.NotFoundf("no webhook endpoint for %q", mux.Vars(r)["provider"]))
		return
	}
	ctx := tenancy.WithTenant(r.Context(), h.tenant.TenantID())
	customer, err := h.customer(r)
	if err != nil {
		httperr.REST(w, asAppErr(err))
		return
	}
	if customer != nil {
		ctx = tenancy.WithTenant(r.Context(), customer.Customer.TenantID)
	}
	// The signature covers the exact raw bytes, so the body is read
	// whole, within the webhook limit.
	body, err := bodylimit.Read(w, r, bodylimit.Webhook)
	if err != nil {
		httperr.REST(w, asAppErr(err))
		return
	}
	d, parseErr := webhook.Parse(provider, r.Header, body)
	var candidates []*ent.ComposerPackage
	if parseErr == nil {
		if candidates, err = h.candidates(ctx, d); err != nil {
			h.fail(w, err)
			return
		}
	}
	if customer != nil {
		h.serveCustomer(ctx, w, provider, d, parseErr, candidates, customer)
		return
	}
	secrets, owners := h.secrets(candidates)
	if len(secrets) == 0 {
		h.reject(ctx, provider, d, "no webhook secret is configured for this repository")
		httperr.REST(w, apperr.New(apperr.Unauthorized, "no webhook secret is configured for this repository"))
		return
	}
	idx, err := webhook.Verify(provider, r.Header, body, secrets)
	if err != nil {
		h.reject(ctx, provider, d, err.Error())
		httperr.REST(w, apperr.New(apperr.Unauthorized, "%s", err.Error()))
		return
	}
	if parseErr != nil {
		h.reject(ctx, provider, nil, parseErr.Error())
		httperr.REST(w, apperr.New(apperr.Validation, "%s", parseErr.Error()))
		return
	}
	matched := candidates
	if owners[idx] != nil {
		matched = []*ent.ComposerPackage{owners[idx]}
	}
	h.process(ctx, w, provider, d, matched)
}

// process handles an authenticated delivery. A delivery id is processed
// once per package: packages that already took it make it a duplicate.
// Pings and other events are recorded as ignored, and so is a push whose
// refs are already at the commits the package recorded (a replay under a
// new delivery id); other pushes queue syncs of the matched packages.
func (h *Handler) process(ctx context.Context, w http.ResponseWriter, provider webhook.Provider, d *webhook.Delivery, matched []*ent.ComposerPackage) {
	var out result
	duplicate := false
	err := database.InTx(ctx, h.client, func(c *ent.Client) error {
		// The check and the insert are atomic per delivery id: a racing
		// replay waits here and then finds the packages taken.
		tenantID, _ := tenancy.FromContext(ctx)
		if err := database.LockKey(ctx, c, h.dialect, "webhook-delivery:"+tenantID+":"+string(provider)+":"+d.ID); err != nil {
			return err
		}
		fresh, err := h.unseen(ctx, c, provider, d.ID, matched)
		if err != nil {
			return err
		}
		if len(matched) > 0 && len(fresh) == 0 {
			duplicate = true
			return nil
		}
		var stale []*ent.ComposerPackage
		if d.ShouldSync() && len(fresh) > 0 {
			if stale, err = h.stale(ctx, c, d, fresh); err != nil {
				return err
			}
		}
		if len(stale) == 0 {
			msg := "nothing to do for this event"
			switch {
			case d.Ping:
				msg = "pong"
			case len(fresh) == 0 && d.ShouldSync():
				msg = "no package uses this repository"
			case d.ShouldSync():
				msg = "the packages are already at these commits"
			}
			out = result{Delivery: d.ID, Outcome: "ignored", Message: msg}
			return h.insert(ctx, c, provider, d, webhookdelivery.OutcomeIgnored, fresh)
		}
		names, err := h.queue(ctx, c, provider, d, fresh, stale)
		out = result{Delivery: d.ID, Outcome: "queued", Queued: names}
		return err
	})
	if err != nil {
		h.fail(w, err)
		return
	}
	if duplicate {
		h.answerDuplicate(ctx, w, provider, d)
		return
	}
	if out.Outcome == "ignored" {
		writeJSON(w, http.StatusOK, out)
		return
	}
	if h.waker != nil {
		h.waker.Wake()
	}
	writeJSON(w, http.StatusAccepted, out)
}

// candidates are the packages whose repository the delivery names.
func (h *Handler) candidates(ctx context.Context, d *webhook.Delivery) ([]*ent.ComposerPackage, error) {
	keys := make([]string, 0, len(d.RepositoryURLs))
	for _, u := range d.RepositoryURLs {
		if k := repourl.Canonical(u); k != "" {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return nil, nil
	}
	pkgs, err := h.client.ComposerPackage.Query().
		Where(composerpackage.RepositoryKeyIn(keys...)).
		All(ctx)
	if err != nil {
		return nil, fmt.Errorf("hooks: match packages: %w", err)
	}
	return pkgs, nil
}

// secrets lists the secrets a delivery may be signed with: the global one
// (owner nil: valid for every candidate) and each candidate's own.
func (h *Handler) secrets(candidates []*ent.ComposerPackage) ([][]byte, []*ent.ComposerPackage) {
	var secrets [][]byte
	var owners []*ent.ComposerPackage
	if len(h.global) > 0 {
		secrets = append(secrets, h.global)
		owners = append(owners, nil)
	}
	for _, p := range candidates {
		if len(p.WebhookSecret) == 0 {
			continue
		}
		plain, err := h.box.Open(p.WebhookSecret, []byte(p.ID))
		if err != nil {
			h.log.Warn("webhook secret cannot be decrypted", "package", p.Name, "err", err)
			continue
		}
		secrets = append(secrets, plain)
		owners = append(owners, p)
	}
	return secrets, owners
}

// unseen returns the packages of matched that have not processed delivery
// id yet.
func (h *Handler) unseen(ctx context.Context, c *ent.Client, provider webhook.Provider, id string, matched []*ent.ComposerPackage) ([]*ent.ComposerPackage, error) {
	if len(matched) == 0 {
		return nil, nil
	}
	pkgIDs := make([]string, len(matched))
	for i, p := range matched {
		pkgIDs[i] = p.ID
	}
	taken, err := c.WebhookDelivery.Query().
		Where(
			webhookdelivery.ProviderEQ(webhookdelivery.Provider(provider)),
			webhookdelivery.DeliveryID(id),
			webhookdelivery.OutcomeIn(webhookdelivery.OutcomeQueued, webhookdelivery.OutcomeIgnored),
		).
		QueryPackages().
		Where(composerpackage.IDIn(pkgIDs...)).
		IDs(ctx)
	if err != nil {
		return nil, fmt.Errorf("hooks: look up earlier deliveries: %w", err)
	}
	var fresh []*ent.ComposerPackage
	for _, p := range matched {
		if !slices.Contains(taken, p.ID) {
			fresh = append(fresh, p)
		}
	}
	return fresh, nil
}

// queue records the delivery as queued for the matched packages and
// queues syncs of the stale ones.
func (h *Handler) queue(ctx context.Context, c *ent.Client, provider webhook.Provider, d *webhook.Delivery, matched, stale []*ent.ComposerPackage) ([]string, error) {
	if err := h.insert(ctx, c, provider, d, webhookdelivery.OutcomeQueued, matched); err != nil {
		return nil, err
	}
	var names []string
	for _, p := range stale {
		if _, _, err := packages.QueueSync(ctx, c, p); err != nil {
			return nil, err
		}
		names = append(names, p.Name)
	}
	return names, nil
}

// insert records an accepted delivery (rejected ones go through reject).
func (h *Handler) insert(ctx context.Context, c *ent.Client, provider webhook.Provider, d *webhook.Delivery, outcome webhookdelivery.Outcome, pkgs []*ent.ComposerPackage) error {
	create := c.WebhookDelivery.Create().
		SetProvider(webhookdelivery.Provider(provider)).
		SetEvent(d.Event).
		SetDeliveryID(d.ID).
		SetOutcome(outcome).
		AddPackages(pkgs...)
	if len(d.RepositoryURLs) > 0 {
		create.SetRepositoryURL(d.RepositoryURLs[0])
	}
	return create.Exec(ctx)
}

// MaxRejectedPerHour caps the rejected deliveries stored per tenant and
// hour. Anyone can send them; beyond the cap they are still answered but
// no longer stored.
const MaxRejectedPerHour = 100

// reject stores a delivery that failed authentication or parsing. The
// caller proved nothing, so nothing from the body is kept: provider, event,
// delivery id (both plausible header values, or placeholders when the
// delivery did not parse) and the reason, clipped to
// webhook.MaxReasonLen bytes. Failures are only logged.
func (h *Handler) reject(ctx context.Context, provider webhook.Provider, d *webhook.Delivery, reason string) {
	event, id := "unknown", "unparsed"
	if d != nil {
		event, id = d.Event, d.ID
	}
	tenantID, _ := tenancy.FromContext(ctx)
	since := time.Now().UTC().Truncate(time.Microsecond).Add(-time.Hour)
	err := database.InTx(ctx, h.client, func(c *ent.Client) error {
		if err := database.LockKey(ctx, c, h.dialect, "webhook-rejected:"+tenantID); err != nil {
			return err
		}
		n, err := c.WebhookDelivery.Query().
			Where(webhookdelivery.OutcomeEQ(webhookdelivery.OutcomeRejected), webhookdelivery.CreatedAtGT(since)).
			Count(ctx)
		if err != nil || n >= MaxRejectedPerHour {
			return err
		}
		return c.WebhookDelivery.Create().
			SetProvider(webhookdelivery.Provider(provider)).
			SetEvent(event).
			SetDeliveryID(id).
			SetOutcome(webhookdelivery.OutcomeRejected).
			SetError(webhook.ClipReason(reason)).
			Exec(ctx)
	})
	if err != nil {
		h.log.Warn("record rejected webhook delivery", "provider", provider, "err", err)
	}
}

// answerDuplicate records and answers a delivery seen before; a failure to
// record is only logged, since the answer does not depend on it.
func (h *Handler) answerDuplicate(ctx context.Context, w http.ResponseWriter, provider webhook.Provider, d *webhook.Delivery) {
	if err := h.insert(ctx, h.client, provider, d, webhookdelivery.OutcomeDuplicate, nil); err != nil {
		h.log.Warn("record webhook delivery", "provider", provider, "err", err)
	}
	writeJSON(w, http.StatusOK, result{Delivery: d.ID, Outcome: "duplicate", Message: "this delivery was already processed"})
}

func (h *Handler) fail(w http.ResponseWriter, err error) {
	h.log.Error("webhook delivery", "err", err)
	httperr.REST(w, apperr.New(apperr.Internal, "internal error"))
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
