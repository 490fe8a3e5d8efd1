package loadtest

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cargoman/cargoman/internal/testenv"
)

// Targets. The metadata comparison has none yet: it is reported.
// Targets of issue 4; a miss is reported, not failed (figures depend on
// the machine and what else runs on it).
const (
	composerTarget      = 1.2                   // composer update time, Cargoman / nginx, at most
	metadataRatioTarget = 0.5                   // p2 requests/s, Cargoman / nginx gzip_static, at least
	metadataP99Target   = 10 * time.Millisecond // Cargoman's p99 at 64 connections, under
)

// tools are the external programs the benchmarks drive.
type tools struct {
	nginx, wrk, composer string
	versions             string
}

func findTools(t *testing.T) tools {
	t.Helper()
	look := func(name string, fallbacks ...string) string {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
		for _, p := range fallbacks {
			if _, err := os.Stat(p); err == nil {
				return p
			}
		}
		t.Fatalf("%s is not installed: the load benchmarks need the Debian packages nginx wrk composer php-cli php-zip unzip", name)
		return ""
	}
	tl := tools{
		nginx:    look("nginx", "/usr/sbin/nginx"),
		wrk:      look("wrk", "/usr/bin/wrk"),
		composer: look("composer", "/usr/bin/composer"),
	}
	version := func(bin string, args ...string) string {
		out, _ := exec.Command(bin, args...).CombinedOutput()
		line, _, _ := strings.Cut(strings.TrimSpace(string(out)), "\n")
		return strings.TrimSpace(line)
	}
	tl.versions = strings.Join([]string{
		version(tl.nginx, "-v"),
		strings.TrimSpace(strings.Split(version(tl.wrk, "-v"), "Copyright")[0]),
		version(tl.composer, "--version", "--no-ansi"),
	}, "; ")
	return tl
}

// TestLoad runs both benchmarks on each backend in turn (never in
// parallel: they would share the CPUs) and logs a summary per backend.
func TestLoad(t *testing.T) {
	if os.Getenv("CARGOMAN_LOAD") != "1" {
		t.Skip("load benchmarks run with CARGOMAN_LOAD=1 (make load)")
	}
	reps := 5
	if v := os.Getenv("CARGOMAN_LOAD_REPS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			t.Fatalf("CARGOMAN_LOAD_REPS=%q: want a positive count", v)
		}
		reps = n
	}
	tl := findTools(t)
	var summaries []string
	for _, b := range testenv.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			r := report{backend: b.Name, tools: tl.versions, load: loadAverage()}
			f := newFixture(t, b)
			r.setup = f.setup
			t.Run("metadata", func(t *testing.T) { r.meta = benchMetadata(t, f, tl) })
			t.Run("composer_update", func(t *testing.T) { r.composer = benchComposer(t, f, tl, reps) })
			s := r.String()
			t.Log("\n" + s)
			summaries = append(summaries, s)
		})
	}
	if len(summaries) > 1 {
		t.Log("\n" + strings.Join(summaries, "\n"))
	}
}

// metadataResult is the outcome of the metadata benchmark.
type metadataResult struct {
	ran                    bool
	body                   int // uncompressed bytes of the p2 document
	gzCargo, gzNginx, gzSt int // compressed bytes each server sent
	cargo, nginx, static   wrkResult
	plain                  wrkResult // nginx without gzip, as stock Debian serves JSON
}

// benchMetadata compares Cargoman's authenticated /p2/acme/lib.json with
// nginx serving the same bytes from disk, both asked for gzip.
func benchMetadata(t *testing.T, f *fixture, tl tools) metadataResult {
	path := "/p2/" + libName + ".json"
	cm := f.get(t, f.s.URL+path, true)
	if cm.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("Cargoman did not gzip %s: %v", path, cm.Header)
	}
	root := t.TempDir()
	write := func(rel string, data []byte) {
		p := filepath.Join(root, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(path, cm.Body)
	write("static"+path, cm.Body)
	write("plain"+path, cm.Body)
	var gz bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression) // as `gzip -9` would precompress
	_, _ = zw.Write(cm.Body)
	_ = zw.Close()
	write("static"+path+".gz", gz.Bytes())
	ng := startNginx(t, tl.nginx, root)

	res := metadataResult{ran: true, body: len(cm.Body), gzCargo: cm.Wire}
	for _, u := range []string{ng.URL + path, ng.URL + "/static" + path} {
		r := f.get(t, u, true)
		if r.Header.Get("Content-Encoding") != "gzip" || !bytes.Equal(r.Body, cm.Body) {
			t.Fatalf("nginx at %s does not serve Cargoman's body gzip-compressed (Content-Encoding %q, %d bytes vs %d)",
				u, r.Header.Get("Content-Encoding"), len(r.Body), len(cm.Body))
		}
		if strings.Contains(u, "/static/") {
			res.gzSt = r.Wire
		} else {
			res.gzNginx = r.Wire
		}
	}

	cargoHeaders := []string{"Authorization: " + f.auth, "Accept-Encoding: gzip"}
	nginxHeaders := []string{"Accept-Encoding: gzip"}
	run := func(u string, h []string) wrkResult {
		runWrk(t, tl.wrk, u, h, "-t2", "-c64", "-d2s", "--latency") // warm-up, not counted
		r := runWrk(t, tl.wrk, u, h, wrkArgs...)
		t.Logf("wrk %s %s:\n%s", strings.Join(wrkArgs, " "), u, r.Output)
		return r
	}
	res.cargo = run(f.s.URL+path, cargoHeaders)
	res.nginx = run(ng.URL+path, nginxHeaders)
	res.static = run(ng.URL+"/static"+path, nginxHeaders)
	if r := f.get(t, ng.URL+"/plain"+path, true); r.Header.Get("Content-Encoding") != "" || !bytes.Equal(r.Body, cm.Body) {
		t.Fatalf("nginx /plain/ does not serve Cargoman's body uncompressed (Content-Encoding %q)", r.Header.Get("Content-Encoding"))
	}
	res.plain = run(ng.URL+"/plain"+path, nginxHeaders)
	return res
}

// composerResult is the outcome of the composer update benchmark.
type composerResult struct {
	ran          bool
	mirrored     int
	cargo, nginx []time.Duration
}

// benchComposer times `composer update` of a project requiring acme/lib
// and 29 one-version packages against Cargoman and against a static copy
// of the same repository served by nginx, alternating which goes first.
func benchComposer(t *testing.T, f *fixture, tl tools, reps int) composerResult {
	root := t.TempDir()
	ng := startNginx(t, tl.nginx, root)
	res := composerResult{ran: true, mirrored: mirror(t, f, ng, root)}
	pkgs := f.names[:required]
	cargo := func() time.Duration { return runComposer(t, tl.composer, f.s.URL, f.token, pkgs) }
	static := func() time.Duration { return runComposer(t, tl.composer, ng.URL, "", pkgs) }
	// One untimed run each warms the OS page cache, PHP and both servers.
	cargo()
	static()
	for i := 0; i < reps; i++ {
		if i%2 == 0 {
			res.cargo = append(res.cargo, cargo())
			res.nginx = append(res.nginx, static())
		} else {
			res.nginx = append(res.nginx, static())
			res.cargo = append(res.cargo, cargo())
		}
		t.Logf("repetition %d: cargoman %v, nginx %v", i+1, res.cargo[i].Round(time.Millisecond), res.nginx[i].Round(time.Millisecond))
	}
	return res
}

// report is one backend's figures.
type report struct {
	backend, tools, load string
	setup                time.Duration
	meta                 metadataResult
	composer             composerResult
}

func (r report) String() string {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	p("=== Cargoman load benchmark, backend %s ===", r.backend)
	p("machine: %d CPUs %s/%s, %s, load average at start %s", runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, runtime.Version(), r.load)
	p("tools: %s", r.tools)
	p("logging: off on both sides (Cargoman's test server discards logs, as LOG_LEVEL=warn does; nginx access_log off)")
	p("data: %s with %d versions, customer with %d grants (set up over REST in %v)", libName, libVersions, grants, r.setup.Round(100*time.Millisecond))
	if m := r.meta; m.ran {
		p("")
		p("1. Metadata: GET /p2/%s.json, Accept-Encoding: gzip, wrk %s (after a 2 s warm-up each)", libName, strings.Join(wrkArgs, " "))
		p("   body %d B; gzip on the wire: cargoman %d B, nginx %d B, nginx gzip_static %d B", m.body, m.gzCargo, m.gzNginx, m.gzSt)
		p("   %-40s %12s %10s %10s  %s", "server", "requests/s", "p50", "p99", "socket errors")
		row := func(name string, w wrkResult) {
			p("   %-40s %12.2f %10v %10v  %s", name, w.RPS, w.P50, w.P99, orNone(w.SocketErrors))
		}
		row("cargoman (Basic auth, cached gzip body)", m.cargo)
		row("nginx (gzip on, level 6, per request)", m.nginx)
		row("nginx (gzip_static, precompressed)", m.static)
		row("nginx (no gzip, stock Debian for JSON)", m.plain)
		p("   ratio cargoman/nginx requests/s: %.4f (vs gzip_static: %.4f, vs no gzip: %.4f)", m.cargo.RPS/m.nginx.RPS, m.cargo.RPS/m.static.RPS, m.cargo.RPS/m.plain.RPS)
		p("   ratio cargoman/nginx p99:        %.4f (vs gzip_static: %.4f, vs no gzip: %.4f)", durRatio(m.cargo.P99, m.nginx.P99), durRatio(m.cargo.P99, m.static.P99), durRatio(m.cargo.P99, m.plain.P99))
		// Cargoman compresses each customer's document once and serves the
		// stored bytes, so precompressed gzip_static is the like-for-like
		// reference.
		verdict := func(ok bool) string {
			if ok {
				return "MET"
			}
			return "NOT MET"
		}
		p("   target vs gzip_static: requests/s ratio >= %.1f: %s; cargoman p99 < %v: %s",
			metadataRatioTarget, verdict(m.cargo.RPS/m.static.RPS >= metadataRatioTarget),
			metadataP99Target, verdict(m.cargo.P99 < metadataP99Target))
	}
	if c := r.composer; c.ran {
		mc, mn := median(c.cargo), median(c.nginx)
		ratio := durRatio(mc, mn)
		met := "MET"
		if ratio > composerTarget {
			met = "NOT MET"
		}
		p("")
		p("2. composer update: %d packages (%s + %d one-version packages), fresh COMPOSER_HOME and COMPOSER_CACHE_DIR each run,", required, libName, required-1)
		p("   median of %d (after one untimed run each); nginx serves a static copy (%d files, no auth)", len(c.cargo), c.mirrored)
		p("   %-40s %10s  %s", "server", "median", "runs")
		p("   %-40s %10v  %v", "cargoman", mc.Round(time.Millisecond), rounded(c.cargo))
		p("   %-40s %10v  %v", "nginx (static files)", mn.Round(time.Millisecond), rounded(c.nginx))
		p("   ratio cargoman/nginx: %.4f; target <= %.1f: %s", ratio, composerTarget, met)
	}
	return b.String()
}

func durRatio(a, b time.Duration) float64 { return float64(a) / float64(b) }

func rounded(d []time.Duration) []time.Duration {
	out := make([]time.Duration, len(d))
	for i, x := range d {
		out[i] = x.Round(time.Millisecond)
	}
	return out
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// loadAverage is the 1-minute load average, which says how busy the
// machine was besides the benchmark.
func loadAverage() string {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "n/a"
	}
	f := strings.Fields(string(data))
	if len(f) == 0 {
		return "n/a"
	}
	return f[0]
}
