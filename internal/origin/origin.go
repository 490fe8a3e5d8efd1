// Package origin owns the base URL (scheme://host[:port][/path]) every
// absolute URL the server hands out is built from: Composer dist URLs,
// the repository URL and auth.json of new credentials, REST Link headers.
// Composer keys credentials by host, so a dist URL naming another host
// than the repository URL a client was configured with fails with 401.
// With PUBLIC_URL set, that URL is the base; unset, each request's own
// scheme and Host are, with X-Forwarded-Proto and X-Forwarded-Host
// believed only from TRUSTED_PROXIES.
package origin

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"sync"
)

// maxWarned bounds the hosts warned about, so that random Host headers
// cannot grow memory or flood the log.
const maxWarned = 32

// Origin is a base URL in parts, read from a request without allocating.
type Origin struct {
	Scheme, Host string
	// Path is PUBLIC_URL's path without its trailing slash; empty for
	// bases read from requests.
	Path string
}

// String is the base URL, without a trailing slash.
func (o Origin) String() string { return o.Scheme + "://" + o.Host + o.Path }

// AuthHost is the key Composer looks credentials for URLs under o up by
// in auth.json (Composer\Util\Url::getOrigin): the host, with :port when
// the URL names one.
func (o Origin) AuthHost() string { return o.Host }

// Options configure a Resolver.
type Options struct {
	// Public is PUBLIC_URL; empty builds bases from requests.
	Public string
	// TrustedProxies are the peers whose X-Forwarded-Proto and
	// X-Forwarded-Host are believed (ParseTrusted).
	TrustedProxies []netip.Prefix
	// Log receives the warning about requests for another host than
	// PUBLIC_URL's; nil discards it.
	Log *slog.Logger
}

// Resolver tells the base URL of requests.
type Resolver struct {
	public  *Origin
	trusted []netip.Prefix
	log     *slog.Logger

	mu     sync.Mutex
	warned map[string]bool
}

// New checks PUBLIC_URL, when given: an absolute http or https URL
// without query or fragment.
func New(o Options) (*Resolver, error) {
	r := &Resolver{trusted: o.TrustedProxies, log: o.Log, warned: map[string]bool{}}
	if r.log == nil {
		r.log = slog.New(slog.DiscardHandler)
	}
	if o.Public == "" {
		return r, nil
	}
	u, err := url.Parse(o.Public)
	if err != nil {
		return nil, fmt.Errorf("PUBLIC_URL %q is not a URL: %w", o.Public, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("PUBLIC_URL must be an absolute http:// or https:// URL such as https://packages.example.com, without user, query or fragment (got %q)", o.Public)
	}
	r.public = &Origin{Scheme: u.Scheme, Host: u.Host, Path: strings.TrimSuffix(u.EscapedPath(), "/")}
	return r, nil
}

// ParseTrusted reads TRUSTED_PROXIES: a comma-separated list of IP
// addresses and CIDR prefixes.
func ParseTrusted(list string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, part := range strings.Split(list, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if p, err := netip.ParsePrefix(part); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(part)
		if err != nil {
			return nil, fmt.Errorf("%q is neither an IP address nor a CIDR prefix such as 10.0.0.0/8", part)
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

// Of is the base of req's absolute URLs: PUBLIC_URL when set (warning
// once per other host a request names), else the request's scheme and
// host.
func (r *Resolver) Of(req *http.Request) Origin {
	seen := r.requested(req)
	if r.public == nil {
		return seen
	}
	if seen.Host != "" && seen.Host != r.public.Host {
		r.warn(seen.Host)
	}
	return *r.public
}

// BaseOf is Of as a string.
func (r *Resolver) BaseOf(req *http.Request) string { return r.Of(req).String() }

// requested is the scheme and host req was sent to, as far as it can be
// believed: forwarded headers count only from a trusted peer.
func (r *Resolver) requested(req *http.Request) Origin {
	o := Origin{Scheme: "http", Host: req.Host}
	if req.TLS != nil {
		o.Scheme = "https"
	}
	if len(r.trusted) > 0 && r.trustedPeer(req.RemoteAddr) {
		if p := firstValue(req.Header.Get("X-Forwarded-Proto")); p == "http" || p == "https" {
			o.Scheme = p
		}
		if h := firstValue(req.Header.Get("X-Forwarded-Host")); validHost(h) {
			o.Host = h
		}
	}
	if o.Host == "" {
		// HTTP/1.0 without Host: the address the request reached.
		if a, ok := req.Context().Value(http.LocalAddrContextKey).(net.Addr); ok {
			o.Host = a.String()
		} else {
			o.Host = "localhost"
		}
	}
	return o
}

func (r *Resolver) trustedPeer(remote string) bool {
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		host = remote
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return false
	}
	a = a.Unmap()
	for _, p := range r.trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// firstValue is the first of a comma-separated header value: the one the
// proxy nearest the client added.
func firstValue(v string) string {
	if i := strings.IndexByte(v, ','); i >= 0 {
		v = v[:i]
	}
	return strings.TrimSpace(v)
}

// validHost accepts host[:port] made of the characters host names, IP
// literals and ports use, so a forwarded value cannot inject into URLs.
func validHost(h string) bool {
	if h == "" || len(h) > 255 {
		return false
	}
	for i := 0; i < len(h); i++ {
		c := h[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("-.:[]_", c) >= 0) {
			return false
		}
	}
	return true
}

// warn logs, once per host and for at most maxWarned hosts, that a
// request named another host than PUBLIC_URL's.
func (r *Resolver) warn(host string) {
	r.mu.Lock()
	first := !r.warned[host] && len(r.warned) < maxWarned
	if first {
		r.warned[host] = true
	}
	r.mu.Unlock()
	if first {
		r.log.Warn("a request named another host than PUBLIC_URL; Composer URLs keep naming PUBLIC_URL, so clients configured with this host get 401 on downloads (unset PUBLIC_URL to build URLs from each request)",
			"request_host", host, "public_url", r.public.String())
	}
}

type ctxKey struct{}

// Middleware records each request's base in its context, for code that
// sees only a context (GraphQL resolvers).
func (r *Resolver) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		next.ServeHTTP(w, req.WithContext(context.WithValue(req.Context(), ctxKey{}, r.Of(req))))
	})
}

// FromContext is the base Middleware recorded; ok is false outside a
// request.
func FromContext(ctx context.Context) (Origin, bool) {
	o, ok := ctx.Value(ctxKey{}).(Origin)
	return o, ok
}
