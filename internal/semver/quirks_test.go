package semver

import (
	"strings"
	"sync"
	"testing"
)

// Composer behaviours that look like bugs but must be reproduced, because
// the Composer client has them. Each expected value was answered by
// composer/semver under PHP 8.2 (testdata/oracle.php).
func TestComposerQuirks(t *testing.T) {
	for _, tc := range []struct {
		c    diffCase
		want answer
	}{
		// A case-variant "stable" is kept as a modifier...
		{diffCase{"normalize", []string{"1.0-STABLE"}}, answer{"ok", []string{"1.0.0.0-stable"}}},
		// ...PCRE's "$" accepts a final newline, and the dev-branch pattern is unanchored.
		{diffCase{"normalize", []string{"1.0\n@dev"}}, answer{"ok", []string{"1.0.0.0"}}},
		{diffCase{"normalize", []string{"1.0\n2.x-dev"}}, answer{"ok", []string{"2.9999999.9999999.9999999-dev"}}},
		// Date versions keep their own number of parts.
		{diffCase{"normalize", []string{"2010-01-02"}}, answer{"ok", []string{"2010.01.02"}}},
		{diffCase{"normalize", []string{"1.0.0-1"}}, answer{"err", []string{"UnexpectedValueException", `Invalid version string "1.0.0-1"`}}},
		// "rc" is only recognised in upper case when deciding whether ">=" needs -dev.
		{diffCase{"parse", []string{">=1.0-rc1"}}, answer{"ok", []string{">= 1.0.0.0-RC1-dev", ">=1.0-rc1"}}},
		// Two spaces before "as" make the AND separator match.
		{diffCase{"parse", []string{"foobar-dev  as 2.1.0"}}, answer{"err", []string{"UnexpectedValueException", `Could not parse version constraint  as 2.1.0: Invalid version string "as 2.1.0"`}}},
		// Upper bounds use PHP arithmetic, floats and all.
		{diffCase{"parse", []string{"~9223372036854775807.0"}}, answer{"ok", []string{"[>= 9223372036854775807.0-dev < 9.2233720368548E+18.0.0.0-dev]", "~9223372036854775807.0"}}},
		{diffCase{"parse", []string{"^0.0.99999999999999999999"}}, answer{"ok", []string{"[>= 0.0.99999999999999999999.0-dev < 0.0.1.0E+20.0-dev]", "^0.0.99999999999999999999"}}},
		{diffCase{"parse", []string{"00.*"}}, answer{"ok", []string{"[>= 00.0.0.0-dev < 1.0.0.0-dev]", "00.*"}}},
		// PHP treats the pretty string "0" as unset.
		{diffCase{"parse", []string{"0"}}, answer{"ok", []string{"== 0.0.0.0", "== 0.0.0.0"}}},
		{diffCase{"parse", []string{">1.0@STABLE"}}, answer{"ok", []string{"> 1.0.0.0-STABLE", ">1.0@STABLE"}}},
		{diffCase{"parse", []string{"1.0\n,2.0"}}, answer{"ok", []string{"[== 1.0.0.0 == 2.0.0.0]", "1.0\n,2.0"}}},
		{diffCase{"parse", []string{"^1.0 || ^2.0 || ^3.0"}}, answer{"ok", []string{"[>= 1.0.0.0-dev < 4.0.0.0-dev]", "^1.0 || ^2.0 || ^3.0"}}},
		// version_compare: "1." is not equal to itself, unknown words rank below dev,
		// a missing part ranks below 0, numbers saturate, "patch" ranks above a number.
		{diffCase{"vcmp", []string{"1.", "1."}}, answer{"ok", []string{"-1"}}},
		{diffCase{"vcmp", []string{"1.0-foo", "1.0-dev"}}, answer{"ok", []string{"-1"}}},
		{diffCase{"vcmp", []string{"1.0", "1.0.0"}}, answer{"ok", []string{"-1"}}},
		{diffCase{"vcmp", []string{"99999999999999999999", "99999999999999999998"}}, answer{"ok", []string{"0"}}},
		{diffCase{"vcmp", []string{"1.0-patch", "1.0"}}, answer{"ok", []string{"1"}}},
		{diffCase{"cmp3", []string{"dev-foo", "dev-bar"}}, answer{"ok", []string{"0"}}},
		{diffCase{"cmp3", []string{"dev-foo", "1.0.0.0"}}, answer{"ok", []string{"-1"}}},
		// Unordered branches end up where PHP's sort algorithm leaves them.
		{diffCase{"sort", []string{"dev-b", "dev-a", "1.0", "dev-c", "0.5"}}, answer{"ok", []string{"dev-c", "dev-a", "dev-b", "0.5", "1.0"}}},
		{diffCase{"branch", []string{"1.99999999"}}, answer{"ok", []string{"1.x9.x-dev", "1.99999999.9999999.9999999-dev"}}},
		{diffCase{"branch", []string{"V2.x"}}, answer{"ok", []string{"2.x-dev", "2.9999999.9999999.9999999-dev"}}},
		{diffCase{"branch", []string{"feature#1"}}, answer{"ok", []string{"dev-feature+1", "dev-feature+1"}}},
		{diffCase{"branch", []string{"foo bar"}}, answer{"err", []string{"UnexpectedValueException", `Could not parse version constraint bar: Invalid version string "bar"`}}},
		{diffCase{"match", []string{"1.0.0.0 - 2.0", "1."}}, answer{"ok", []string{"0"}}},
	} {
		if got := goAnswer(tc.c); !got.equal(tc.want) {
			t.Errorf("%s(%s):\n  composer: %s\n  go:       %s", tc.c.op, quoteAll(tc.c.args), tc.want, got)
		}
	}
}

// One parsed constraint is shared by all requests.
func TestConstraintConcurrentUse(t *testing.T) {
	c := MustParseConstraint("^1.2 || ~2.5.1 !=2.5.3 || dev-main")
	vs := versionsForBench()
	want := make([]bool, len(vs))
	for i, v := range vs {
		want[i] = c.Matches(v)
	}
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i, v := range vs {
				if c.Matches(v) != want[i] || c.String() == "" || !strings.HasPrefix(c.Canonical(), "[") {
					t.Errorf("inconsistent result for %s", v)
					return
				}
			}
		}()
	}
	wg.Wait()
}

func TestSortVersionsLenient(t *testing.T) {
	vs := []string{"2.0", "foo", "1.0", "bar baz", "dev-master"}
	SortVersions(vs)
	if got := strings.Join(vs, ","); got != "1.0,2.0,dev-master,foo,bar baz" {
		t.Errorf("SortVersions = %s", got)
	}
	vs = []string{"2.0", "foo", "1.0"}
	if err := SortVersionsStrict(vs); err == nil || strings.Join(vs, ",") != "2.0,foo,1.0" {
		t.Errorf("SortVersionsStrict = %v, %v", vs, err)
	}
}

func TestBranchVersion(t *testing.T) {
	for in, want := range map[string]string{
		"1.x": "1.x-dev", "2.0": "2.0.x-dev", "v2.4": "v2.4.x-dev", "1.2.3.4": "1.2.3.4-dev",
		"master": "dev-master", "feature/x": "dev-feature/x", "main": "dev-main",
	} {
		if got := BranchVersion(in); got != want {
			t.Errorf("BranchVersion(%q) = %q, want %q", in, got, want)
		}
	}
}
