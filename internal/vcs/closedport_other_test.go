//go:build !unix

package vcs

import (
	"net"
	"testing"
)

// closedPort returns a local TCP port nothing listens on (a port closed and
// handed back, which a parallel test could take).
func closedPort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	return port
}
