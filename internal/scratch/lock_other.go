//go:build !unix

package scratch

import (
	"os"
	"time"
)

// lock only creates the lock file where flock is unavailable.
func lock(path string) (func(), error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	return func() { _ = f.Close() }, nil
}

// tryLock cannot tell a live owner without flock: only a lock file older
// than StaleAge (not refreshed by a restart) counts as abandoned.
func tryLock(path string) (func(), bool) {
	info, err := os.Stat(path)
	if err != nil || time.Since(info.ModTime()) < StaleAge {
		return nil, false
	}
	return func() {}, true
}
