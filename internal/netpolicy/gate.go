package netpolicy

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultStall is how long a gated connection may go without a byte from
// the remote before it is cut.
const DefaultStall = 60 * time.Second

// Gate is a listener on 127.0.0.1 that is a subprocess's only way to the
// network: every connection through it is dialled with the policy, and cut
// when the remote stays silent for the stall time. A Gate is either an HTTP
// CONNECT proxy (for curl, any target) or a forwarder to one fixed target
// (for ssh); a proxy gate may also relay plain-http requests (for curl
// fetching an http:// repository). It records whether it refused a target, so the caller can
// report the refusal instead of the subprocess's own confused message.
type Gate struct {
	pol    *Policy
	stall  time.Duration
	target string // forwarder: the fixed "host:port"; proxy: ""
	plain  bool   // proxy: relay absolute-form plain-http requests too
	ln     net.Listener
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	refused atomic.Bool
	stalled atomic.Bool
	mu      sync.Mutex
	dialErr error
	conns   map[net.Conn]struct{}
}

// Proxy opens an HTTP CONNECT proxy gate. stall <= 0 means DefaultStall.
func (p *Policy) Proxy(stall time.Duration) (*Gate, error) { return p.open("", stall, false) }

// HTTPProxy opens a proxy gate that also relays plain-http requests (the
// absolute-form requests curl sends a proxy for http:// URLs), for git
// servers allowed on plain http (ALLOW_INSECURE_GIT_HTTP). Every request
// is dialled with the policy like a CONNECT. stall <= 0 means
// DefaultStall.
func (p *Policy) HTTPProxy(stall time.Duration) (*Gate, error) { return p.open("", stall, true) }

// Forward opens a gate that connects every client to target ("host:port").
// stall <= 0 means DefaultStall.
func (p *Policy) Forward(target string, stall time.Duration) (*Gate, error) {
	if _, _, err := net.SplitHostPort(target); err != nil {
		return nil, fmt.Errorf("netpolicy: forward target: %w", err)
	}
	return p.open(target, stall, false)
}

func (p *Policy) open(target string, stall time.Duration, plain bool) (*Gate, error) {
	if stall <= 0 {
		stall = DefaultStall
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("netpolicy: open gate: %w", err)
	}
	g := &Gate{pol: p, stall: stall, target: target, plain: plain, ln: ln, conns: map[net.Conn]struct{}{}}
	g.ctx, g.cancel = context.WithCancel(context.Background())
	g.wg.Add(1)
	go g.serve()
	return g, nil
}

// Addr is the gate's "127.0.0.1:port".
func (g *Gate) Addr() string { return g.ln.Addr().String() }

// Port is the gate's port.
func (g *Gate) Port() int { return g.ln.Addr().(*net.TCPAddr).Port }

// Refused reports whether the policy refused a target asked of the gate.
func (g *Gate) Refused() bool { return g.refused.Load() }

// Stalled reports whether a connection was cut for silence.
func (g *Gate) Stalled() bool { return g.stalled.Load() }

// DialError is the last error dialling an allowed target, if any.
func (g *Gate) DialError() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.dialErr
}

// Close stops the gate and cuts the connections through it.
func (g *Gate) Close() {
	g.cancel()
	_ = g.ln.Close()
	g.mu.Lock()
	for c := range g.conns {
		_ = c.Close()
	}
	g.mu.Unlock()
	g.wg.Wait()
}

func (g *Gate) track(c net.Conn) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.ctx.Err() != nil {
		_ = c.Close()
		return false
	}
	g.conns[c] = struct{}{}
	return true
}

func (g *Gate) untrack(c net.Conn) {
	g.mu.Lock()
	delete(g.conns, c)
	g.mu.Unlock()
	_ = c.Close()
}

func (g *Gate) serve() {
	defer g.wg.Done()
	for {
		c, err := g.ln.Accept()
		if err != nil {
			return
		}
		if !g.track(c) {
			continue
		}
		g.wg.Add(1)
		go func() {
			defer g.wg.Done()
			defer g.untrack(c)
			g.handle(c)
		}()
	}
}

// dial connects to target with the policy and records the outcome.
func (g *Gate) dial(target string) (net.Conn, error) {
	r, err := g.pol.DialContext(g.ctx, target)
	switch {
	case errors.Is(err, ErrRefused):
		g.refused.Store(true)
	case err != nil:
		g.mu.Lock()
		g.dialErr = err
		g.mu.Unlock()
	}
	if err != nil {
		return nil, err
	}
	if !g.track(r) {
		return nil, net.ErrClosed
	}
	return r, nil
}

func (g *Gate) handle(c net.Conn) {
	var from io.Reader = c
	target := g.target
	if target == "" {
		// The CONNECT request must arrive promptly; curl sends it at once.
		_ = c.SetReadDeadline(time.Now().Add(g.stall))
		br := bufio.NewReader(c)
		req, err := http.ReadRequest(br)
		if err != nil {
			return
		}
		_ = c.SetReadDeadline(time.Time{})
		if req.Method != http.MethodConnect && g.plain && req.URL.Scheme == "http" && req.URL.Host != "" {
			g.relay(c, br, req)
			return
		}
		if req.Method != http.MethodConnect {
			_, _ = io.WriteString(c, "HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
			return
		}
		target = req.Host
		from = br
	}
	r, err := g.dial(target)
	if err != nil {
		if g.target == "" {
			refuse(c, err)
		}
		return
	}
	defer g.untrack(r)
	if g.target == "" {
		if _, err := io.WriteString(c, "HTTP/1.1 200 Connection Established\r\n\r\n"); err != nil {
			return
		}
	}
	g.pipe(c, from, r)
}

// pipe copies both ways until either side ends, and cuts both when the
// remote r sends nothing for the stall time.
func (g *Gate) pipe(c net.Conn, from io.Reader, r net.Conn) {
	var last atomic.Int64
	last.Store(time.Now().UnixNano())
	done := make(chan struct{}, 2)
	go func() {
		_, _ = io.Copy(r, from)
		if tc, ok := r.(*net.TCPConn); ok {
			_ = tc.CloseWrite()
		}
		done <- struct{}{}
	}()
	go func() {
		_, _ = io.Copy(c, &activity{r: r, last: &last})
		done <- struct{}{}
	}()
	tick := time.NewTicker(max(g.stall/8, 10*time.Millisecond))
	defer tick.Stop()
	ended := 0
	for ended < 2 {
		select {
		case <-done:
			ended++
		case <-g.ctx.Done():
			_ = c.Close()
			_ = r.Close()
			return
		case <-tick.C:
			if time.Since(time.Unix(0, last.Load())) > g.stall {
				// A half-closed pair that lingers is not a stalled remote.
				g.stalled.Store(ended == 0)
				_ = c.Close()
				_ = r.Close()
				return
			}
		}
	}
}

// activity notes when the remote last sent something.
type activity struct {
	r    io.Reader
	last *atomic.Int64
}

func (a *activity) Read(p []byte) (int, error) {
	n, err := a.r.Read(p)
	if n > 0 {
		a.last.Store(time.Now().UnixNano())
	}
	return n, err
}

// refuse answers a proxy client whose target could not be dialled.
func refuse(c net.Conn, err error) {
	status := "502 Bad Gateway"
	if errors.Is(err, ErrRefused) {
		status = "403 Forbidden"
	}
	_, _ = io.WriteString(c, "HTTP/1.1 "+status+"\r\nContent-Length: 0\r\n\r\n")
}

// relay forwards the plain-http requests of one client connection, req
// first, each to the host its absolute URL names (one connection kept per
// host), and copies the answers back. A remote silent for the stall time
// is cut.
func (g *Gate) relay(c net.Conn, br *bufio.Reader, req *http.Request) {
	var (
		r      net.Conn
		rb     *bufio.Reader
		target string
	)
	defer func() {
		if r != nil {
			g.untrack(r)
		}
	}()
	for {
		addr := req.URL.Host
		if req.URL.Port() == "" {
			addr = net.JoinHostPort(req.URL.Hostname(), "80")
		}
		if addr != target {
			if r != nil {
				g.untrack(r)
				r = nil
			}
			var err error
			if r, err = g.dial(addr); err != nil {
				refuse(c, err)
				return
			}
			target = addr
			rb = bufio.NewReader(&deadlineReader{c: r, stall: g.stall, stalled: &g.stalled})
		}
		req.Header.Del("Proxy-Connection")
		req.Header.Del("Proxy-Authorization")
		if err := req.Write(r); err != nil { // origin-form, as a server expects
			return
		}
		for {
			resp, err := http.ReadResponse(rb, req)
			if err != nil {
				return
			}
			werr := resp.Write(c)
			_ = resp.Body.Close()
			if werr != nil {
				return
			}
			if resp.StatusCode >= 200 || resp.StatusCode == http.StatusSwitchingProtocols {
				if resp.Close || req.Close || resp.StatusCode == http.StatusSwitchingProtocols {
					return
				}
				break
			}
		}
		next, err := http.ReadRequest(br)
		if err != nil || next.Method == http.MethodConnect || next.URL.Scheme != "http" || next.URL.Host == "" {
			return
		}
		req = next
	}
}

// deadlineReader reads a remote connection with the stall time as a read
// deadline, noting when it expires.
type deadlineReader struct {
	c       net.Conn
	stall   time.Duration
	stalled *atomic.Bool
}

func (d *deadlineReader) Read(p []byte) (int, error) {
	_ = d.c.SetReadDeadline(time.Now().Add(d.stall))
	n, err := d.c.Read(p)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		d.stalled.Store(true)
	}
	return n, err
}
