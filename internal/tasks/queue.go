// Package tasks is Cargoman's durable job queue: background work (package
// syncs, cleanups) lives as Task rows in the main database, so it is
// enqueued in the same transaction as the change that causes it and
// survives restarts. Workers on any number of instances claim tasks under a
// lease that they renew while the task runs; a task whose lease ran out
// (its worker died) is claimed again. Failed attempts are retried with
// exponential backoff.
//
// Enqueue adds a task; Queue holds the database operations workers use
// (Claim, Heartbeat, Complete); Pool runs handlers for registered kinds.
package tasks

import (
	"context"
	stdsql "database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"entgo.io/ent/dialect"
	"entgo.io/ent/dialect/sql"

	"github.com/cargoman/cargoman/ent"
	"github.com/cargoman/cargoman/ent/predicate"
	"github.com/cargoman/cargoman/ent/task"
	"github.com/cargoman/cargoman/internal/tenancy"
)

var (
	// ErrNoTask is returned by Claim when no task is due.
	ErrNoTask = errors.New("tasks: no task due")
	// ErrLeaseLost is returned when a worker writes to a task it no longer
	// holds: its lease ran out and another worker (or another claim by the
	// same owner) took the task. The worker must drop its result.
	ErrLeaseLost = errors.New("tasks: lease lost")
)

// Limits on what is stored: the error of an attempt and a progress string
// are for people reading the Tasks API, not for logs of unbounded size.
const (
	maxErrorLen    = 8 << 10
	maxProgressLen = 255
)

// activePredicate is the WHERE clause of the partial unique index on
// (tenant_id, kind, key) in ent/schema/task.go, spelled exactly as there:
// an ON CONFLICT target on a partial index must name its predicate.
const activePredicate = "status IN ('pending', 'running')"

// Spec describes a task to enqueue.
type Spec struct {
	// TenantID owns the task; empty means the tenant of the context.
	TenantID string
	Kind     task.Kind
	// Key says what the task is about (e.g. a package id). There is at most
	// one pending or running task per tenant, kind and key.
	Key  string
	Args map[string]any
	// RunAt delays the task; zero means now.
	RunAt time.Time
	// MaxAttempts bounds the attempts; zero means the schema default (5).
	MaxAttempts int
}

// maxEnqueueRounds bounds the insert-or-find loop of Enqueue. A round only
// repeats when the conflicting task finished between the insert and the
// lookup, so two rounds are almost always enough.
const maxEnqueueRounds = 5

// Enqueue adds the task spec describes, unless a pending or running task
// with the same tenant, kind and key exists: then it returns that one and
// created is false. client may come from tx.Client(), so that the task is
// enqueued (or not) together with the change that causes it.
//
// Enqueue never violates the unique index, so it does not abort the
// caller's PostgreSQL transaction: it inserts with ON CONFLICT DO NOTHING,
// and on PostgreSQL a concurrent insert of the same key waits for the other
// transaction to end instead of failing. ctx must carry spec's tenant or be
// a system context (see internal/tenancy).
func Enqueue(ctx context.Context, client *ent.Client, spec Spec) (t *ent.Task, created bool, err error) {
	tenantID := spec.TenantID
	if tenantID == "" {
		var ok bool
		if tenantID, ok = tenancy.FromContext(ctx); !ok {
			return nil, false, fmt.Errorf("tasks: enqueue %s %q: %w", spec.Kind, spec.Key, tenancy.ErrNoTenant)
		}
	}
	if err := task.KindValidator(spec.Kind); err != nil {
		return nil, false, fmt.Errorf("tasks: enqueue: %w", err)
	}
	if spec.MaxAttempts < 0 {
		return nil, false, fmt.Errorf("tasks: enqueue %s %q: negative max attempts %d", spec.Kind, spec.Key, spec.MaxAttempts)
	}
	runAt := now()
	if !spec.RunAt.IsZero() {
		runAt = utc(spec.RunAt)
	}
	for range maxEnqueueRounds {
		create := client.Task.Create().
			SetTenantID(tenantID).
			SetKind(spec.Kind).
			SetKey(spec.Key).
			SetRunAt(runAt)
		if spec.Args != nil {
			create.SetArgs(spec.Args)
		}
		if spec.MaxAttempts > 0 {
			create.SetMaxAttempts(spec.MaxAttempts)
		}
		// OnConflict configures create itself; Save then returns the new row
		// (INSERT ... RETURNING), or sql.ErrNoRows when it did nothing.
		create.OnConflict(
			sql.ConflictColumns(task.FieldTenantID, task.FieldKind, task.FieldKey),
			sql.ConflictWhere(sql.ExprP(activePredicate)),
			sql.DoNothing(),
		)
		added, err := create.Save(ctx)
		if err == nil {
			return added, true, nil
		}
		// DO NOTHING returned no row: an active task holds the key.
		if !errors.Is(err, stdsql.ErrNoRows) {
			return nil, false, fmt.Errorf("tasks: enqueue %s %q: %w", spec.Kind, spec.Key, err)
		}
		existing, err := client.Task.Query().
			Where(
				task.TenantID(tenantID),
				task.KindEQ(spec.Kind),
				task.Key(spec.Key),
				task.StatusIn(task.StatusPending, task.StatusRunning),
			).
			Only(ctx)
		switch {
		case err == nil && existing.Status == task.StatusRunning && !existing.Rerun:
			// The running task may already have read the old state: ask
			// it to run once more when it finishes.
			n, err := client.Task.Update().
				Where(task.ID(existing.ID), task.StatusEQ(task.StatusRunning)).
				SetRerun(true).
				Save(ctx)
			if err != nil {
				return nil, false, fmt.Errorf("tasks: enqueue %s %q: mark the running task for a rerun: %w", spec.Kind, spec.Key, err)
			}
			if n == 0 {
				continue // it finished meanwhile: insert again
			}
			existing.Rerun = true
			return existing, false, nil
		case err == nil:
			return existing, false, nil
		case ent.IsNotFound(err):
			continue // it finished meanwhile: insert again
		default:
			return nil, false, fmt.Errorf("tasks: enqueue %s %q: find the active task: %w", spec.Kind, spec.Key, err)
		}
	}
	return nil, false, fmt.Errorf("tasks: enqueue %s %q: the active task kept changing, giving up after %d rounds", spec.Kind, spec.Key, maxEnqueueRounds)
}

// BackoffFunc returns how long to wait before the next attempt after
// attempts failed ones (attempts >= 1).
type BackoffFunc func(attempts int) time.Duration

// Backoff bounds of DefaultBackoff.
const (
	BackoffBase = 10 * time.Second
	BackoffMax  = time.Hour
)

// DefaultBackoff doubles from BackoffBase per failed attempt up to
// BackoffMax, and picks a random delay in the upper half of that so that
// tasks which failed together (a host was down) do not retry together.
func DefaultBackoff(attempts int) time.Duration {
	d := BackoffMax
	if attempts < 1 {
		attempts = 1
	}
	if attempts <= 20 { // beyond, the shift overflows and the cap holds anyway
		d = min(BackoffBase<<(attempts-1), BackoffMax)
	}
	return d/2 + rand.N(d/2+1)
}

// Queue is the database side of the task queue: what workers do to tasks.
// It is safe for concurrent use. Its methods work across tenants (workers
// serve all of them) except DeleteFinished, which honours the tenancy of
// its context.
type Queue struct {
	client  *ent.Client
	backoff BackoffFunc

	// SQLite lets one connection write at a time, and one that finds the
	// write lock taken sleeps in SQLite's busy handler (1 to 100 ms a try)
	// however soon the lock frees. So on SQLite the queue's own writes
	// first take turns on writes, which hands over at once. Whether the
	// database is SQLite is learned from the first Claim.
	sqlite atomic.Bool
	writes sync.Mutex
}

// lockWrites serialises the queue's writes on SQLite; it returns the
// unlock.
func (q *Queue) lockWrites() func() {
	if !q.sqlite.Load() {
		return func() {}
	}
	q.writes.Lock()
	return q.writes.Unlock
}

// NewQueue returns the queue stored through client, retrying failed
// attempts after DefaultBackoff.
func NewQueue(client *ent.Client) *Queue {
	return &Queue{client: client, backoff: DefaultBackoff}
}

// due selects tasks a worker may claim at now: pending ones whose time has
// come, and running ones whose lease ran out.
func due(now time.Time) predicate.Task {
	return task.Or(
		task.And(task.StatusEQ(task.StatusPending), task.RunAtLTE(now)),
		task.And(task.StatusEQ(task.StatusRunning), task.LeaseExpiresAtLT(now)),
	)
}

// Claim tuning: how often a claim that lost every race starts over, and
// how many candidates a round reads.
const (
	maxClaimRounds  = 3
	claimCandidates = 4
)

// Claim takes the oldest due task of one of kinds (any kind when kinds is
// empty) for owner: it marks it running, leases it until now+lease, sets
// started_at and counts the attempt. It returns ErrNoTask when nothing is
// due.
//
// Claim first reads the ids of a few due tasks, a plain read that takes no
// lock, so idle polls cost little. Then:
//
//   - PostgreSQL: in one transaction, SELECT the oldest due task FOR UPDATE
//     SKIP LOCKED and UPDATE it, so concurrent claimers never wait for each
//     other or take the same row;
//   - SQLite (no row locks, one writer at a time): for each candidate a
//     single UPDATE ... WHERE id = ? AND <still due>, which takes the
//     database's write lock only for that statement; the first that
//     changes a row wins it, a claimer that lost every candidate reads
//     again.
//
// On both the UPDATE repeats the due condition, so a task is never taken
// twice.
func (q *Queue) Claim(ctx context.Context, owner string, kinds []task.Kind, lease time.Duration) (*ent.Task, error) {
	if owner == "" {
		return nil, errors.New("tasks: claim: empty owner")
	}
	if lease <= 0 {
		return nil, fmt.Errorf("tasks: claim: lease %v is not positive", lease)
	}
	ctx = tenancy.WithSystem(ctx)
	for range maxClaimRounds {
		at := now()
		var dia string
		query := q.client.Task.Query().Where(due(at), func(s *sql.Selector) { dia = s.Dialect() })
		if len(kinds) > 0 {
			query.Where(task.KindIn(kinds...))
		}
		ids, err := query.Order(task.ByRunAt(), task.ByID()).Limit(claimCandidates).IDs(ctx)
		if err != nil {
			return nil, fmt.Errorf("tasks: claim: find due tasks: %w", err)
		}
		if dia == dialect.SQLite {
			q.sqlite.Store(true)
		}
		if len(ids) == 0 {
			return nil, ErrNoTask
		}
		var t *ent.Task
		if dia == dialect.Postgres {
			t, err = q.claimLocked(ctx, at, owner, kinds, lease)
		} else {
			t, err = q.claimFirst(ctx, ids, at, owner, lease)
		}
		if errors.Is(err, errClaimRace) {
			continue
		}
		return t, err
	}
	return nil, ErrNoTask
}

var errClaimRace = errors.New("tasks: other workers claimed the candidates")

// markClaimed sets the fields that make u a claim by owner at at.
func markClaimed(u *ent.TaskUpdate, at time.Time, owner string, lease time.Duration) *ent.TaskUpdate {
	return u.SetStatus(task.StatusRunning).
		SetLeaseOwner(owner).
		SetLeaseExpiresAt(at.Add(lease)).
		SetStartedAt(at).
		ClearFinishedAt().
		AddAttempts(1)
}

// claimLocked is Claim on PostgreSQL.
func (q *Queue) claimLocked(ctx context.Context, at time.Time, owner string, kinds []task.Kind, lease time.Duration) (_ *ent.Task, err error) {
	tx, err := q.client.Tx(ctx)
	if err != nil {
		return nil, fmt.Errorf("tasks: claim: begin: %w", err)
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	query := tx.Task.Query().Where(due(at), func(s *sql.Selector) {
		s.ForUpdate(sql.WithLockAction(sql.SkipLocked))
	})
	if len(kinds) > 0 {
		query.Where(task.KindIn(kinds...))
	}
	id, err := query.Order(task.ByRunAt(), task.ByID()).FirstID(ctx)
	if ent.IsNotFound(err) {
		return nil, ErrNoTask // the due ones are being claimed by others
	}
	if err != nil {
		return nil, fmt.Errorf("tasks: claim: lock a due task: %w", err)
	}
	n, err := markClaimed(tx.Task.Update().Where(task.ID(id), due(at)), at, owner, lease).Save(ctx)
	if err != nil {
		return nil, fmt.Errorf("tasks: claim %s: %w", id, err)
	}
	if n == 0 {
		return nil, errClaimRace // cannot happen under the row lock
	}
	t, err := tx.Task.Get(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("tasks: claim %s: read back: %w", id, err)
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("tasks: claim %s: commit: %w", id, err)
	}
	return t, nil
}

// claimFirst is Claim on SQLite: it claims the first of ids still due.
func (q *Queue) claimFirst(ctx context.Context, ids []string, at time.Time, owner string, lease time.Duration) (*ent.Task, error) {
	for _, id := range ids {
		unlock := q.lockWrites()
		n, err := markClaimed(q.client.Task.Update().Where(task.ID(id), due(at)), at, owner, lease).Save(ctx)
		unlock()
		if err != nil {
			return nil, fmt.Errorf("tasks: claim %s: %w", id, err)
		}
		if n == 0 {
			continue // another worker was first
		}
		// The claim is made: read it back even if ctx ends meanwhile.
		t, err := q.client.Task.Get(context.WithoutCancel(ctx), id)
		if err != nil {
			// Claimed but unreadable: its lease runs out and it is retried.
			return nil, fmt.Errorf("tasks: claim %s: read back: %w", id, err)
		}
		return t, nil
	}
	return nil, errClaimRace
}

// held selects t while the claim that returned it still holds it: running,
// leased by the same owner, and not claimed again since (a new claim counts
// another attempt, even by the same owner).
func held(t *ent.Task) (predicate.Task, error) {
	if t.LeaseOwner == nil || t.Status != task.StatusRunning {
		return nil, fmt.Errorf("tasks: %s was not returned by Claim", t.ID)
	}
	return task.And(
		task.ID(t.ID),
		task.StatusEQ(task.StatusRunning),
		task.LeaseOwner(*t.LeaseOwner),
		task.AttemptsEQ(t.Attempts),
	), nil
}

// Heartbeat extends the lease on t, a task returned by Claim, to now+lease
// and returns the new expiry. It returns ErrLeaseLost when the task was
// taken by another claim: the caller must stop working on it.
func (q *Queue) Heartbeat(ctx context.Context, t *ent.Task, lease time.Duration) (time.Time, error) {
	p, err := held(t)
	if err != nil {
		return time.Time{}, err
	}
	expires := now().Add(lease)
	defer q.lockWrites()()
	n, err := q.client.Task.Update().Where(p).SetLeaseExpiresAt(expires).Save(tenancy.WithSystem(ctx))
	if err != nil {
		return time.Time{}, fmt.Errorf("tasks: heartbeat %s: %w", t.ID, err)
	}
	if n == 0 {
		return time.Time{}, fmt.Errorf("tasks: heartbeat %s: %w", t.ID, ErrLeaseLost)
	}
	return expires, nil
}

// SetProgress records a progress note on t, a task returned by Claim.
// Handlers call Progress instead, which limits the rate of writes.
func (q *Queue) SetProgress(ctx context.Context, t *ent.Task, progress string) error {
	p, err := held(t)
	if err != nil {
		return err
	}
	defer q.lockWrites()()
	n, err := q.client.Task.Update().Where(p).SetProgress(truncate(progress, maxProgressLen)).Save(tenancy.WithSystem(ctx))
	if err != nil {
		return fmt.Errorf("tasks: progress of %s: %w", t.ID, err)
	}
	if n == 0 {
		return fmt.Errorf("tasks: progress of %s: %w", t.ID, ErrLeaseLost)
	}
	return nil
}

// Complete records the outcome of the attempt on t, a task returned by
// Claim, and returns the status the task went to: result nil marks it
// succeeded; an error sends it back to pending after a backoff, or marks
// it failed when it is permanent (see Permanent) or the attempts are used
// up. It returns ErrLeaseLost, and writes nothing, when the task was taken
// by another claim meanwhile.
func (q *Queue) Complete(ctx context.Context, t *ent.Task, result error) (task.Status, error) {
	return q.complete(ctx, t, result, nil)
}

func (q *Queue) complete(ctx context.Context, t *ent.Task, result error, progress *string) (task.Status, error) {
	p, err := held(t)
	if err != nil {
		return "", err
	}
	defer q.lockWrites()()
	ctx = tenancy.WithSystem(ctx)
	finished := result == nil || IsPermanent(result) || t.Attempts >= t.MaxAttempts
	// A finished task asked to rerun goes straight back to pending, so its
	// key never looks free; the final update below requires rerun to be
	// unset, so a rerun requested in between is never lost.
	for range maxEnqueueRounds {
		if finished {
			n, err := q.client.Task.Update().Where(p, task.Rerun(true)).
				SetStatus(task.StatusPending).
				SetRerun(false).
				SetRunAt(now()).
				SetAttempts(0).
				ClearLeaseExpiresAt().
				ClearLeaseOwner().
				ClearError().
				Save(ctx)
			if err != nil {
				return "", fmt.Errorf("tasks: complete %s: %w", t.ID, err)
			}
			if n > 0 {
				return task.StatusPending, nil
			}
		}
		status, n, err := q.finish(ctx, t, p, result, progress)
		if err != nil {
			return "", err
		}
		if n > 0 {
			return status, nil
		}
		if !finished {
			break
		}
		// Either the lease was lost or a rerun was requested meanwhile.
		if held, err := q.client.Task.Query().Where(p).Exist(ctx); err != nil || !held {
			break
		}
	}
	return "", fmt.Errorf("tasks: complete %s: %w", t.ID, ErrLeaseLost)
}

// finish records the outcome of a held task that was not asked to rerun.
func (q *Queue) finish(ctx context.Context, t *ent.Task, p predicate.Task, result error, progress *string) (task.Status, int, error) {
	at := now()
	update := q.client.Task.Update().Where(p).ClearLeaseExpiresAt()
	if progress != nil {
		update.SetProgress(truncate(*progress, maxProgressLen))
	}
	var status task.Status
	switch {
	case result == nil:
		status = task.StatusSucceeded
		update.Where(task.Rerun(false)).SetFinishedAt(at).ClearError()
	case IsPermanent(result) || t.Attempts >= t.MaxAttempts:
		status = task.StatusFailed
		update.Where(task.Rerun(false)).SetFinishedAt(at).SetError(truncate(result.Error(), maxErrorLen))
	default:
		// It runs again anyway, which also serves a requested rerun.
		status = task.StatusPending
		update.SetRunAt(at.Add(q.backoff(t.Attempts))).
			SetError(truncate(result.Error(), maxErrorLen)).
			SetRerun(false).
			ClearLeaseOwner()
	}
	n, err := update.SetStatus(status).Save(ctx)
	if err != nil {
		return "", 0, fmt.Errorf("tasks: complete %s: %w", t.ID, err)
	}
	return status, n, nil
}

// Release hands t, a task returned by Claim, back to the queue without
// counting the attempt, to run again at once: for a worker that stops
// before its handler finished.
func (q *Queue) Release(ctx context.Context, t *ent.Task) error {
	p, err := held(t)
	if err != nil {
		return err
	}
	defer q.lockWrites()()
	n, err := q.client.Task.Update().Where(p).
		SetStatus(task.StatusPending).
		SetRunAt(now()).
		AddAttempts(-1).
		ClearLeaseOwner().
		ClearLeaseExpiresAt().
		Save(tenancy.WithSystem(ctx))
	if err != nil {
		return fmt.Errorf("tasks: release %s: %w", t.ID, err)
	}
	if n == 0 {
		return fmt.Errorf("tasks: release %s: %w", t.ID, ErrLeaseLost)
	}
	return nil
}

// DeleteFinished deletes succeeded and failed tasks that finished before
// olderThan and returns how many. It sees the tasks of ctx's tenant, or of
// every tenant in a system context.
func (q *Queue) DeleteFinished(ctx context.Context, olderThan time.Time) (int, error) {
	n, err := q.client.Task.Delete().
		Where(
			task.StatusIn(task.StatusSucceeded, task.StatusFailed),
			task.FinishedAtLT(utc(olderThan)),
		).
		Exec(ctx)
	if err != nil {
		return 0, fmt.Errorf("tasks: delete finished tasks: %w", err)
	}
	return n, nil
}

// now is the time as the schema's defaults write it: UTC with microsecond
// precision. UTC matters on SQLite, which compares times as text.
func now() time.Time { return utc(time.Now()) }

func utc(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// truncate cuts s to at most n bytes on a rune boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
