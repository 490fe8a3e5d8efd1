package origin_test

import (
	"bytes"
	"crypto/tls"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/cargoman/cargoman/internal/origin"
)

// TestBaseOfRequest: with PUBLIC_URL unset, the base is the request's
// scheme and Host; X-Forwarded-Proto and X-Forwarded-Host count only from
// a peer in TRUSTED_PROXIES; with PUBLIC_URL set, it is the base.
func TestBaseOfRequest(t *testing.T) {
	trusted, err := origin.ParseTrusted("10.0.0.0/8, 192.0.2.7,::1")
	if err != nil {
		t.Fatal(err)
	}
	fwd := map[string]string{"X-Forwarded-Proto": "https", "X-Forwarded-Host": "packages.example.com"}
	for _, tc := range []struct {
		name, public, host, remote string
		tls                        bool
		header                     map[string]string
		want                       string
	}{
		{name: "request host", host: "127.0.0.1:8080", remote: "127.0.0.1:5000", want: "http://127.0.0.1:8080"},
		{name: "other name", host: "localhost:8080", remote: "127.0.0.1:5000", want: "http://localhost:8080"},
		{name: "tls", host: "packages.example.com", remote: "203.0.113.9:5000", tls: true, want: "https://packages.example.com"},
		{name: "forwarded from untrusted peer ignored", host: "127.0.0.1:8080", remote: "203.0.113.9:5000", header: fwd, want: "http://127.0.0.1:8080"},
		{name: "forwarded from trusted prefix", host: "cargoman:8080", remote: "10.1.2.3:5000", header: fwd, want: "https://packages.example.com"},
		{name: "forwarded from trusted address", host: "cargoman:8080", remote: "192.0.2.7:5000", header: fwd, want: "https://packages.example.com"},
		{name: "forwarded from trusted IPv6", host: "cargoman:8080", remote: "[::1]:5000", header: fwd, want: "https://packages.example.com"},
		{name: "first of a forwarded list", host: "cargoman:8080", remote: "10.1.2.3:5000", header: map[string]string{"X-Forwarded-Proto": "https, http", "X-Forwarded-Host": "a.example, b.example"}, want: "https://a.example"},
		{name: "bad forwarded values ignored", host: "cargoman:8080", remote: "10.1.2.3:5000", header: map[string]string{"X-Forwarded-Proto": "gopher", "X-Forwarded-Host": "evil.example/x?y"}, want: "http://cargoman:8080"},
		{name: "public URL wins", public: "https://packages.example.com/composer/", host: "127.0.0.1:8080", remote: "10.1.2.3:5000", header: fwd, want: "https://packages.example.com/composer"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := origin.New(origin.Options{Public: tc.public, TrustedProxies: trusted})
			if err != nil {
				t.Fatal(err)
			}
			req := httptest.NewRequest(http.MethodGet, "/p2/acme/lib.json", nil)
			req.Host, req.RemoteAddr = tc.host, tc.remote
			if tc.tls {
				req.TLS = &tls.ConnectionState{}
			}
			for k, v := range tc.header {
				req.Header.Set(k, v)
			}
			if got := r.BaseOf(req); got != tc.want {
				t.Errorf("BaseOf = %q, want %q", got, tc.want)
			}
		})
	}
}

// TestParseTrustedAndPublicRefusals: bad TRUSTED_PROXIES entries and
// PUBLIC_URLs are refused with a message naming the value.
func TestParseTrustedAndPublicRefusals(t *testing.T) {
	for _, bad := range []string{"10.0.0.0/33", "example.com", "1.2.3"} {
		if _, err := origin.ParseTrusted("10.0.0.1," + bad); err == nil || !strings.Contains(err.Error(), bad) {
			t.Errorf("ParseTrusted(%q) = %v, want an error naming it", bad, err)
		}
	}
	for _, bad := range []string{"localhost:8080", "ftp://x.example", "https://x.example/?a=1", "/relative"} {
		if _, err := origin.New(origin.Options{Public: bad}); err == nil || !strings.Contains(err.Error(), "PUBLIC_URL") {
			t.Errorf("New(Public: %q) = %v, want a PUBLIC_URL error", bad, err)
		}
	}
}

// TestWarnsOnceOfAnotherHost: with PUBLIC_URL set, the first request
// naming another host logs one warning naming both; repeats do not, and
// the hosts remembered are bounded.
func TestWarnsOnceOfAnotherHost(t *testing.T) {
	var logs bytes.Buffer
	r, err := origin.New(origin.Options{Public: "http://localhost:8080", Log: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	get := func(host string) {
		req := httptest.NewRequest(http.MethodGet, "/packages.json", nil)
		req.Host = host
		if got := r.BaseOf(req); got != "http://localhost:8080" {
			t.Fatalf("BaseOf = %q, want PUBLIC_URL", got)
		}
	}
	get("localhost:8080")
	if logs.Len() != 0 {
		t.Fatalf("warned for PUBLIC_URL's own host: %s", logs.String())
	}
	for range 3 {
		get("127.0.0.1:8080")
	}
	if n := strings.Count(logs.String(), "level=WARN"); n != 1 {
		t.Fatalf("%d warnings for one other host, want 1:\n%s", n, logs.String())
	}
	if !strings.Contains(logs.String(), "request_host=127.0.0.1:8080") || !strings.Contains(logs.String(), "public_url=http://localhost:8080") {
		t.Errorf("warning does not name both hosts: %s", logs.String())
	}
	for i := range 1000 {
		get("h" + strings.Repeat("x", i%7) + "-" + string(rune('a'+i%26)) + ".example")
	}
	if n := strings.Count(logs.String(), "level=WARN"); n > 40 {
		t.Errorf("%d warnings for random hosts, want them bounded", n)
	}
}
