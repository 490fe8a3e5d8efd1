package tasks

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/cargoman/cargoman/ent"
	"github.com/cargoman/cargoman/ent/task"
)

// Handler does the work of one task. Its context carries the task's tenant
// and is cancelled when the worker loses the lease or shuts down for good;
// a handler should return soon after. Returning nil marks the task
// succeeded; an error is retried later unless wrapped with Permanent.
type Handler func(ctx context.Context, t *ent.Task) error

// Registry maps task kinds to their handlers. The zero value is empty and
// ready; it is not safe for concurrent use, so register every handler
// before the pool runs.
type Registry struct {
	handlers map[task.Kind]Handler
}

// Register makes h handle tasks of kind. It panics on an unknown kind or a
// nil handler, both programming errors.
func (r *Registry) Register(kind task.Kind, h Handler) {
	if err := task.KindValidator(kind); err != nil {
		panic(fmt.Sprintf("tasks: register: %v", err))
	}
	if h == nil {
		panic(fmt.Sprintf("tasks: register %s: nil handler", kind))
	}
	if r.handlers == nil {
		r.handlers = make(map[task.Kind]Handler)
	}
	r.handlers[kind] = h
}

// permanentError marks an error that retrying will not cure.
type permanentError struct{ err error }

func (e *permanentError) Error() string { return e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }

// Permanent marks err as not worth retrying: the task fails at once. It
// returns nil for nil.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &permanentError{err: err}
}

// IsPermanent reports whether err, or an error it wraps, was marked by
// Permanent.
func IsPermanent(err error) bool {
	var p *permanentError
	return errors.As(err, &p)
}

// progressInterval is the least time between two progress writes of a task.
const progressInterval = time.Second

type reporterKey struct{}

// reporter carries the progress notes of one running task from its handler
// to the goroutine that writes them.
type reporter struct {
	mu      sync.Mutex
	latest  string
	changed bool
	notify  chan struct{} // one pending signal at most
}

func newReporter() *reporter { return &reporter{notify: make(chan struct{}, 1)} }

func (r *reporter) set(progress string) {
	r.mu.Lock()
	r.latest, r.changed = progress, true
	r.mu.Unlock()
	select {
	case r.notify <- struct{}{}:
	default:
	}
}

// take returns the note not yet written, if any, and marks it written.
func (r *reporter) take() (string, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.changed {
		return "", false
	}
	r.changed = false
	return r.latest, true
}

// Progress reports how far the handler running under ctx has come (e.g.
// "12/500 tags"). It never blocks on the database: the note is stored in
// the background, at most once per second, and the last one is stored
// when the task completes. Outside a handler it does nothing.
func Progress(ctx context.Context, progress string) {
	if r, ok := ctx.Value(reporterKey{}).(*reporter); ok {
		r.set(progress)
	}
}
