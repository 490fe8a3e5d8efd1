package auth

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/cargoman/cargoman/ent"
	"github.com/cargoman/cargoman/ent/admintoken"
	"github.com/cargoman/cargoman/ent/customertoken"
	"github.com/cargoman/cargoman/internal/tenancy"
)

// UsageRecorder remembers when tokens were last used and writes it in
// batches, so that authenticating a request costs no database write.
type UsageRecorder struct {
	client *ent.Client
	mu     sync.Mutex
	seen   map[string]time.Time
	// customer holds customer tokens (Composer requests), seen CMA tokens.
	customer map[string]time.Time
}

// NewUsageRecorder returns a recorder writing through client.
func NewUsageRecorder(client *ent.Client) *UsageRecorder {
	return &UsageRecorder{client: client, seen: map[string]time.Time{}, customer: map[string]time.Time{}}
}

// Touch notes that token id was used now.
func (u *UsageRecorder) Touch(id string) {
	now := time.Now().UTC().Truncate(time.Second)
	u.mu.Lock()
	u.seen[id] = now
	u.mu.Unlock()
}

// TouchCustomerToken notes that customer token id was used now.
func (u *UsageRecorder) TouchCustomerToken(id string) {
	now := time.Now().UTC().Truncate(time.Second)
	u.mu.Lock()
	u.customer[id] = now
	u.mu.Unlock()
}

// Flush writes what was noted since the last flush.
func (u *UsageRecorder) Flush(ctx context.Context) error {
	u.mu.Lock()
	batch, customers := u.seen, u.customer
	u.seen = make(map[string]time.Time, len(batch))
	u.customer = make(map[string]time.Time, len(customers))
	u.mu.Unlock()
	ctx = tenancy.WithSystem(ctx)
	for id, at := range batch {
		err := u.client.AdminToken.Update().
			Where(admintoken.ID(id), admintoken.Or(admintoken.LastUsedAtIsNil(), admintoken.LastUsedAtLT(at))).
			SetLastUsedAt(at).
			Exec(ctx)
		if err != nil {
			return fmt.Errorf("auth: record last use of %s: %w", id, err)
		}
	}
	for id, at := range customers {
		err := u.client.CustomerToken.Update().
			Where(customertoken.ID(id), customertoken.Or(customertoken.LastUsedAtIsNil(), customertoken.LastUsedAtLT(at))).
			SetLastUsedAt(at).
			Exec(ctx)
		if err != nil {
			return fmt.Errorf("auth: record last use of %s: %w", id, err)
		}
	}
	return nil
}

// Run flushes every interval until ctx ends, then flushes once more.
func (u *UsageRecorder) Run(ctx context.Context, interval time.Duration, log *slog.Logger) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			if err := u.Flush(ctx); err != nil {
				log.Error("flush token usage", "err", err)
			}
		case <-ctx.Done():
			if err := u.Flush(context.WithoutCancel(ctx)); err != nil {
				log.Error("flush token usage", "err", err)
			}
			return
		}
	}
}
