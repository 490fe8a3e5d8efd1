package vcs

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"testing"
	"time"

	"github.com/cargoman/cargoman/internal/composer/exclude"
)

// benchRepo generates, with one `git fast-import`, a repository of tags
// commits: the first adds a composer.json (with archive.exclude) and ~50
// small files, each later one changes a file; every commit is tagged.
func benchRepo(tb testing.TB, dir string, tags int) (string, []string) {
	tb.Helper()
	work := filepath.Join(dir, "src.git")
	env := append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null", "HOME="+dir)
	run := func(stdin []byte, args ...string) {
		cmd := exec.Command("git", args...)
		cmd.Env = env
		cmd.Stdin = bytes.NewReader(stdin)
		if out, err := cmd.CombinedOutput(); err != nil {
			tb.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	run(nil, "init", "-q", "--bare", "-b", "main", work)

	var s bytes.Buffer
	file := func(path, content string) {
		fmt.Fprintf(&s, "M 100644 inline %s\ndata %d\n%s\n", path, len(content), content)
	}
	php := func(i, rev int) string {
		return fmt.Sprintf("<?php\n\nnamespace Acme\\Bench;\n\n/** Class %d, revision %d. */\nfinal class C%d\n{\n    public function value(): int\n    {\n        return %d;\n    }\n}\n", i, rev, i, i*rev)
	}
	var names []string
	when := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	for t := 0; t < tags; t++ {
		msg := fmt.Sprintf("release %d", t)
		fmt.Fprintf(&s, "commit refs/heads/main\nmark :%d\n", t+1)
		fmt.Fprintf(&s, "author Bench <b@example.com> %d +0000\ncommitter Bench <b@example.com> %d +0000\n", when, when)
		fmt.Fprintf(&s, "data %d\n%s\n", len(msg), msg)
		if t == 0 {
			file("composer.json", `{"name": "acme/bench", "type": "library", "autoload": {"psr-4": {"Acme\\Bench\\": "src/"}}, "archive": {"exclude": ["/tests", "*.dist", "!/phpunit.xml.dist", "/docs/**/*.draft.md", "build/"]}}`)
			file(".gitattributes", "/.github export-ignore\n/tests export-ignore\n")
			file("README.md", "# bench\n")
			file("phpunit.xml.dist", "<phpunit/>\n")
			file("phpstan.neon.dist", "parameters: {}\n")
			file(".github/workflows/ci.yml", "on: push\n")
			for i := 0; i < 40; i++ {
				file(fmt.Sprintf("src/Sub%d/C%d.php", i%5, i), php(i, 0))
			}
			for i := 0; i < 4; i++ {
				file(fmt.Sprintf("tests/T%dTest.php", i), php(100+i, 0))
				file(fmt.Sprintf("docs/guide/p%d.draft.md", i), "draft\n")
			}
		} else {
			fmt.Fprintf(&s, "from :%d\n", t)
			i := t % 40
			file(fmt.Sprintf("src/Sub%d/C%d.php", i%5, i), php(i, t))
		}
		name := fmt.Sprintf("v%d.%d.%d", 1+t/100, (t/10)%10, t%10)
		fmt.Fprintf(&s, "reset refs/tags/%s\nfrom :%d\n\n", name, t+1)
		names = append(names, name)
		when += 3600
	}
	run(s.Bytes(), "--git-dir="+work, "fast-import", "--quiet")
	run(nil, "--git-dir="+work, "gc", "--quiet")
	return work, names
}

// ourPipeline is what package synchronisation does with the vcs package:
// mirror, list refs, read composer.json at every tag, build every dist.
func ourPipeline(ctx context.Context, tb testing.TB, src, work string) int {
	tb.Helper()
	must := func(err error) {
		if err != nil {
			tb.Fatal(err)
		}
	}
	must(os.RemoveAll(work))
	must(os.MkdirAll(filepath.Join(work, "zips"), 0o755))
	repo, err := Sync(ctx, filepath.Join(work, "mirror.git"), src, Auth{}, Options{AllowLocal: true})
	must(err)
	refs, err := repo.Refs(ctx)
	must(err)
	br, err := repo.NewReader(ctx)
	must(err)
	defer br.Close()
	type job struct {
		ref     Ref
		exclude []string
	}
	var jobs []job
	for _, ref := range refs {
		if ref.Kind != Tag {
			continue
		}
		data, found, err := br.Read(ref.Commit, "composer.json")
		must(err)
		if !found {
			tb.Fatalf("%s: no composer.json", ref.Name)
		}
		var manifest struct {
			Archive struct {
				Exclude []string `json:"exclude"`
			} `json:"archive"`
		}
		must(json.Unmarshal(data, &manifest))
		jobs = append(jobs, job{ref, manifest.Archive.Exclude})
	}
	archive := func(j job) error {
		out, err := os.Create(filepath.Join(work, "zips", j.ref.Name+".zip"))
		if err != nil {
			return err
		}
		if _, err := repo.Archive(ctx, j.ref.Commit, "", "pkg", j.exclude, out); err != nil {
			out.Close()
			return err
		}
		return out.Close()
	}
	// VCS_BENCH_WORKERS > 1 archives concurrently, as the integration
	// layer may; the comparison with the shell loop uses 1.
	workers := 1
	if v := os.Getenv("VCS_BENCH_WORKERS"); v != "" {
		fmt.Sscan(v, &workers)
	}
	ch := make(chan job)
	errs := make(chan error, workers)
	for w := 0; w < workers; w++ {
		go func() {
			var first error
			for j := range ch {
				if err := archive(j); err != nil && first == nil {
					first = err
				}
			}
			errs <- first
		}()
	}
	for _, j := range jobs {
		ch <- j
	}
	close(ch)
	for w := 0; w < workers; w++ {
		must(<-errs)
	}
	return len(jobs)
}

func baseline(tb testing.TB, src, work string) {
	tb.Helper()
	out, err := exec.Command("sh", "testdata/bench_baseline.sh", src, work).CombinedOutput()
	if err != nil {
		tb.Fatalf("bench_baseline.sh: %v\n%s", err, out)
	}
}

func median(ds []time.Duration) time.Duration {
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}

// BenchmarkVsGit compares, on a generated repository with 500 tags,
//
//	(a) testdata/bench_baseline.sh: git clone --mirror + git archive
//	    --format=zip of every tag, and
//	(b) Sync + Refs + composer.json at every tag + Archive of every tag,
//
// alternating the two to share machine noise, and reports the medians and
// their ratio. Run it with
//
//	go test -run '^$' -bench VsGit -benchtime 5x ./internal/vcs/
//
// (VCS_BENCH_TAGS changes the number of tags). Skipped with -short.
func BenchmarkVsGit(b *testing.B) {
	if testing.Short() {
		b.Skip("long benchmark")
	}
	tags := 500
	if v := os.Getenv("VCS_BENCH_TAGS"); v != "" {
		fmt.Sscan(v, &tags)
	}
	dir := b.TempDir()
	src, names := benchRepo(b, dir, tags)
	srcURL := "file://" + src
	if len(names) != tags {
		b.Fatal("generator")
	}
	var ours, git, oursCPU, gitCPU []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		runtime.GC()
		start, cpu := time.Now(), cpuTime()
		baseline(b, srcURL, filepath.Join(dir, "git"))
		git, gitCPU = append(git, time.Since(start)), append(gitCPU, cpuTime()-cpu)

		runtime.GC()
		start, cpu = time.Now(), cpuTime()
		if n := ourPipeline(context.Background(), b, srcURL, filepath.Join(dir, "ours")); n != tags {
			b.Fatalf("archived %d tags, want %d", n, tags)
		}
		ours, oursCPU = append(ours, time.Since(start)), append(oursCPU, cpuTime()-cpu)
	}
	b.StopTimer()
	g, o := median(git), median(ours)
	gc, oc := median(gitCPU), median(oursCPU)
	b.ReportMetric(float64(g.Milliseconds()), "git-ms")
	b.ReportMetric(float64(o.Milliseconds()), "vcs-ms")
	b.ReportMetric(float64(o)/float64(g), "ratio")
	b.ReportMetric(float64(oc)/float64(gc), "cpu-ratio")
	b.Logf("%d tags, %d runs (medians): git clone --mirror + git archive: %v wall, %v CPU; "+
		"vcs Sync+Refs+Read+Archive: %v wall, %v CPU; ratio %.2f wall, %.2f CPU",
		tags, b.N, g.Round(time.Millisecond), gc.Round(time.Millisecond), o.Round(time.Millisecond),
		oc.Round(time.Millisecond), float64(o)/float64(g), float64(oc)/float64(gc))
	b.Logf("git runs: %v", git)
	b.Logf("vcs runs: %v", ours)
	sizes := func(d string) (n int64) {
		entries, _ := os.ReadDir(d)
		for _, e := range entries {
			if fi, err := e.Info(); err == nil {
				n += fi.Size()
			}
		}
		return n
	}
	b.Logf("zip bytes: git %d, vcs %d", sizes(filepath.Join(dir, "git", "zips")), sizes(filepath.Join(dir, "ours", "zips")))
}

// BenchmarkArchive is the cost of one dist zip of the bench repository.
func BenchmarkArchive(b *testing.B) {
	dir := b.TempDir()
	src, _ := benchRepo(b, dir, 20)
	repo, err := Sync(context.Background(), filepath.Join(dir, "m"), src, Auth{}, Options{AllowLocal: true})
	if err != nil {
		b.Fatal(err)
	}
	refs, err := repo.Refs(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	excl := []string{"/tests", "*.dist", "!/phpunit.xml.dist", "/docs/**/*.draft.md", "build/"}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := repo.Archive(context.Background(), refs[i%len(refs)].Commit, "", "pkg", excl, discard{}); err != nil {
			b.Fatal(err)
		}
	}
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

// BenchmarkConvert is the in-process part of Archive: tar stream to zip,
// without git.
func BenchmarkConvert(b *testing.B) {
	dir := b.TempDir()
	src, names := benchRepo(b, dir, 10)
	cmd := exec.Command("git", "--git-dir="+src, "archive", "--format=tar", names[5])
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null")
	tarData, err := cmd.Output()
	if err != nil {
		b.Fatal(err)
	}
	excl := exclude.New([]string{"/tests", "*.dist", "!/phpunit.xml.dist", "/docs/**/*.draft.md", "build/"})
	bufs := archivePool.Get().(*archiveBuffers)
	b.SetBytes(int64(len(tarData)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c := &tarToZip{zw: zip.NewWriter(discard{}), prefix: "pkg/", ex: excl, dirs: map[string]bool{}, links: map[string]bool{}, bufs: bufs}
		if err := c.convert(newTarReader(bufio.NewReader(bytes.NewReader(tarData)))); err != nil {
			b.Fatal(err)
		}
	}
}
