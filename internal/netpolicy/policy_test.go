package netpolicy

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestCheckAddr(t *testing.T) {
	tests := []struct {
		addr    string
		refused bool
	}{
		{"127.0.0.1", true},
		{"127.8.9.10", true},
		{"::1", true},
		{"10.1.2.3", true},
		{"172.16.0.1", true},
		{"172.31.255.255", true},
		{"172.32.0.1", false},
		{"192.168.1.1", true},
		{"fc00::1", true},
		{"fd12:3456::1", true},
		{"169.254.169.254", true}, // cloud metadata
		{"fe80::1", true},
		{"100.64.0.1", true},
		{"100.127.255.255", true},
		{"100.128.0.1", false},
		{"0.0.0.0", true},
		{"::", true},
		{"224.0.0.1", true},
		{"ff02::1", true},
		{"255.255.255.255", true},
		{"::ffff:127.0.0.1", true},
		{"::ffff:10.0.0.1", true},
		{"64:ff9b::7f00:1", true},     // NAT64 of 127.0.0.1
		{"64:ff9b::8c52:7903", false}, // NAT64 of 140.82.121.3
		{"2002:c0a8:0101::1", true},   // 6to4 of 192.168.1.1
		{"140.82.121.3", false},
		{"2606:4700::1111", false},
		{"8.8.8.8", false},
	}
	for _, tc := range tests {
		t.Run(tc.addr, func(t *testing.T) {
			err := CheckAddr(netip.MustParseAddr(tc.addr))
			if tc.refused != (err != nil) {
				t.Fatalf("CheckAddr(%s) = %v, refused want %v", tc.addr, err, tc.refused)
			}
			if err != nil && !errors.Is(err, ErrRefused) {
				t.Fatalf("CheckAddr(%s) = %v, want ErrRefused", tc.addr, err)
			}
		})
	}
}

func TestCheckHost(t *testing.T) {
	p, err := New([]string{"github.com", "*.example.com"}, true)
	if err != nil {
		t.Fatal(err)
	}
	for host, ok := range map[string]bool{
		"github.com": true, "GitHub.com.": true, "git.example.com": true,
		"example.com": false, "evil.com": false, "github.com.evil.com": false, "127.0.0.1": false,
	} {
		if err := p.CheckHost(host); (err == nil) != ok {
			t.Errorf("CheckHost(%q) = %v, want allowed %v", host, err, ok)
		}
	}
	if _, err := New([]string{"gith[ub.com"}, true); err == nil {
		t.Error("a bad glob is accepted")
	}
	var none *Policy
	if err := none.CheckHost("anything"); err != nil {
		t.Errorf("nil policy refuses: %v", err)
	}
}

// listener counts the connections it accepts.
func listener(t *testing.T) (net.Listener, *atomic.Int32) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	var n atomic.Int32
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			n.Add(1)
			go func() { _, _ = io.Copy(io.Discard, c) }()
		}
	}()
	return ln, &n
}

// TestDialerRefusesResolvedLoopback dials a name that resolves to the
// loopback address: the check happens on the resolved address, so the
// listener never sees a connection.
func TestDialerRefusesResolvedLoopback(t *testing.T) {
	ln, n := listener(t)
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	p, err := New(nil, true)
	if err != nil {
		t.Fatal(err)
	}
	for _, target := range []string{"localhost:" + port, "127.0.0.1:" + port, "[::ffff:127.0.0.1]:" + port} {
		if c, err := p.DialContext(t.Context(), target); !errors.Is(err, ErrRefused) {
			if c != nil {
				c.Close()
			}
			t.Errorf("dial %s = %v, want ErrRefused", target, err)
		}
	}
	time.Sleep(50 * time.Millisecond)
	if got := n.Load(); got != 0 {
		t.Fatalf("listener saw %d connections", got)
	}
	open, _ := New(nil, false)
	c, err := open.DialContext(t.Context(), "localhost:"+port)
	if err != nil {
		t.Fatalf("policy without DENY_PRIVATE_NETWORKS: %v", err)
	}
	c.Close()
}

func connect(t *testing.T, g *Gate, target string) (*http.Response, net.Conn) {
	t.Helper()
	c, err := net.Dial("tcp", g.Addr())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if _, err := io.WriteString(c, "CONNECT "+target+" HTTP/1.1\r\nHost: "+target+"\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	return resp, c
}

func TestGateProxyRefuses(t *testing.T) {
	ln, n := listener(t)
	p, _ := New(nil, true)
	g, err := p.Proxy(time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	resp, _ := connect(t, g, ln.Addr().String())
	if resp.StatusCode != http.StatusForbidden || !g.Refused() {
		t.Fatalf("CONNECT to loopback: %d, refused %v", resp.StatusCode, g.Refused())
	}
	if n.Load() != 0 {
		t.Fatal("the refused target saw a connection")
	}
}

func TestGateStall(t *testing.T) {
	ln, n := listener(t) // accepts and never answers
	p, _ := New(nil, false)
	g, err := p.Proxy(200 * time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	resp, c := connect(t, g, ln.Addr().String())
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("CONNECT: %d", resp.StatusCode)
	}
	_, _ = io.WriteString(c, "hello")
	start := time.Now()
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Read(make([]byte, 1)); err == nil || time.Since(start) > 3*time.Second {
		t.Fatalf("read = %v after %s; want the gate to cut the silent remote", err, time.Since(start))
	}
	if !g.Stalled() || n.Load() != 1 {
		t.Fatalf("stalled %v, connections %d", g.Stalled(), n.Load())
	}
}

// TestGatePlainHTTP: only a gate opened with HTTPProxy relays plain-http
// requests, each dialled with the policy like a CONNECT; the others answer
// 405 without contacting the target.
func TestGatePlainHTTP(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		if r.Header.Get("Proxy-Authorization") != "" || r.RequestURI != "/repo.git/info/refs" {
			http.Error(w, "proxy header or absolute URI leaked: "+r.RequestURI, http.StatusBadRequest)
			return
		}
		_, _ = io.WriteString(w, "refs of "+r.Host)
	}))
	defer srv.Close()
	open := func(p *Policy, plain bool) *Gate {
		t.Helper()
		g, err := p.Proxy(time.Second)
		if plain {
			g, err = p.HTTPProxy(time.Second)
		}
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(g.Close)
		return g
	}
	allow, _ := New(nil, false)
	deny, _ := New(nil, true)
	tests := []struct {
		name   string
		gate   *Gate
		status int
		hits   int32
	}{
		{"relayed", open(allow, true), http.StatusOK, 1},
		{"CONNECT-only gate", open(allow, false), http.StatusMethodNotAllowed, 0},
		{"refused address", open(deny, true), http.StatusForbidden, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			hits.Store(0)
			proxy, _ := url.Parse("http://" + tc.gate.Addr())
			client := &http.Client{Transport: &http.Transport{Proxy: http.ProxyURL(proxy)}}
			req, _ := http.NewRequest(http.MethodGet, srv.URL+"/repo.git/info/refs", nil)
			req.Header.Set("Proxy-Authorization", "Basic eDp5")
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tc.status || hits.Load() != tc.hits {
				t.Fatalf("status %d (%s), %d hits; want %d, %d", resp.StatusCode, body, hits.Load(), tc.status, tc.hits)
			}
			if tc.status == http.StatusOK && string(body) != "refs of "+strings.TrimPrefix(srv.URL, "http://") {
				t.Fatalf("body %q", body)
			}
		})
	}
}
