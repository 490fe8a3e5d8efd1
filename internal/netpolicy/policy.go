// Package netpolicy decides which network addresses the server may reach on
// behalf of a tenant (repository URLs come from tenants and are untrusted),
// and provides the gate git's network traffic is forced through.
//
// The decision is made at connect time on the address actually dialled, so
// a host name that resolves to a public address when the URL is saved and to
// 127.0.0.1 later (DNS rebinding) is still refused.
package netpolicy

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"path"
	"strings"
	"syscall"
	"time"
)

// ErrRefused is the one answer for every refused host or address. It names
// the settings and nothing about the target, so that sync errors cannot be
// used to map the server's network.
var ErrRefused = errors.New("the repository host is not allowed (see ALLOWED_GIT_HOSTS and DENY_PRIVATE_NETWORKS)")

// Policy is the network policy for repository access. A nil *Policy allows
// every host and address.
type Policy struct {
	hosts       []string // lower-case host globs; empty allows any host
	denyPrivate bool
	dialTimeout time.Duration
}

// New returns a policy allowing the hosts matching one of the globs (empty:
// any host), and refusing loopback, private, link-local, CGNAT, unspecified
// and multicast addresses when denyPrivate is set.
func New(hosts []string, denyPrivate bool) (*Policy, error) {
	p := &Policy{denyPrivate: denyPrivate, dialTimeout: 30 * time.Second}
	for _, h := range hosts {
		h = strings.ToLower(strings.TrimSpace(h))
		if h == "" {
			continue
		}
		if _, err := path.Match(h, "x"); err != nil || strings.ContainsAny(h, "/:@ ") {
			return nil, fmt.Errorf("netpolicy: %q is not a host name or glob (e.g. github.com, *.example.com)", h)
		}
		p.hosts = append(p.hosts, h)
	}
	return p, nil
}

// ParseHosts splits a comma-separated ALLOWED_GIT_HOSTS value.
func ParseHosts(s string) []string {
	var out []string
	for _, h := range strings.Split(s, ",") {
		if h = strings.TrimSpace(h); h != "" {
			out = append(out, h)
		}
	}
	return out
}

// CheckHost tells whether host (a name or IP literal, without port) is on
// the allow-list. It does not resolve anything: addresses are checked when
// dialled.
func (p *Policy) CheckHost(host string) error {
	if p == nil || len(p.hosts) == 0 {
		return nil
	}
	h := strings.TrimSuffix(strings.ToLower(strings.Trim(host, "[]")), ".")
	for _, g := range p.hosts {
		if ok, _ := path.Match(g, h); ok {
			return nil
		}
	}
	return ErrRefused
}

// special lists the ranges no tenant may reach when private networks are
// denied, beyond what netip's predicates cover.
var special = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),       // "this network"
	netip.MustParsePrefix("100.64.0.0/10"),   // carrier-grade NAT
	netip.MustParsePrefix("192.0.0.0/24"),    // IETF protocol assignments
	netip.MustParsePrefix("198.18.0.0/15"),   // benchmarking
	netip.MustParsePrefix("240.0.0.0/4"),     // reserved, broadcast
	netip.MustParsePrefix("fec0::/10"),       // deprecated site-local
	netip.MustParsePrefix("64:ff9b:1::/48"),  // local-use NAT64
	netip.MustParsePrefix("2001:db8::/32"),   // documentation
	netip.MustParsePrefix("100::/64"),        // discard-only
	netip.MustParsePrefix("2001::/32"),       // Teredo hides an IPv4 address
	netip.MustParsePrefix("198.51.100.0/24"), // documentation
	netip.MustParsePrefix("203.0.113.0/24"),  // documentation
	netip.MustParsePrefix("192.0.2.0/24"),    // documentation
}

// CheckAddr refuses loopback, private (RFC 1918, fc00::/7), link-local,
// carrier-grade NAT, unspecified, multicast and other special-purpose
// addresses. IPv4-mapped IPv6 addresses are judged as the IPv4 address.
func CheckAddr(a netip.Addr) error {
	a = a.Unmap()
	if !a.IsValid() || a.IsLoopback() || a.IsPrivate() || a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast() ||
		a.IsInterfaceLocalMulticast() || a.IsMulticast() || a.IsUnspecified() {
		return ErrRefused
	}
	for _, p := range special {
		if p.Contains(a) {
			return ErrRefused
		}
	}
	// NAT64 (64:ff9b::/96, how IPv6-only networks reach IPv4 hosts) and
	// 6to4 (2002::/16) embed an IPv4 address: judge that one.
	b := a.As16()
	switch {
	case nat64.Contains(a):
		return CheckAddr(netip.AddrFrom4([4]byte(b[12:16])))
	case sixToFour.Contains(a):
		return CheckAddr(netip.AddrFrom4([4]byte(b[2:6])))
	}
	return nil
}

var (
	nat64     = netip.MustParsePrefix("64:ff9b::/96")
	sixToFour = netip.MustParsePrefix("2002::/16")
)

// control runs on every socket before it connects, with the address
// actually dialled: the check cannot be raced by a second DNS answer.
func (p *Policy) control(_, address string, _ syscall.RawConn) error {
	if p == nil || !p.denyPrivate {
		return nil
	}
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return ErrRefused
	}
	return CheckAddr(ap.Addr())
}

// DialContext connects to address ("host:port") over TCP if the policy
// allows the host and the address it resolves to. A refusal is ErrRefused
// and no packet has been sent to the target.
func (p *Policy) DialContext(ctx context.Context, address string) (net.Conn, error) {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return nil, fmt.Errorf("netpolicy: %w", err)
	}
	if err := p.CheckHost(host); err != nil {
		return nil, err
	}
	d := net.Dialer{Timeout: 30 * time.Second, Control: p.control}
	if p != nil {
		d.Timeout = p.dialTimeout
	}
	c, err := d.DialContext(ctx, "tcp", address)
	if errors.Is(err, ErrRefused) {
		return nil, ErrRefused
	}
	return c, err
}
