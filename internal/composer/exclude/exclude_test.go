package exclude

import (
	"bytes"
	"encoding/json"
	"math/rand"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestExcluder(t *testing.T) {
	type probe struct {
		path  string
		isDir bool
		want  bool
	}
	f := func(p string, want bool) probe { return probe{p, false, want} }
	d := func(p string, want bool) probe { return probe{p, true, want} }
	tests := []struct {
		name   string
		rules  []string
		probes []probe
	}{
		{"anchored", []string{"/tests"}, []probe{
			f("tests/a.php", true), d("tests", true), f("tests", true),
			f("src/tests/a.php", false), f("testsuite/x", false), f("a/b", false),
		}},
		{"floating name", []string{"tests"}, []probe{
			f("src/tests/a.php", true), d("tests", true), f("mytests/x", false), f("tests.php", false),
		}},
		{"star does not cross slash", []string{"*.md"}, []probe{
			f("README.md", true), f("docs/x.md", true), f("a.mdx", false),
		}},
		{"star skips dot files", []string{"*.md", "*"}, []probe{
			f(".hidden.md", false), f(".travis.yml", false), f(".github/x.yml", true), f("src/a.php", true),
		}},
		{"dot rule matches dot files", []string{".github", ".*.yml"}, []probe{
			f(".github/workflows/ci.yml", true), f(".travis.yml", true), f("a.yml", false),
		}},
		{"trailing slash is directory only", []string{"/docs/", "build/"}, []probe{
			f("docs", false), d("docs", true), f("docs/a.md", true),
			f("build", false), f("src/build/x", true), d("src/build", true),
		}},
		{"negation re-includes", []string{"/tests", "!/tests/keep.php"}, []probe{
			f("tests/keep.php", false), f("tests/other.php", true), f("src/a.php", false),
		}},
		{"later rule wins", []string{"!/a", "/a"}, []probe{f("a", true)}},
		{"lone negation excludes nothing", []string{"!/a", "!*"}, []probe{f("a", false), f("b/c", false)}},
		{"repeated bang", []string{"/a", "!!/a"}, []probe{f("a", false)}},
		{"middle slash searches anywhere (Composer)", []string{"src/*/Tests"}, []probe{
			f("src/Foo/Tests/x.php", true), f("lib/src/Foo/Tests", true), f("mysrc/Foo/Tests", true),
			f("src/Foo/Bar/Tests", false),
		}},
		{"globstar in the middle", []string{"a/**/b"}, []probe{
			f("a/b", true), f("a/x/y/b", true), f("a/.x/b", false),
		}},
		{"leading globstar after anchor is one level (Composer)", []string{"/**/fixtures"}, []probe{
			f("fixtures", false), f("a/fixtures", true), f("a/b/fixtures", false),
		}},
		{"leading globstar floating", []string{"**/fixtures"}, []probe{
			f("fixtures", true), f("a/fixtures", true), f("a/b/fixtures/x", true),
		}},
		{"braces", []string{"{foo,bar}.txt"}, []probe{
			f("foo.txt", true), f("bar.txt", true), f("baz.txt", false), f("x/foo.txt", true),
		}},
		{"classes do not negate (Composer)", []string{"[^a].txt", "[!a].txt"}, []probe{
			f("a.txt", true), f("b.txt", false), f("^.txt", true),
		}},
		{"class range", []string{"v[0-9].md"}, []probe{f("v1.md", true), f("vx.md", false)}},
		{"question mark", []string{"/?.txt"}, []probe{f("a.txt", true), f("ab.txt", false), f(".txt", false)}},
		{"escape", []string{`file\*.txt`}, []probe{f("file*.txt", true), f("fileX.txt", false)}},
		{"regex specials are literal", []string{"/a+b(c)|d$^#.txt"}, []probe{f("a+b(c)|d$^#.txt", true), f("aab", false)}},
		{"invalid rules never match", []string{"", "/", "!", "x{", "a}", "[ab", "[:alpha:]"}, []probe{
			f("x", false), f("a}", false), f("a", false), f("[ab", false),
		}},
		{"empty alternative before slash matches all (Composer)", []string{"{,/}"}, []probe{f("x", true)}},
		{"unicode", []string{"/dökümän*"}, []probe{f("dökümän.txt", true), f("dokuman.txt", false)}},
		{"spaces kept", []string{"/with space.txt"}, []probe{f("with space.txt", true), f("with", false)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := New(tc.rules)
			for _, p := range tc.probes {
				if got := e.Excluded(p.path, p.isDir); got != p.want {
					t.Errorf("rules %q: Excluded(%q, dir=%v) = %v, want %v", tc.rules, p.path, p.isDir, got, p.want)
				}
			}
		})
	}
}

func TestExcluderNil(t *testing.T) {
	var e *Rules
	if e.Excluded("a", false) || New(nil).Excluded("a", false) {
		t.Fatal("no rules must exclude nothing")
	}
}

// composerOracle runs testdata/composer_exclude.php, which evaluates rules
// with Composer's own code. It skips the test when php or Composer's sources
// (Debian's composer package, which CI installs) are missing.
func composerOracle(t *testing.T, cases []oracleCase) [][]bool {
	t.Helper()
	autoload := os.Getenv("COMPOSER_AUTOLOAD")
	if autoload == "" {
		autoload = "/usr/share/php/Composer/autoload.php"
	}
	php, err := exec.LookPath("php")
	if err != nil {
		t.Skip("php not installed")
	}
	if _, err := os.Stat(autoload); err != nil {
		t.Skipf("Composer sources not found at %s (set COMPOSER_AUTOLOAD)", autoload)
	}
	in, err := json.Marshal(cases)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(php, "testdata/composer_exclude.php", autoload)
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("php oracle: %v\n%s", err, stderr.String())
	}
	var res [][]bool
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("php oracle output: %v\n%s", err, out)
	}
	if len(res) != len(cases) {
		t.Fatalf("php oracle returned %d results for %d cases", len(res), len(cases))
	}
	return res
}

type oracleCase struct {
	Rules []string `json:"rules"`
	Paths [][2]any `json:"paths"`
}

// randomRule builds rules from pieces that exercise every branch of
// Glob::toRegex and of the PCRE subset it produces.
func randomRule(rng *rand.Rand) string {
	pieces := []string{"a", "b", "ab", ".", "/", "/", "*", "*", "**", "?", "[ab]", "[a-c]", "[^a]", "[!b]",
		"{a,b}", "{", "}", ",", `\`, `\*`, "[", "]", ".a", "x.y", "-", "+", "(", ")", "|", "$", "^", "#",
		"[[:alpha:]]", "[:alpha:]", "[.]", "{,/}", "/**/", "**/", "/**", "[/]", "[*]", "[?]", "\n",
		"[[:digit:]-b]", "[a-]", "[-a]", "[]a]", "[^]a]", `[\]]`, `\\`, "[[.a.]]", "[[:^alpha:]]", "{a,{b,c}}", "[z-a]"}
	var b strings.Builder
	if rng.Intn(4) == 0 {
		b.WriteString("!")
	}
	for n := 1 + rng.Intn(5); n > 0; n-- {
		b.WriteString(pieces[rng.Intn(len(pieces))])
	}
	return b.String()
}

func randomPath(rng *rand.Rand) string {
	names := []string{"a", "b", "ab", "ba", ".a", ".b", "a.b", "x.y", "-", "a+b", "{a", "b}", "a,b", "[ab]",
		"*", "^", "$", "#", "c", "abc", "a\n"}
	n := 1 + rng.Intn(4)
	parts := make([]string, n)
	for i := range parts {
		parts[i] = names[rng.Intn(len(names))]
	}
	return strings.Join(parts, "/")
}

// TestExcludeMatchesComposer compares Rules with Composer's own
// implementation on thousands of random rules and paths.
func TestExcludeMatchesComposer(t *testing.T) {
	if testing.Short() {
		t.Skip("runs php")
	}
	n, seed := 3000, int64(1)
	if v, err := strconv.Atoi(os.Getenv("VCS_ORACLE_CASES")); err == nil {
		n, seed = v, time.Now().UnixNano() // a longer, fresh run on demand
		t.Logf("seed %d", seed)
	}
	rng := rand.New(rand.NewSource(seed))
	var cases []oracleCase
	for i := 0; i < n; i++ {
		c := oracleCase{}
		for n := 1 + rng.Intn(3); n > 0; n-- {
			c.Rules = append(c.Rules, randomRule(rng))
		}
		for n := 0; n < 12; n++ {
			c.Paths = append(c.Paths, [2]any{"/" + randomPath(rng), rng.Intn(3) == 0})
		}
		cases = append(cases, c)
	}
	want := composerOracle(t, cases)
	fails := 0
	for i, c := range cases {
		e := New(c.Rules)
		for j, p := range c.Paths {
			path := strings.TrimPrefix(p[0].(string), "/")
			if got := e.Excluded(path, p[1].(bool)); got != want[i][j] {
				fails++
				if fails <= 20 {
					t.Errorf("rules %q: Excluded(%q, dir=%v) = %v, Composer says %v", c.Rules, path, p[1], got, want[i][j])
				}
			}
		}
	}
	if fails > 0 {
		t.Errorf("%d disagreements with Composer", fails)
	}
}

// TestExcludeTableMatchesComposer checks that the hand-written expectations
// of TestExcluder are Composer's too (bar the trailing-slash rule).
func TestExcludeTableMatchesComposer(t *testing.T) {
	if testing.Short() {
		t.Skip("runs php")
	}
	cases := []oracleCase{
		{Rules: []string{"src/*/Tests"}, Paths: [][2]any{{"/mysrc/Foo/Tests", false}, {"/src/Foo/Bar/Tests", false}}},
		{Rules: []string{"/**/fixtures"}, Paths: [][2]any{{"/fixtures", false}, {"/a/fixtures", false}, {"/a/b/fixtures", false}}},
		{Rules: []string{"[^a].txt", "[!a].txt"}, Paths: [][2]any{{"/a.txt", false}, {"/b.txt", false}, {"/^.txt", false}}},
		{Rules: []string{"{,/}"}, Paths: [][2]any{{"/x", false}}},
		{Rules: []string{"*.md", "*"}, Paths: [][2]any{{"/.hidden.md", false}, {"/.travis.yml", false}, {"/.github/x.yml", false}}},
	}
	want := composerOracle(t, cases)
	for i, c := range cases {
		e := New(c.Rules)
		for j, p := range c.Paths {
			path := strings.TrimPrefix(p[0].(string), "/")
			if got := e.Excluded(path, false); got != want[i][j] {
				t.Errorf("rules %q: Excluded(%q) = %v, Composer says %v", c.Rules, path, got, want[i][j])
			}
		}
	}
}

// BenchmarkExcluded is the cost of deciding one path against typical rules.
func BenchmarkExcluded(b *testing.B) {
	e := New([]string{"/tests", "*.dist", "!/phpunit.xml.dist", "/docs/**/*.draft.md", "build/", ".github"})
	paths := []string{"src/Sub1/C12.php", "tests/T1Test.php", "phpunit.xml.dist", "docs/guide/p1.draft.md", "a/b/c/d/e/f.php"}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		e.Excluded(paths[i%len(paths)], false)
	}
}
