package loadtest

import (
	"fmt"
	"math"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// wrkArgs are the load of the metadata benchmark: two threads (the machine
// the figures are quoted for has two cores), 64 connections, ten seconds.
var wrkArgs = []string{"-t2", "-c64", "-d10s", "--latency"}

// wrkResult is what one wrk run reports.
type wrkResult struct {
	Requests     int64
	RPS          float64
	P50, P99     time.Duration
	Non2xx3xx    int64
	SocketErrors string // wrk's "Socket errors" line, "" when none
	Output       string
}

// runWrk runs wrk with args and headers against url and parses its report.
// A run that completed no request, or got any status other than 2xx/3xx,
// is a harness error (a wrong credential, a server that is not up).
func runWrk(t *testing.T, bin, url string, headers []string, args ...string) wrkResult {
	t.Helper()
	cmdArgs := append([]string{}, args...)
	for _, h := range headers {
		cmdArgs = append(cmdArgs, "-H", h)
	}
	cmdArgs = append(cmdArgs, url)
	out, err := exec.Command(bin, cmdArgs...).CombinedOutput()
	if err != nil {
		t.Fatalf("wrk %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	res, err := parseWrk(string(out))
	if err != nil {
		t.Fatalf("wrk output: %v\n%s", err, out)
	}
	if res.Requests == 0 || res.Non2xx3xx > 0 {
		t.Fatalf("wrk against %s: %d requests, %d not 2xx/3xx\n%s", url, res.Requests, res.Non2xx3xx, out)
	}
	return res
}

var (
	wrkRPS      = regexp.MustCompile(`(?m)^Requests/sec:\s+([0-9.]+)\s*$`)
	wrkTotal    = regexp.MustCompile(`(?m)^\s*([0-9]+) requests in `)
	wrkPercent  = regexp.MustCompile(`(?m)^\s+(50|99)(?:\.0+)?%\s+([0-9.]+)(us|ms|s|m|h)\s*$`)
	wrkNon2xx   = regexp.MustCompile(`(?m)^\s*Non-2xx or 3xx responses:\s+([0-9]+)\s*$`)
	wrkSockErrs = regexp.MustCompile(`(?m)^\s*Socket errors:\s*(.+?)\s*$`)
)

// parseWrk reads Requests/sec, the request count, the 50% and 99% lines of
// the --latency distribution, and the error lines of a wrk 4 report.
func parseWrk(out string) (wrkResult, error) {
	r := wrkResult{Output: out}
	m := wrkRPS.FindStringSubmatch(out)
	if m == nil {
		return r, fmt.Errorf("no Requests/sec line")
	}
	var err error
	if r.RPS, err = strconv.ParseFloat(m[1], 64); err != nil {
		return r, fmt.Errorf("Requests/sec %q: %w", m[1], err)
	}
	if m = wrkTotal.FindStringSubmatch(out); m == nil {
		return r, fmt.Errorf("no request count")
	}
	r.Requests, _ = strconv.ParseInt(m[1], 10, 64)
	for _, m := range wrkPercent.FindAllStringSubmatch(out, -1) {
		d, err := wrkDuration(m[2], m[3])
		if err != nil {
			return r, err
		}
		if m[1] == "50" {
			r.P50 = d
		} else {
			r.P99 = d
		}
	}
	if r.P99 == 0 {
		return r, fmt.Errorf("no 99%% latency line (was --latency given?)")
	}
	if m = wrkNon2xx.FindStringSubmatch(out); m != nil {
		r.Non2xx3xx, _ = strconv.ParseInt(m[1], 10, 64)
	}
	if m = wrkSockErrs.FindStringSubmatch(out); m != nil {
		r.SocketErrors = m[1]
	}
	return r, nil
}

// wrkDuration converts wrk's "1.23ms" style figures.
func wrkDuration(num, unit string) (time.Duration, error) {
	f, err := strconv.ParseFloat(num, 64)
	if err != nil {
		return 0, fmt.Errorf("latency %s%s: %w", num, unit, err)
	}
	scale := map[string]time.Duration{"us": time.Microsecond, "ms": time.Millisecond, "s": time.Second, "m": time.Minute, "h": time.Hour}[unit]
	return time.Duration(math.Round(f * float64(scale))), nil
}

// TestParseWrk runs always: it pins the parser to wrk 4.1's report format.
func TestParseWrk(t *testing.T) {
	const out = `Running 10s test @ http://127.0.0.1:41234/p2/acme/lib.json
  2 threads and 64 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    10.52ms    4.01ms  61.30ms   78.12%
    Req/Sec     3.07k   312.45     3.80k    70.50%
  Latency Distribution
     50%    9.87ms
     75%   12.40ms
     90%   15.52ms
     99%   24.06ms
  61234 requests in 10.01s, 1.17GB read
  Socket errors: connect 0, read 0, write 0, timeout 3
  Non-2xx or 3xx responses: 2
Requests/sec:   6117.38
Transfer/sec:    119.35MB
`
	r, err := parseWrk(out)
	if err != nil {
		t.Fatal(err)
	}
	if r.RPS != 6117.38 || r.Requests != 61234 || r.P50 != 9870*time.Microsecond || r.P99 != 24060*time.Microsecond ||
		r.Non2xx3xx != 2 || r.SocketErrors != "connect 0, read 0, write 0, timeout 3" {
		t.Fatalf("parsed %+v", r)
	}
	if d, _ := wrkDuration("812.00", "us"); d != 812*time.Microsecond {
		t.Fatalf("812.00us = %v", d)
	}
	if _, err := parseWrk("Running 10s test\n"); err == nil {
		t.Fatal("a report without figures parsed")
	}
}
