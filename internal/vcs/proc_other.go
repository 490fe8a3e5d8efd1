//go:build !unix

package vcs

import (
	"context"
	"os/exec"
	"sync"
)

// setProcessGroup: without process groups only git itself is killed.
func setProcessGroup(cmd *exec.Cmd) {}

var inProcessLocks sync.Map

// lockFile falls back to an in-process lock where flock is unavailable.
func lockFile(ctx context.Context, path string) (func(), error) {
	v, _ := inProcessLocks.LoadOrStore(path, make(chan struct{}, 1))
	ch := v.(chan struct{})
	select {
	case ch <- struct{}{}:
		return func() { <-ch }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}
