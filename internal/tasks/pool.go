package tasks

import (
	"context"
	crand "crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"math/rand/v2"
	"os"
	"runtime/debug"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cargoman/cargoman/ent"
	"github.com/cargoman/cargoman/ent/task"
	"github.com/cargoman/cargoman/internal/tenancy"
)

// Defaults of PoolOptions.
const (
	DefaultConcurrency   = 4
	DefaultLease         = time.Minute
	DefaultPollInterval  = 2 * time.Second
	DefaultShutdownGrace = 30 * time.Second
)

// resultTimeout bounds the write of a task's result, which runs after the
// pool's context ended when the pool is shutting down.
const resultTimeout = 30 * time.Second

// errShutdown cancels the handlers still running when the grace period of
// a shutdown is over.
var errShutdown = errors.New("tasks: worker pool shut down")

// PoolOptions configure a Pool. Zero values mean the defaults.
type PoolOptions struct {
	// Concurrency is how many handlers run at once.
	Concurrency int
	// Lease is how long a claim holds a task without a heartbeat; the pool
	// renews it every Lease/3 while the handler runs.
	Lease time.Duration
	// PollInterval is how often an idle pool looks for due tasks (with
	// ±20% jitter). Wake makes it look at once.
	PollInterval time.Duration
	// ShutdownGrace is how long Run waits, after its context ended, for
	// running handlers to finish before cancelling their contexts.
	ShutdownGrace time.Duration
	// Owner names this pool in the leases it takes; by default the host
	// name, process id and a random suffix. Pools must not share one.
	Owner string
	// Backoff is the delay before retrying a failed attempt.
	Backoff BackoffFunc
	Log     *slog.Logger
}

// Pool runs the handlers of a Registry on tasks it claims, up to
// Concurrency at a time.
type Pool struct {
	queue   *Queue
	reg     *Registry
	opts    PoolOptions
	log     *slog.Logger
	wake    chan struct{}
	running atomic.Bool
}

// NewPool returns a pool that runs the handlers of reg on tasks from
// client's database. Handlers may still be registered until Run starts:
// Run claims the kinds registered then.
func NewPool(client *ent.Client, reg *Registry, opts PoolOptions) *Pool {
	if opts.Concurrency <= 0 {
		opts.Concurrency = DefaultConcurrency
	}
	if opts.Lease <= 0 {
		opts.Lease = DefaultLease
	}
	if opts.PollInterval <= 0 {
		opts.PollInterval = DefaultPollInterval
	}
	if opts.ShutdownGrace <= 0 {
		opts.ShutdownGrace = DefaultShutdownGrace
	}
	if opts.Owner == "" {
		opts.Owner = defaultOwner()
	}
	if opts.Backoff == nil {
		opts.Backoff = DefaultBackoff
	}
	if opts.Log == nil {
		opts.Log = slog.Default()
	}
	return &Pool{
		queue: &Queue{client: client, backoff: opts.Backoff},
		reg:   reg,
		opts:  opts,
		log:   opts.Log.With("owner", opts.Owner),
		wake:  make(chan struct{}, 1),
	}
}

func defaultOwner() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "unknown"
	}
	var b [4]byte
	_, _ = crand.Read(b[:])
	return fmt.Sprintf("%s:%d:%s", host, os.Getpid(), hex.EncodeToString(b[:]))
}

// Owner is the name this pool leases tasks under.
func (p *Pool) Owner() string { return p.opts.Owner }

// Queue is the queue the pool works on.
func (p *Pool) Queue() *Queue { return p.queue }

// Wake makes an idle pool look for due tasks now instead of at its next
// poll, e.g. after enqueueing one (see WakeOnCommit). It never blocks.
func (p *Pool) Wake() {
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// Waker is woken when there is new work: a Pool.
type Waker interface{ Wake() }

// WakeOnCommit wakes w once tx commits, so that tasks enqueued in tx start
// without waiting for a poll (before the commit a worker could not see
// them).
func WakeOnCommit(tx *ent.Tx, w Waker) {
	tx.OnCommit(func(next ent.Committer) ent.Committer {
		return ent.CommitFunc(func(ctx context.Context, tx *ent.Tx) error {
			err := next.Commit(ctx, tx)
			if err == nil {
				w.Wake()
			}
			return err
		})
	})
}

// Run claims and runs tasks until ctx ends. Then it claims no more and
// waits for the running handlers; those still running after the grace
// period have their contexts cancelled, and Run returns once they have
// returned. A task whose handler was cancelled this way goes back to the
// queue without counting the attempt. Run returns an error only when the
// pool cannot start.
//
// The pool's own database work spans tenants; each handler's context
// carries the tenant of its task, derived from ctx (so ctx should not be
// a system context unless handlers are meant to be).
func (p *Pool) Run(ctx context.Context) error {
	if !p.running.CompareAndSwap(false, true) {
		return errors.New("tasks: pool is already running")
	}
	defer p.running.Store(false)
	var handlers map[task.Kind]Handler
	if p.reg != nil {
		handlers = maps.Clone(p.reg.handlers)
	}
	if len(handlers) == 0 {
		return errors.New("tasks: pool has no handlers")
	}
	kinds := slices.Sorted(maps.Keys(handlers))

	// Handlers outlive ctx by up to the grace period.
	handlerCtx, stopHandlers := context.WithCancelCause(context.WithoutCancel(ctx))
	defer stopHandlers(nil)
	var running sync.WaitGroup
	p.log.Info("tasks: worker pool started", "kinds", kinds, "concurrency", p.opts.Concurrency)
	p.dispatch(ctx, handlerCtx, handlers, kinds, &running)

	done := make(chan struct{})
	go func() {
		running.Wait()
		close(done)
	}()
	grace := time.NewTimer(p.opts.ShutdownGrace)
	defer grace.Stop()
	select {
	case <-done:
	case <-grace.C:
		p.log.Warn("tasks: handlers still running after the shutdown grace period, cancelling them", "grace", p.opts.ShutdownGrace)
		stopHandlers(errShutdown)
		<-done
	}
	p.log.Info("tasks: worker pool stopped")
	return nil
}

// dispatch claims a task whenever a handler slot is free, until ctx ends.
func (p *Pool) dispatch(ctx, handlerCtx context.Context, handlers map[task.Kind]Handler, kinds []task.Kind, running *sync.WaitGroup) {
	slots := make(chan struct{}, p.opts.Concurrency)
	poll := time.NewTimer(p.opts.PollInterval) // reset before each wait
	defer poll.Stop()
	for {
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
			return
		}
		t, err := p.queue.Claim(ctx, p.opts.Owner, kinds, p.opts.Lease)
		if err == nil {
			running.Add(1)
			go func() {
				defer running.Done()
				defer func() { <-slots }()
				p.execute(handlerCtx, handlers[t.Kind], t)
			}()
			continue // there may be more
		}
		<-slots
		if ctx.Err() != nil {
			return
		}
		if !errors.Is(err, ErrNoTask) {
			p.log.Warn("tasks: claim failed", "err", err)
		}
		poll.Reset(p.pollDelay())
		select {
		case <-ctx.Done():
			return
		case <-p.wake:
		case <-poll.C:
		}
	}
}

func (p *Pool) pollDelay() time.Duration {
	d := p.opts.PollInterval
	return d - d/5 + rand.N(2*d/5+1)
}

// execute runs h on t, a task claimed by p, and records the outcome.
func (p *Pool) execute(handlerCtx context.Context, h Handler, t *ent.Task) {
	claim := *t // the claim as taken; the handler gets t
	log := p.log.With("task", t.ID, "kind", t.Kind, "key", t.Key, "tenant", t.TenantID, "attempt", t.Attempts)

	runCtx, cancel := context.WithCancelCause(handlerCtx)
	defer cancel(nil)
	rep := newReporter()
	ctx := context.WithValue(tenancy.WithTenant(runCtx, t.TenantID), reporterKey{}, rep)

	stop := make(chan struct{})
	monitorDone := make(chan struct{})
	go func() {
		defer close(monitorDone)
		p.monitor(context.WithoutCancel(handlerCtx), &claim, rep, cancel, stop, log)
	}()
	start := time.Now()
	herr := p.call(ctx, h, t, log)
	close(stop)
	<-monitorDone
	took := time.Since(start)

	dbCtx, cancelDB := context.WithTimeout(context.WithoutCancel(handlerCtx), resultTimeout)
	defer cancelDB()
	if errors.Is(context.Cause(runCtx), ErrLeaseLost) {
		log.Warn("tasks: lease lost while the handler ran, result dropped", "err", herr, "took", took)
		return
	}
	if herr != nil && handlerCtx.Err() != nil {
		// Cancelled by the shutdown: not the task's fault.
		if err := p.queue.Release(dbCtx, &claim); err != nil {
			log.Warn("tasks: could not release a task interrupted by shutdown", "err", err)
			return
		}
		log.Info("tasks: task interrupted by shutdown, released", "err", herr, "took", took)
		return
	}
	var progress *string
	if s, ok := rep.take(); ok {
		progress = &s
	}
	status, err := p.queue.complete(dbCtx, &claim, herr, progress)
	switch {
	case errors.Is(err, ErrLeaseLost):
		log.Warn("tasks: lease lost before the result was written, result dropped", "err", herr, "took", took)
	case err != nil:
		log.Error("tasks: could not record the result", "err", err, "result", herr, "took", took)
	case status == task.StatusSucceeded:
		log.Info("tasks: task succeeded", "took", took)
	case status == task.StatusPending:
		log.Warn("tasks: task failed, will retry", "err", herr, "took", took)
	default:
		log.Error("tasks: task failed", "err", herr, "permanent", IsPermanent(herr), "took", took)
	}
}

// call runs h, turning a panic into an error.
func (p *Pool) call(ctx context.Context, h Handler, t *ent.Task, log *slog.Logger) (err error) {
	defer func() {
		if r := recover(); r != nil {
			log.Error("tasks: handler panicked", "panic", r, "stack", string(debug.Stack()))
			err = fmt.Errorf("tasks: handler panicked: %v", r)
		}
	}()
	return h(ctx, t)
}

// monitor renews the lease on claim every Lease/3 and writes progress
// notes, at most one per progressInterval, until stop is closed. When the
// lease is lost it cancels the handler with ErrLeaseLost.
func (p *Pool) monitor(ctx context.Context, claim *ent.Task, rep *reporter, cancel context.CancelCauseFunc, stop <-chan struct{}, log *slog.Logger) {
	every := max(p.opts.Lease/3, time.Millisecond)
	beat := time.NewTicker(every)
	defer beat.Stop()
	flush := time.NewTimer(time.Hour)
	flush.Stop()
	defer flush.Stop()
	var (
		flushC    <-chan time.Time
		lastWrite time.Time
		expires   = *claim.LeaseExpiresAt
	)
	lost := func(err error) {
		log.Warn("tasks: lease lost, cancelling the handler", "err", err)
		cancel(ErrLeaseLost)
	}
	write := func() bool {
		s, ok := rep.take()
		if !ok {
			return true
		}
		lastWrite = time.Now()
		opCtx, done := context.WithTimeout(ctx, every)
		defer done()
		err := p.queue.SetProgress(opCtx, claim, s)
		if errors.Is(err, ErrLeaseLost) {
			lost(err)
			return false
		}
		if err != nil {
			log.Warn("tasks: could not write progress", "err", err)
		}
		return true
	}
	for {
		select {
		case <-stop:
			return
		case <-beat.C:
			opCtx, done := context.WithTimeout(ctx, every)
			e, err := p.queue.Heartbeat(opCtx, claim, p.opts.Lease)
			done()
			switch {
			case err == nil:
				expires = e
			case errors.Is(err, ErrLeaseLost):
				lost(err)
				return
			case !time.Now().Before(expires):
				// Others may have taken the task by now.
				lost(err)
				return
			default:
				log.Warn("tasks: heartbeat failed, will retry", "err", err, "lease_expires_at", expires)
			}
		case <-rep.notify:
			if flushC != nil {
				continue // a write is scheduled; it takes the latest note
			}
			if wait := progressInterval - time.Since(lastWrite); wait > 0 {
				flush.Reset(wait)
				flushC = flush.C
				continue
			}
			if !write() {
				return
			}
		case <-flushC:
			flushC = nil
			if !write() {
				return
			}
		}
	}
}
