package semver

import (
	"bufio"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// Differential testing against composer/semver. A case is an operation with
// string arguments; its answer is a status ("ok" or "err") and values. The
// same operations are answered by this package (goAnswer), by golden files
// recorded from PHP (golden_test.go) and by a live PHP oracle
// (oracle_test.go, testdata/oracle.php).

type diffCase struct {
	op   string
	args []string
}

type answer struct {
	status string // "ok" or "err"
	vals   []string
}

func (a answer) String() string {
	q := make([]string, len(a.vals))
	for i, v := range a.vals {
		q[i] = strconv.Quote(v)
	}
	return a.status + " " + strings.Join(q, " ")
}

func (a answer) equal(b answer) bool {
	return a.status == b.status && strings.Join(a.vals, "\x00") == strings.Join(b.vals, "\x00") && len(a.vals) == len(b.vals)
}

func bool01(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

// errAnswer maps an error to the PHP exception class composer would throw.
func errAnswer(err error) answer {
	class := "UnexpectedValueException"
	if errors.Is(err, ErrInvalidOperator) {
		class = "InvalidArgumentException"
	}
	return answer{"err", []string{class, err.Error()}}
}

// goAnswer answers a case with this package.
func goAnswer(c diffCase) answer {
	a := c.args
	ok := func(vals ...string) answer { return answer{"ok", vals} }
	switch c.op {
	case "normalize":
		v, err := Normalize(a[0])
		if err != nil {
			return errAnswer(err)
		}
		return ok(v)
	case "normalize2":
		v, err := NormalizeInContext(a[0], a[1])
		if err != nil {
			return errAnswer(err)
		}
		return ok(v)
	case "normalizeBranch":
		return ok(NormalizeBranch(a[0]))
	case "stability":
		return ok(ParseStability(a[0]).String())
	case "alias":
		if p, found := NumericAliasPrefix(a[0]); found {
			return ok("str:" + p)
		}
		return ok("false")
	case "parse":
		con, err := ParseConstraint(a[0])
		if err != nil {
			return errAnswer(err)
		}
		return ok(con.Canonical(), con.String())
	case "satisfies":
		r, err := Satisfies(a[0], a[1])
		if err != nil {
			return errAnswer(err)
		}
		return ok(bool01(r))
	case "match":
		con, err := ParseConstraint(a[0])
		if err != nil {
			return errAnswer(err)
		}
		return ok(bool01(con.Matches(a[1])))
	case "matchc":
		c1, err := ParseConstraint(a[0])
		if err != nil {
			return errAnswer(err)
		}
		c2, err := ParseConstraint(a[1])
		if err != nil {
			return errAnswer(err)
		}
		return ok(bool01(c1.MatchesConstraint(c2)))
	case "vcmp":
		return ok(strconv.Itoa(PHPVersionCompare(a[0], a[1])))
	case "cmp3":
		return ok(strconv.Itoa(Compare(a[0], a[1])))
	case "comparator":
		r, err := CompareOp(a[0], a[1], a[2])
		if err != nil {
			return errAnswer(err)
		}
		return ok(bool01(r))
	case "sort", "rsort":
		vs := append([]string(nil), a...)
		var err error
		if c.op == "sort" {
			err = SortVersionsStrict(vs)
		} else {
			err = RSortVersionsStrict(vs)
		}
		if err != nil {
			return errAnswer(err)
		}
		return ok(vs...)
	case "branch":
		v, n, err := ParseBranch(a[0])
		if err != nil {
			return errAnswer(err)
		}
		return ok(v, n)
	case "andsplit":
		return ok(splitAnd(a[0])...)
	case "incr":
		return ok(phpIncrement(a[0]))
	}
	panic("unknown op " + c.op)
}

// Golden files: one case per line,
//
//	op <TAB> "arg" ... <TAB> => <TAB> status <TAB> "value" ...
//
// with Go-quoted strings.

const goldenDir = "testdata/golden"

func formatGolden(c diffCase, a answer) string {
	var b strings.Builder
	b.WriteString(c.op)
	for _, x := range c.args {
		b.WriteString("\t" + strconv.Quote(x))
	}
	b.WriteString("\t=>\t" + a.status)
	for _, x := range a.vals {
		b.WriteString("\t" + strconv.Quote(x))
	}
	return b.String()
}

func parseGolden(line string) (diffCase, answer, error) {
	f := strings.Split(line, "\t")
	var c diffCase
	var a answer
	c.op = f[0]
	i := 1
	for ; i < len(f) && f[i] != "=>"; i++ {
		s, err := strconv.Unquote(f[i])
		if err != nil {
			return c, a, fmt.Errorf("argument %d: %w", i, err)
		}
		c.args = append(c.args, s)
	}
	if i+1 >= len(f) {
		return c, a, errors.New("missing answer")
	}
	a.status = f[i+1]
	for _, x := range f[i+2:] {
		s, err := strconv.Unquote(x)
		if err != nil {
			return c, a, err
		}
		a.vals = append(a.vals, s)
	}
	return c, a, nil
}

func readGolden(t *testing.T) map[string][]string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(goldenDir, "*.txt"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden files in %s: %v", goldenDir, err)
	}
	out := map[string][]string{}
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			if line := sc.Text(); line != "" && !strings.HasPrefix(line, "#") {
				out[name] = append(out[name], line)
			}
		}
		f.Close()
		if err := sc.Err(); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// ---- corpus ----

// versionTokens and constraintTokens build random strings that hit the
// parser's corners: separators, stability words in odd cases, operators,
// flags, references, whitespace PHP and Go disagree on, long numbers.
var versionTokens = []string{
	"0", "1", "2", "3", "9", "10", "00", "01", "012", "123", "99999", "100000", "2010", "2023", "20100102",
	"9999999", "9223372036854775807", "99999999999999999999", "1.0", "2.0", "1.2.3",
	".", ".", ".", "-", "-", "_", "+", ":", "v", "V", "x", "X", "*",
	"dev", "DEV", "Dev", "-dev", ".dev", "alpha", "a", "A", "beta", "b", "B", "RC", "rc", "Rc",
	"p", "pl", "patch", "stable", "STABLE", "snapshot", "foo",
	"@", "@dev", "@stable", "@STABLE", "@beta", "@RC", "#", "#abc", "#trunk/@1",
	" ", "  ", ",", "as", " as ", "master", "trunk", "default", "dev-", "dev-master", "feature", "/",
	"\n", "\t", "\v", "\f", "\r", "\x00", "ſ", "é", "\xff",
}

var constraintTokens = append([]string{
	"|", "||", " || ", "^", "~", "~>", ">", "<", "=", "==", ">=", "<=", "!=", "<>", "!", " - ", "-",
	" ", ", ", ",", "  ", "1.0", "^1.2", "~2.0", "1.*", "2.x-dev", "dev-foo", "@dev", "*", "x", "v",
}, versionTokens...)

func randomString(r *rand.Rand, tokens []string, maxTokens int) string {
	n := 1 + r.IntN(maxTokens)
	var b strings.Builder
	for range n {
		b.WriteString(tokens[r.IntN(len(tokens))])
	}
	return b.String()
}

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// randomVersion builds a mostly well-formed version, sometimes slightly off.
func randomVersion(r *rand.Rand) string {
	var b strings.Builder
	if r.IntN(6) == 0 {
		b.WriteString(pick(r, []string{"v", "V"}))
	}
	if r.IntN(12) == 0 {
		return pick(r, []string{"dev-", "DEV-", ""}) + pick(r, []string{"master", "main", "feature/x", "foo-bar", "1.x", "trunk", "default"})
	}
	b.WriteString(pick(r, []string{"0", "1", "2", "10", "01", "2010", "20100102", "99999", "123456"}))
	for n := r.IntN(5); n > 0; n-- {
		b.WriteString(pick(r, []string{".", ".", ".", "-", ":"}))
		b.WriteString(pick(r, []string{"0", "1", "2", "3", "10", "00", "x", "*", "9999999"}))
	}
	if r.IntN(3) == 0 {
		b.WriteString(pick(r, []string{"-", ".", "_", ""}))
		b.WriteString(pick(r, []string{"alpha", "a", "beta", "b", "RC", "rc", "p", "pl", "patch", "stable", "BETA", "dev", "foo"}))
		if r.IntN(2) == 0 {
			b.WriteString(pick(r, []string{"1", "2", ".3", "-4", ".1.2", "10"}))
		}
	}
	if r.IntN(4) == 0 {
		b.WriteString(pick(r, []string{"-dev", ".dev", "dev", "-DEV"}))
	}
	if r.IntN(10) == 0 {
		b.WriteString(pick(r, []string{"+build", "+foo.1", "+", "#abc", "@dev", "@beta", " as 1.0", "@stable"}))
	}
	return b.String()
}

// randomConstraint builds a mostly well-formed constraint.
func randomConstraint(r *rand.Rand) string {
	single := func() string {
		v := randomVersion(r)
		switch r.IntN(9) {
		case 0:
			return pick(r, []string{"^", "~", "~>"}) + v
		case 1:
			return v + pick(r, []string{" - ", " -", "  -  "}) + randomVersion(r)
		case 2:
			return pick(r, []string{"*", "x", "v*", "*.*", "1.*", "2.x", "0.*", "1.2.*", "1.x.x"})
		case 3, 4:
			return pick(r, []string{">", "<", ">=", "<=", "=", "==", "!=", "<>"}) + pick(r, []string{"", " ", "  "}) + v
		}
		return v
	}
	var b strings.Builder
	b.WriteString(single())
	for n := r.IntN(3); n > 0; n-- {
		b.WriteString(pick(r, []string{" ", ",", ", ", " , ", " || ", "|", "||", " | "}))
		b.WriteString(single())
	}
	if r.IntN(8) == 0 {
		b.WriteString(pick(r, []string{"@dev", "@stable", "@beta", "@RC", " ", "\n", ","}))
	}
	return b.String()
}

// seedVersions and seedConstraints are composer's own inputs plus
// hand-picked corner cases.
func seedVersions() []string {
	var vs []string
	for _, tc := range composerNormalize {
		vs = append(vs, tc.in, tc.want)
	}
	for _, tc := range composerNormalizeFails {
		vs = append(vs, tc.in)
	}
	for _, tc := range composerNormalizeBranch {
		vs = append(vs, tc.in)
	}
	for _, tc := range composerStability {
		vs = append(vs, tc.in)
	}
	for _, tc := range composerSatisfies {
		vs = append(vs, tc.version)
	}
	for _, tc := range composerComparator {
		vs = append(vs, tc.a, tc.b)
	}
	return append(vs,
		"1.0\n@dev", "1.0+foo\n@dev", "dev-foo\n@dev", "dev-foo@beta@dev", "1.0.0-STABLE", "1.0-Stable",
		"1.0\n2.x-dev", "foo\nbar-dev", "1.x-dev\n", " 1.0\v", "1.0\f", "\x001.0", "1.0\x00",
		"1.", "1..2", ".1", "-1", "#1", "#", "1.0#abc", "v1.x", "V1.X", "1.*", "v1.0.3.*",
		"123456.1", "1234567", "99999999.0", "12345.6.7.8", "2010-01-02", "2010:01:02", "20100102-203040-p1",
		"1.0.0-beta.5.6", "1.0.0.0-beta5.6", "1.0-rc.1", "1.0.0-alpha-2.1-3+foo", "1.0.0-p", "1.0.0-pl",
		"1.0.0-patch-dev", "1.0.0RC1dev", "1.0ſ", "1.0-ſtable", "1.0-\u212aa", "master", "trunk", "default",
		"Master", "dev-Master", "DEV-master", "dev-", "dev- as 1", "foo as foo", "foo as 1.0", "1.0 as foo",
		"1.0 as 1.0 as 2.0", "dev-a as b c", "9223372036854775807.0", "1.2.99999999999999999999.4",
		"9999999-dev", "1.9999999.9999999.9999999-dev", "1.99999999", "19999999.x", "v2.4.0", "V2.4.0",
		"feature#1", "1.x#2", "release/1.0", "2.0.x", "x.y", "1.x-dev#abc",
	)
}

func seedConstraints() []string {
	var cs []string
	for _, tc := range composerParse {
		cs = append(cs, tc.in, tc.want)
	}
	for _, tc := range composerParseFails {
		cs = append(cs, tc.in)
	}
	for _, tc := range composerSatisfies {
		cs = append(cs, tc.constraint)
	}
	return append(cs,
		"foobar-dev  as 2.1.0", "a  ,", "a  b", "a   ", "1.0   as  2", "a ,  ,b", "a  ,,b", "1.0\n,2.0",
		"~1.0\n,2.0", ">=1.0-rc1", ">=1.0-RC1", "<1.0-beta", ">=1.0@STABLE", ">1.0@STABLE", "<foo-dev", ">=foo-dev",
		"~9223372036854775807.0", "^0.0.99999999999999999999", "~1.2.99999999999999999999.4", "1 - 2.99999999999999999999",
		"^00.1", "^0.00.1", "00.*", "0.*", "v1.*", "V1.*", "^V1", "~v1", "x", "X", "v", "*-dev", "0", "@dev", "@foo",
		"1.0 - 2.0 - 3.0", "1.0 -2.0", "1.0- 2.0", "1.0 , - 2.0", ">= 1.0,<2.0", "> 1.0 as 2.0", "dev-x#ref as 1.0",
		"1.0.x-dev#abc", "dev-foo#bar", "foo.x-dev#a", "1.x-dev#", "^1.0 || ^2.0 || ^3.0", "^1 || ^2 || 3.0 || ^4",
		"~2.0.3.4.x-dev", "^2.0.x", "~1.2+meta", "^1.2.3+build", "1.2.3+asdf - 2.4.3+asdf", "!=dev-foo", "<>dev-foo",
		"==dev-foo", "<=dev-foo", "1.0 2.0,3.0||4.0|5.0", "||", "|", ",", " ", "\t1.0\t", "1.0\v", "1.0\f",
	)
}

// corpus generates the cases: seeds, then n random ones of each shape.
func corpus(seed uint64, n int) []diffCase {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	versions := seedVersions()
	constraints := seedConstraints()
	for range n {
		versions = append(versions, randomVersion(r), randomString(r, versionTokens, 6))
		constraints = append(constraints, randomConstraint(r), randomString(r, constraintTokens, 7))
	}
	versions, constraints = uniq(versions), uniq(constraints)

	var normalized, validConstraints []string
	for _, v := range versions {
		if n, err := Normalize(v); err == nil {
			normalized = append(normalized, n)
		}
	}
	for _, c := range constraints {
		if _, err := ParseConstraint(c); err == nil {
			validConstraints = append(validConstraints, c)
		}
	}
	normalized = uniq(append(normalized, "dev-foo", "dev-master", "9999999-dev", "1.", "#1", ""))

	var cases []diffCase
	add := func(op string, args ...string) { cases = append(cases, diffCase{op, args}) }
	for _, v := range versions {
		add("normalize", v)
		add("normalizeBranch", v)
		add("stability", v)
		add("alias", v)
		add("branch", v)
	}
	for _, v := range versions[:min(len(versions), 200)] {
		add("normalize2", v, v+" as 1.0")
		add("normalize2", v, "1.0 as "+v)
	}
	for _, c := range constraints {
		add("parse", c)
		add("normalize", c)
		add("andsplit", c)
	}
	for range 3 * n {
		add("match", pick(r, validConstraints), pick(r, normalized))
		add("satisfies", pick(r, versions), pick(r, constraints))
		add("vcmp", pick(r, normalized), pick(r, normalized))
		add("vcmp", randomString(r, versionTokens, 4), randomString(r, versionTokens, 4))
		add("cmp3", pick(r, normalized), pick(r, normalized))
		add("comparator", pick(r, normalized), pick(r, []string{"<", "<=", ">", ">=", "==", "=", "!=", "<>"}), pick(r, normalized))
		add("matchc", pick(r, validConstraints), pick(r, validConstraints))
	}
	for _, d := range []string{"0", "9", "09", "00", "123", "9223372036854775806", "9223372036854775807",
		"09223372036854775807", "9223372036854775808", "99999999999999999999", "123456789012345678901234567890",
		strings.Repeat("9", 400)} {
		add("incr", d)
	}
	sortable := append([]string{"dev-foo", "dev-bar", "dev-master", "dev-trunk", "dev-default", "1.0", "1.0.0", "v1.0", "2.0-beta", "2.0-dev"}, versions...)
	var valid []string
	for _, v := range sortable {
		if IsValid(v) {
			valid = append(valid, v)
		}
	}
	for i := range n / 4 {
		size := r.IntN(40)
		if i%10 == 0 {
			size = r.IntN(1100) // zend_sort switches to 5-element pivots at 1024
		}
		list := make([]string, size)
		for j := range list {
			if r.IntN(3) == 0 {
				list[j] = pick(r, []string{"dev-foo", "dev-bar", "dev-baz", "dev-master", "1.0", "1.0.0"})
			} else {
				list[j] = pick(r, valid)
			}
		}
		add(pick(r, []string{"sort", "rsort"}), list...)
	}
	return cases
}

func uniq(xs []string) []string {
	seen := map[string]bool{}
	out := xs[:0:0]
	for _, x := range xs {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

// goldenFile groups ops into files to keep diffs readable.
func goldenFile(op string) string {
	switch op {
	case "normalize", "normalize2", "normalizeBranch", "stability", "alias", "branch", "incr":
		return "versions.txt"
	case "parse", "andsplit":
		return "constraints.txt"
	case "sort", "rsort":
		return "sort.txt"
	}
	return "matching.txt"
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
