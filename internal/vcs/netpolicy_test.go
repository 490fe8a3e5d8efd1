package vcs

import (
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cargoman/cargoman/internal/netpolicy"
)

// countingListener accepts connections on 127.0.0.1, counts them and
// never answers.
func countingListener(t *testing.T) (port int, n *atomic.Int32) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	n = &atomic.Int32{}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			n.Add(1)
			go func() {
				defer c.Close()
				_, _ = io.Copy(io.Discard, c)
			}()
		}
	}()
	return ln.Addr().(*net.TCPAddr).Port, n
}

// TestSyncRefusesPrivateAddress points repositories at a listener on the
// loopback address: with private networks denied, nothing reaches it, and
// the error is the generic one whatever the port.
func TestSyncRefusesPrivateAddress(t *testing.T) {
	port, seen := countingListener(t)
	deny, err := netpolicy.New(nil, true)
	if err != nil {
		t.Fatal(err)
	}
	onlyGitHub, err := netpolicy.New([]string{"github.com"}, true)
	if err != nil {
		t.Fatal(err)
	}
	p := strconv.Itoa(port)
	tests := []struct {
		name string
		url  string
		pol  *netpolicy.Policy
	}{
		{"https to an IP", "https://127.0.0.1:" + p + "/acme/lib.git", deny},
		{"https to a name of the loopback", "https://localhost:" + p + "/acme/lib.git", deny},
		{"https to a mapped IPv6", "https://[::ffff:127.0.0.1]:" + p + "/acme/lib.git", deny},
		{"ssh URL", "ssh://git@127.0.0.1:" + p + "/acme/lib.git", deny},
		{"ssh to a name of the loopback", "ssh://git@localhost:" + p + "/acme/lib.git", deny},
		{"host outside ALLOWED_GIT_HOSTS", "https://localhost:" + p + "/acme/lib.git", onlyGitHub},
		{"scp-like outside ALLOWED_GIT_HOSTS", "git@localhost:acme/lib.git", onlyGitHub},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Sync(t.Context(), t.TempDir()+"/m", tc.url, Auth{}, Options{Network: tc.pol, HostKeys: &memHostKeys{}})
			if !errors.Is(err, ErrHostNotAllowed) {
				t.Fatalf("Sync = %v, want ErrHostNotAllowed", err)
			}
			msg := strings.ReplaceAll(err.Error(), tc.url, "")
			for _, leak := range []string{p, "refused", "127.0.0.1", "403", "CONNECT"} {
				if strings.Contains(msg, leak) {
					t.Errorf("error %q tells about the target (%q)", err, leak)
				}
			}
		})
	}
	time.Sleep(50 * time.Millisecond)
	if got := seen.Load(); got != 0 {
		t.Fatalf("the private listener saw %d connections", got)
	}
}

// TestSyncStallTimeout syncs from servers that accept the connection and
// never say anything: the sync fails after the stall timeout, not after
// the 10-minute command timeout.
func TestSyncStallTimeout(t *testing.T) {
	port, seen := countingListener(t)
	for _, url := range []string{
		fmt.Sprintf("https://127.0.0.1:%d/acme/lib.git", port),
		fmt.Sprintf("ssh://git@127.0.0.1:%d/acme/lib.git", port),
	} {
		t.Run(url[:strings.Index(url, ":")], func(t *testing.T) {
			before := seen.Load()
			start := time.Now()
			_, err := Sync(t.Context(), t.TempDir()+"/m", url, Auth{}, Options{StallTimeout: 500 * time.Millisecond, HostKeys: &memHostKeys{}})
			took := time.Since(start)
			if !errors.Is(err, ErrStalled) {
				t.Fatalf("Sync = %v, want ErrStalled", err)
			}
			if took > 10*time.Second {
				t.Fatalf("the stalled sync took %s", took)
			}
			if seen.Load() == before {
				t.Fatal("the server saw no connection: the test tested nothing")
			}
			t.Logf("%v after %s", err, took.Round(time.Millisecond))
		})
	}
}
