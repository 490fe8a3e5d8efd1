package semver

import (
	"strconv"
	"testing"
)

// versionsForBench is a realistic package history: hundreds of tags with
// pre-releases and a few branches, already normalized as a registry stores them.
func versionsForBench() []string {
	var vs []string
	for major := 0; major < 5; major++ {
		for minor := 0; minor < 10; minor++ {
			for patch := 0; patch < 8; patch++ {
				v := strconv.Itoa(major) + "." + strconv.Itoa(minor) + "." + strconv.Itoa(patch) + ".0"
				vs = append(vs, v)
				if patch == 0 {
					vs = append(vs, v+"-beta1", v+"-RC2")
				}
			}
		}
	}
	return append(vs, "dev-main", "4.9999999.9999999.9999999-dev", "dev-feature/x")
}

var benchSink int

func BenchmarkMatchesCaret(b *testing.B) {
	c := MustParseConstraint("^2.3")
	vs := versionsForBench()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if c.Matches(vs[i%len(vs)]) {
			benchSink++
		}
	}
}

func BenchmarkMatchesComplex(b *testing.B) {
	c := MustParseConstraint("^1.2 || ~2.5.1 !=2.5.3 || >=4.0 <4.5@beta || dev-main")
	vs := versionsForBench()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if c.Matches(vs[i%len(vs)]) {
			benchSink++
		}
	}
}

// BenchmarkFilterVersions filters a whole history, as a request does.
func BenchmarkFilterVersions(b *testing.B) {
	c := MustParseConstraint("^3.1 || ^4.0")
	vs := versionsForBench()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, v := range vs {
			if c.Matches(v) {
				benchSink++
			}
		}
	}
	b.ReportMetric(float64(len(vs)), "versions/op")
}

func BenchmarkParseConstraint(b *testing.B) {
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := ParseConstraint("^1.2 || ~2.5.1 !=2.5.3"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkNormalizePlain(b *testing.B) {
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := Normalize("v1.2.3"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkNormalizePreRelease(b *testing.B) {
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := Normalize("1.2.3-beta.2"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCompare(b *testing.B) {
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		benchSink += Compare("1.2.3.0-beta2", "1.2.3.0-RC1")
	}
}

func BenchmarkSortVersions(b *testing.B) {
	src := versionsForBench()
	vs := make([]string, len(src))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		copy(vs, src)
		SortVersions(vs)
	}
}

func BenchmarkSatisfies(b *testing.B) {
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if ok, err := Satisfies("1.2.3", "^1.2"); err != nil || !ok {
			b.Fatal(ok, err)
		}
	}
}
