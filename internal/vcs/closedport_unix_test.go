//go:build unix

package vcs

import (
	"syscall"
	"testing"
)

// closedPort returns a local TCP port nothing listens on, and keeps it so
// until the test ends: the port stays bound (without listen, so connecting
// is refused), so no server of a test running in parallel can take it
// meanwhile, as it could a port closed and handed back.
func closedPort(t *testing.T) int {
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Close(fd) })
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		t.Fatal(err)
	}
	return sa.(*syscall.SockaddrInet4).Port
}
