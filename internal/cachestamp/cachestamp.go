// Package cachestamp tells every instance when what the Composer endpoints
// cache has gone stale. An ent hook bumps a per-tenant counter (the
// CacheStamp row) in the same transaction as each change of access rules
// (grants, collections, freezes, customer states, tokens) or of package
// metadata; Stamps polls the counters and hands out the current value.
// A cache entry records the stamp it was computed under and is valid while
// the stamp is unchanged. Because the bump commits with the change, an
// instance never sees a new stamp before the data behind it, so an entry
// can be briefly early but never stale past the next poll; instances
// share nothing but the database.
package cachestamp

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cargoman/cargoman/ent"
	"github.com/cargoman/cargoman/ent/cachestamp"
	"github.com/cargoman/cargoman/ent/composerpackage"
	"github.com/cargoman/cargoman/ent/customertoken"
	"github.com/cargoman/cargoman/internal/tenancy"
)

// Stamp is what a tenant's cached Composer views are valid for.
type Stamp struct {
	// Value grows with every relevant change of the tenant (or of any
	// tenant's data changed outside a tenant context).
	Value int64
	// AccessChangedAt is when the tenant's access rules last changed.
	AccessChangedAt time.Time
}

// Stamps holds the last polled stamps of every tenant.
type Stamps struct {
	client *ent.Client
	// mu serialises Refresh so that a slow read never replaces a newer one.
	mu   sync.Mutex
	snap atomic.Pointer[Snapshot]
	// gen, when set, watches the database's generation (WatchGeneration).
	gen *generationWatch
}

// generationWatch is what WatchGeneration was given.
type generationWatch struct {
	read    func(context.Context) (string, error)
	changed func(ctx context.Context, seen string) (string, error)
}

// Snapshot is the stamps of every tenant as of one poll.
type Snapshot struct {
	// seq numbers the snapshots of one Stamps, in order.
	seq     uint64
	tenants map[string]Stamp
	// global is the row of changes made outside any tenant's context.
	global Stamp
	// generation is the database's, when watched.
	generation string
	// base is added to every value: on a new generation it moves past
	// every value handed out before, since the counters of a database
	// created anew start again from zero and would match entries cached
	// from the old one.
	base int64
}

// max is the highest value the snapshot hands out.
func (snap *Snapshot) max() int64 {
	m := snap.global.Value
	for _, t := range snap.tenants {
		m = max(m, t.Value+snap.global.Value)
	}
	return m + snap.base
}

// New returns Stamps that know nothing yet: call Refresh before serving.
func New(client *ent.Client) *Stamps {
	s := &Stamps{client: client}
	s.snap.Store(&Snapshot{tenants: map[string]Stamp{}})
	return s
}

// Of returns the current stamp of a tenant.
func (s *Stamps) Of(tenantID string) Stamp { return s.Snapshot().Of(tenantID) }

// Snapshot returns the stamps as of now, for a caller that learns which
// tenant it needs only after reading the database.
func (s *Stamps) Snapshot() *Snapshot { return s.snap.Load() }

// Seq tells snapshots apart: a later Refresh gives a higher one.
func (snap *Snapshot) Seq() uint64 { return snap.seq }

// Of returns the stamp of a tenant in the snapshot.
func (snap *Snapshot) Of(tenantID string) Stamp {
	t := snap.tenants[tenantID]
	t.Value += snap.global.Value + snap.base
	if snap.global.AccessChangedAt.After(t.AccessChangedAt) {
		t.AccessChangedAt = snap.global.AccessChangedAt
	}
	return t
}

// Refresh reads the counters. Call it after a change committed on this
// instance so that its own caches follow at once; Run calls it for the
// changes of other instances.
func (s *Stamps) Refresh(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	prev := s.snap.Load()
	gen, base := prev.generation, prev.base
	if s.gen != nil {
		seen, err := s.gen.read(ctx)
		if err != nil {
			return fmt.Errorf("cachestamp: read the database generation: %w", err)
		}
		if seen != gen {
			// The database was replaced: first invalidate everything
			// cached from the old one, at once, then let the instance
			// adopt the new one (a failure is retried at the next poll).
			base = prev.max() + 1
			dropped := *prev
			dropped.seq, dropped.base = prev.seq+1, base
			s.snap.Store(&dropped)
			prev = &dropped
			if gen, err = s.gen.changed(ctx, seen); err != nil {
				return fmt.Errorf("cachestamp: adopt database generation %q: %w", seen, err)
			}
		}
	}
	rows, err := s.client.CacheStamp.Query().All(ctx)
	if err != nil {
		return fmt.Errorf("cachestamp: read stamps: %w", err)
	}
	next := &Snapshot{seq: prev.seq + 1, tenants: make(map[string]Stamp, len(rows)), generation: gen, base: base}
	for _, r := range rows {
		st := Stamp{Value: r.Value, AccessChangedAt: r.AccessChangedAt.UTC()}
		if r.TenantID == "" {
			next.global = st
		} else {
			next.tenants[r.TenantID] = st
		}
	}
	s.snap.Store(next)
	return nil
}

// WatchGeneration makes every Refresh also read the database's generation
// (read) and, when it is no longer initial or the last one adopted, call
// changed before anything else: changed re-initialises what the instance
// holds about the database (its default tenant) and returns the
// generation now in force. Every stamp then moves past all values handed
// out before, so every cached view and credential is dropped. Call it
// before the first Refresh.
func (s *Stamps) WatchGeneration(initial string, read func(context.Context) (string, error), changed func(ctx context.Context, seen string) (string, error)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.gen = &generationWatch{read: read, changed: changed}
	snap := *s.snap.Load()
	snap.generation = initial
	s.snap.Store(&snap)
}

// Run refreshes every interval until ctx ends.
func (s *Stamps) Run(ctx context.Context, interval time.Duration, log *slog.Logger) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := s.Refresh(ctx); err != nil && ctx.Err() == nil {
				log.Error("refresh cache stamps", "err", err)
			}
		}
	}
}

// change is what a mutation invalidates.
type change int

const (
	noChange change = iota
	// metadataChange alters a package's Composer documents.
	metadataChange
	// accessChange alters what some customer may install.
	accessChange
)

// irrelevant are fields whose changes alone invalidate nothing.
var irrelevant = map[string]bool{
	customertoken.FieldLastUsedAt: true,
	customertoken.FieldUpdatedAt:  true,
	customertoken.FieldName:       true,
}

// classify tells what a mutation invalidates.
func classify(m ent.Mutation) change {
	deleting := m.Op().Is(ent.OpDelete | ent.OpDeleteOne)
	switch m.Type() {
	case ent.TypePackageGrant, ent.TypeCollectionGrant, ent.TypeCollection, ent.TypeCustomerFreeze:
		return accessChange
	case ent.TypeCustomer:
		if m.Op().Is(ent.OpCreate) {
			return noChange
		}
		return accessChange
	case ent.TypeCustomerToken:
		// A new token was never cached; revoking, rotating, re-scoping
		// and deleting one must reach every instance.
		if m.Op().Is(ent.OpCreate) {
			return noChange
		}
		if deleting || len(m.ClearedFields()) > 0 || len(m.AddedFields()) > 0 {
			return accessChange
		}
		for _, f := range m.Fields() {
			if !irrelevant[f] {
				return accessChange
			}
		}
		return noChange
	case ent.TypeComposerPackage:
		// A new package is in no grant yet: nothing cached can name it.
		if m.Op().Is(ent.OpCreate) {
			return noChange
		}
		if deleting {
			return metadataChange
		}
		for _, f := range m.Fields() {
			if f == composerpackage.FieldMetadataUpdatedAt || f == composerpackage.FieldName {
				return metadataChange
			}
		}
	}
	return noChange
}

// Hook bumps the stamp of the mutation's tenant after each mutation that
// invalidates cached Composer views, through the mutation's own client so
// that the bump shares its transaction. Register it with client.Use.
func Hook() ent.Hook {
	return func(next ent.Mutator) ent.Mutator {
		return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
			kind := classify(m)
			if kind == noChange {
				return next.Mutate(ctx, m)
			}
			mc, ok := m.(interface{ Client() *ent.Client })
			if !ok {
				return nil, fmt.Errorf("cachestamp: %s mutation has no client", m.Type())
			}
			// The bump must commit with the change or not at all: outside a
			// transaction the change could be stored and the bump lost, and
			// a revoked token would stay cached.
			if err := inTransaction(ctx, mc.Client()); err != nil {
				return nil, fmt.Errorf("cachestamp: %s %s: %w", m.Op(), m.Type(), err)
			}
			v, err := next.Mutate(ctx, m)
			if err != nil {
				return v, err
			}
			if err := bump(ctx, mc.Client(), tenantOf(ctx), kind == accessChange); err != nil {
				return nil, err
			}
			return v, nil
		})
	}
}

// ErrNoTransaction is returned for a mutation that invalidates cached
// views outside a transaction (run it in database.InTx).
var ErrNoTransaction = errors.New("the change must run in a transaction")

// inTransaction reports ErrNoTransaction unless c is bound to one: a
// transaction's client refuses to begin another without a round trip.
func inTransaction(ctx context.Context, c *ent.Client) error {
	tx, err := c.Tx(ctx)
	if err != nil {
		return nil
	}
	if err := tx.Rollback(); err != nil {
		return fmt.Errorf("roll back the probe: %w", err)
	}
	return ErrNoTransaction
}

// tenantOf is the tenant whose caches a change in ctx invalidates; ""
// (every tenant) for system work.
func tenantOf(ctx context.Context) string {
	if id, ok := tenancy.FromContext(ctx); ok && !tenancy.IsSystem(ctx) {
		return id
	}
	return ""
}

// bump adds one to the tenant's counter, creating its row on first use.
func bump(ctx context.Context, c *ent.Client, tenantID string, access bool) error {
	at := time.Now().UTC().Truncate(time.Microsecond)
	err := c.CacheStamp.Create().
		SetTenantID(tenantID).
		SetValue(1).
		SetAccessChangedAt(at).
		OnConflictColumns(cachestamp.FieldTenantID).
		Update(func(u *ent.CacheStampUpsert) {
			u.AddValue(1)
			if access {
				u.SetAccessChangedAt(at)
			}
		}).
		Exec(tenancy.WithSystem(ctx))
	if err != nil {
		return fmt.Errorf("cachestamp: bump stamp of tenant %q: %w", tenantID, err)
	}
	return nil
}
