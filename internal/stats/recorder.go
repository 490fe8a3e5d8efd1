// Package stats keeps download statistics: how often each version of a
// package was installed (Composer's notify-batch) and how often its dist
// archive was fetched, per customer and UTC day.
//
// Counting happens on the Composer request path, so it must cost no
// database write there: the Recorder adds increments to an in-memory map
// and a background loop writes them every second in one transaction of
// upserts that add to the stored counters. Several instances may count the
// same key at once; the upserts add, so nothing is lost. The Service reads
// the counters with aggregate queries for the statistics API.
package stats

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"entgo.io/ent/dialect/sql"

	"github.com/cargoman/cargoman/ent"
	"github.com/cargoman/cargoman/ent/composerpackage"
	"github.com/cargoman/cargoman/ent/downloadstat"
	"github.com/cargoman/cargoman/internal/database"
	"github.com/cargoman/cargoman/internal/tenancy"
)

// DayLayout is how days are written: stored, in the API and in its
// arguments.
const DayLayout = "2006-01-02"

// Defaults of RecorderOptions.
const (
	DefaultInterval   = time.Second
	DefaultMaxPending = 100_000
)

// rowsPerInsert bounds one INSERT's rows, keeping its parameters (9 per
// row) well below SQLite's and PostgreSQL's limits.
const rowsPerInsert = 500

// Key identifies one counter row.
type Key struct {
	TenantID          string
	PackageID         string
	VersionNormalized string
	CustomerID        string
	// Day is the UTC day, YYYY-MM-DD.
	Day string
}

// Event is one thing to count: what was installed or downloaded, by whom.
type Event struct {
	TenantID          string
	PackageID         string
	PackageName       string
	Version           string
	VersionNormalized string
	CustomerID        string
}

// counter is what is pending for one Key.
type counter struct {
	installs, downloads int64
	// packageName and version are the latest seen, for display.
	packageName, version string
}

// RecorderOptions configure a Recorder.
type RecorderOptions struct {
	// Interval between flushes of Run; DefaultInterval when zero.
	Interval time.Duration
	// MaxPending bounds the counters kept in memory while flushes fail;
	// DefaultMaxPending when zero. Increments of new keys beyond it are
	// dropped and logged, so a database outage cannot exhaust memory.
	MaxPending int
	// Log receives flush failures and dropped counts; discarded when nil.
	Log *slog.Logger
	// Now is the clock that picks the day; time.Now when nil.
	Now func() time.Time
}

// Recorder aggregates counts in memory and writes them in batches.
type Recorder struct {
	client   *ent.Client
	interval time.Duration
	max      int
	log      *slog.Logger
	now      func() time.Time

	mu      sync.Mutex
	pending map[Key]*counter
	// dropped counts increments lost to MaxPending since the last report.
	dropped int64

	// flushMu serialises flushes, so that a Flush returning means every
	// increment recorded before it was called is written (or kept), even
	// while the background loop is flushing too.
	flushMu sync.Mutex
}

// NewRecorder returns a Recorder writing through client.
func NewRecorder(client *ent.Client, o RecorderOptions) *Recorder {
	r := &Recorder{client: client, interval: o.Interval, max: o.MaxPending, log: o.Log, now: o.Now, pending: map[Key]*counter{}}
	if r.interval <= 0 {
		r.interval = DefaultInterval
	}
	if r.max <= 0 {
		r.max = DefaultMaxPending
	}
	if r.log == nil {
		r.log = slog.New(slog.DiscardHandler)
	}
	if r.now == nil {
		r.now = time.Now
	}
	return r
}

// Install counts one install of ev's version. A nil Recorder counts
// nothing, so callers need no check.
func (r *Recorder) Install(ev Event) { r.add(ev, 1, 0) }

// Download counts one fetch of ev's dist archive.
func (r *Recorder) Download(ev Event) { r.add(ev, 0, 1) }

func (r *Recorder) add(ev Event, installs, downloads int64) {
	if r == nil {
		return
	}
	k := Key{
		TenantID: ev.TenantID, PackageID: ev.PackageID, VersionNormalized: ev.VersionNormalized,
		CustomerID: ev.CustomerID, Day: r.now().UTC().Format(DayLayout),
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	c := r.pending[k]
	if c == nil {
		if len(r.pending) >= r.max {
			r.dropped += installs + downloads
			return
		}
		c = &counter{}
		r.pending[k] = c
	}
	c.installs += installs
	c.downloads += downloads
	c.packageName, c.version = ev.PackageName, ev.Version
}

// Pending is the number of counters waiting to be written.
func (r *Recorder) Pending() int {
	if r == nil {
		return 0
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.pending)
}

// Flush writes the pending counts in one transaction. When it fails, the
// counts go back into the pending map for the next attempt (within
// MaxPending) and the failure is logged and returned.
func (r *Recorder) Flush(ctx context.Context) error {
	if r == nil {
		return nil
	}
	r.flushMu.Lock()
	defer r.flushMu.Unlock()
	r.mu.Lock()
	batch := r.pending
	r.pending = make(map[Key]*counter, len(batch))
	dropped := r.dropped
	r.dropped = 0
	r.mu.Unlock()
	if dropped > 0 {
		r.log.Error("download statistics dropped: too many counters pending while flushes failed",
			"increments", dropped, "max_pending", r.max)
	}
	if len(batch) == 0 {
		return nil
	}
	if err := r.write(ctx, batch); err != nil {
		kept, lost := r.restore(batch)
		r.log.Error("flush download statistics", "err", err, "counters_kept", kept, "increments_dropped", lost)
		return fmt.Errorf("stats: flush %d counters: %w", len(batch), err)
	}
	return nil
}

// restore puts a batch that could not be written back in front of what
// was recorded meanwhile. Keys beyond MaxPending are dropped.
func (r *Recorder) restore(batch map[Key]*counter) (kept int, lost int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for k, old := range batch {
		c := r.pending[k]
		if c == nil {
			if len(r.pending) >= r.max {
				lost += old.installs + old.downloads
				continue
			}
			r.pending[k] = old
			kept++
			continue
		}
		// The newer display values win; the counts add.
		c.installs += old.installs
		c.downloads += old.downloads
		kept++
	}
	return kept, lost
}

// write upserts a batch in one transaction. Counters of packages deleted
// since they were recorded are left out: their rows would violate the
// foreign key and fail every later flush. Rows go in key order so that
// instances flushing overlapping keys lock them in the same order and
// cannot deadlock.
func (r *Recorder) write(ctx context.Context, batch map[Key]*counter) error {
	ctx = tenancy.WithSystem(ctx)
	keys := slices.SortedFunc(maps.Keys(batch), compareKeys)
	return database.InTx(ctx, r.client, func(c *ent.Client) error {
		alive, err := livePackages(ctx, c, keys)
		if err != nil {
			return err
		}
		rows := make([]*ent.DownloadStatCreate, 0, min(len(keys), rowsPerInsert))
		for i, k := range keys {
			if alive[k.PackageID] {
				n := batch[k]
				rows = append(rows, c.DownloadStat.Create().
					SetTenantID(k.TenantID).
					SetPackageID(k.PackageID).
					SetPackageName(n.packageName).
					SetVersionNormalized(k.VersionNormalized).
					SetVersion(n.version).
					SetCustomerID(k.CustomerID).
					SetDay(k.Day).
					SetInstalls(n.installs).
					SetDownloads(n.downloads))
			}
			if len(rows) == rowsPerInsert || (i == len(keys)-1 && len(rows) > 0) {
				if err := upsert(ctx, c, rows); err != nil {
					return err
				}
				rows = rows[:0]
			}
		}
		return nil
	})
}

// upsert inserts rows, adding their counts to rows already stored.
func upsert(ctx context.Context, c *ent.Client, rows []*ent.DownloadStatCreate) error {
	err := c.DownloadStat.CreateBulk(rows...).
		OnConflict(
			sql.ConflictColumns(
				downloadstat.FieldTenantID, downloadstat.FieldPackageID, downloadstat.FieldVersionNormalized,
				downloadstat.FieldCustomerID, downloadstat.FieldDay,
			),
			sql.ResolveWith(func(u *sql.UpdateSet) {
				excluded := sql.Dialect(u.Dialect()).Table("excluded")
				for _, f := range []string{downloadstat.FieldInstalls, downloadstat.FieldDownloads} {
					u.Set(f, sql.Expr(u.Table().C(f)+" + "+excluded.C(f)))
				}
				u.SetExcluded(downloadstat.FieldPackageName)
				u.SetExcluded(downloadstat.FieldVersion)
			}),
		).
		Exec(ctx)
	if err != nil {
		return fmt.Errorf("stats: upsert %d counters: %w", len(rows), err)
	}
	return nil
}

// livePackages reports which of the keys' packages still exist.
func livePackages(ctx context.Context, c *ent.Client, keys []Key) (map[string]bool, error) {
	seen := map[string]bool{}
	var ids []string
	for _, k := range keys {
		if !seen[k.PackageID] {
			seen[k.PackageID] = true
			ids = append(ids, k.PackageID)
		}
	}
	alive := make(map[string]bool, len(ids))
	for chunk := range slices.Chunk(ids, rowsPerInsert) {
		found, err := c.ComposerPackage.Query().Where(composerpackage.IDIn(chunk...)).IDs(ctx)
		if err != nil {
			return nil, fmt.Errorf("stats: look up counted packages: %w", err)
		}
		for _, id := range found {
			alive[id] = true
		}
	}
	return alive, nil
}

func compareKeys(a, b Key) int {
	for _, c := range [...]int{
		strings.Compare(a.TenantID, b.TenantID),
		strings.Compare(a.PackageID, b.PackageID),
		strings.Compare(a.VersionNormalized, b.VersionNormalized),
		strings.Compare(a.CustomerID, b.CustomerID),
		strings.Compare(a.Day, b.Day),
	} {
		if c != 0 {
			return c
		}
	}
	return 0
}

// Run flushes every interval until ctx ends, then makes a final flush
// (Close). Failed flushes are logged by Flush and retried at the next
// tick with the counts kept.
func (r *Recorder) Run(ctx context.Context) {
	t := time.NewTicker(r.interval)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			_ = r.Flush(ctx) // logged; the counts are kept for the next tick
		case <-ctx.Done():
			closeCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
			_ = r.Close(closeCtx) // logged
			cancel()
			return
		}
	}
}

// Close makes the final flush at shutdown, after the HTTP server has
// drained so nothing more is recorded. What it cannot write is lost with
// the process; it is logged with its size.
func (r *Recorder) Close(ctx context.Context) error {
	if r == nil {
		return nil
	}
	if err := r.Flush(ctx); err != nil {
		r.log.Error("download statistics lost at shutdown", "counters", r.Pending())
		return err
	}
	return nil
}
