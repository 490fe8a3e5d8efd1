package semver

import (
	"bufio"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// The oracle tests need PHP and a checkout of composer/semver, which CI does
// not have; they are skipped unless COMPOSER_SEMVER_SRC points at its src/
// directory:
//
//	COMPOSER_SEMVER_SRC=/path/to/semver/src go test -run Oracle ./internal/semver/
//
// SEMVER_ORACLE_CASES sets the number of random cases of each shape
// (default 3000). SEMVER_RECORD_GOLDEN=1 rewrites testdata/golden from PHP's
// answers to a smaller, fixed corpus.

type oracle struct {
	cmd *exec.Cmd
	in  io.WriteCloser
	out *bufio.Reader
}

func startOracle(t *testing.T) *oracle {
	t.Helper()
	src := os.Getenv("COMPOSER_SEMVER_SRC")
	if src == "" {
		t.Skip("COMPOSER_SEMVER_SRC not set")
	}
	php, err := exec.LookPath("php")
	if err != nil {
		t.Skip("php not found")
	}
	cmd := exec.Command(php, "-d", "memory_limit=1G", filepath.Join("testdata", "oracle.php"))
	cmd.Env = append(os.Environ(), "COMPOSER_SEMVER_SRC="+src)
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	o := &oracle{cmd: cmd, in: in, out: bufio.NewReaderSize(out, 1<<20)}
	t.Cleanup(func() {
		in.Close()
		_ = cmd.Wait()
	})
	return o
}

func hexList(items []string) string {
	enc := make([]string, len(items))
	for i, s := range items {
		enc[i] = hex.EncodeToString([]byte(s))
	}
	return strings.Join(enc, ",")
}

func isListOp(op string) bool { return op == "sort" || op == "rsort" || op == "andsplit" }

// ask sends a batch of cases and reads the answers.
func (o *oracle) ask(cases []diffCase) ([]answer, error) {
	go func() {
		w := bufio.NewWriter(o.in)
		for _, c := range cases {
			fields := []string{c.op}
			if c.op == "sort" || c.op == "rsort" {
				fields = append(fields, hex.EncodeToString([]byte(hexList(c.args))))
			} else {
				for _, a := range c.args {
					fields = append(fields, hex.EncodeToString([]byte(a)))
				}
			}
			w.WriteString(strings.Join(fields, "\t") + "\n")
		}
		w.Flush()
	}()
	answers := make([]answer, len(cases))
	for i, c := range cases {
		line, err := o.out.ReadString('\n')
		if err != nil {
			return nil, fmt.Errorf("case %d (%s): %w", i, c.op, err)
		}
		f := strings.Split(strings.TrimSuffix(line, "\n"), "\t")
		a := answer{status: f[0]}
		rest := f[1:]
		if a.status == "ok" && isListOp(c.op) {
			if rest[0] != "" || c.op == "andsplit" {
				rest = strings.Split(rest[0], ",")
			} else {
				rest = nil
			}
		}
		for _, x := range rest {
			b, err := hex.DecodeString(x)
			if err != nil {
				return nil, fmt.Errorf("case %d: bad answer %q", i, line)
			}
			a.vals = append(a.vals, string(b))
		}
		answers[i] = a
	}
	return answers, nil
}

func TestOracle(t *testing.T) {
	o := startOracle(t)
	n := 3000
	if s := os.Getenv("SEMVER_ORACLE_CASES"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	seed := uint64(1)
	if s := os.Getenv("SEMVER_ORACLE_SEED"); s != "" {
		seed, _ = strconv.ParseUint(s, 10, 64)
	}
	cases := corpus(seed, n)
	want, err := o.ask(cases)
	if err != nil {
		t.Fatal(err)
	}
	failures := 0
	for i, c := range cases {
		if got := goAnswer(c); !got.equal(want[i]) {
			failures++
			if failures <= 60 {
				t.Errorf("%s(%s):\n  php: %s\n  go:  %s", c.op, quoteAll(c.args), want[i], got)
			}
		}
	}
	t.Logf("%d cases, %d mismatches", len(cases), failures)
}

func TestOracleRecordGolden(t *testing.T) {
	if os.Getenv("SEMVER_RECORD_GOLDEN") == "" {
		t.Skip("SEMVER_RECORD_GOLDEN not set")
	}
	o := startOracle(t)
	cases := corpus(20260801, 250)
	want, err := o.ask(cases)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]string{}
	for i, c := range cases {
		if (c.op == "sort" || c.op == "rsort") && len(c.args) > 60 {
			continue // keep golden files reviewable; the live oracle covers long lists
		}
		name := goldenFile(c.op)
		files[name] = append(files[name], formatGolden(c, want[i]))
	}
	if err := os.MkdirAll(goldenDir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, name := range sortedKeys(files) {
		header := "# Recorded from composer/semver under PHP by TestOracleRecordGolden; do not edit.\n"
		body := header + strings.Join(files[name], "\n") + "\n"
		if err := os.WriteFile(filepath.Join(goldenDir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: %d cases", name, len(files[name]))
	}
}

func quoteAll(xs []string) string {
	q := make([]string, len(xs))
	for i, x := range xs {
		q[i] = strconv.Quote(x)
	}
	if len(q) > 12 {
		q = append(q[:12], fmt.Sprintf("... (%d items)", len(xs)))
	}
	return strings.Join(q, ", ")
}
