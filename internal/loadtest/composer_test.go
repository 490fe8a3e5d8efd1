package loadtest

import (
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// mirror writes into root what a static Composer repository at ng serves:
// Cargoman's packages.json as is, every granted package's p2 documents with
// the dist URLs pointing at ng, and every dist archive those name, at the
// same paths as Cargoman's.
func mirror(t *testing.T, f *fixture, ng *nginxServer, root string) (files int) {
	t.Helper()
	write := func(rel string, data []byte) {
		p := filepath.Join(root, filepath.FromSlash(strings.TrimPrefix(rel, "/")))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		files++
	}
	write("packages.json", f.get(t, f.s.URL+"/packages.json", false).Body)
	from, to := []byte(f.s.URL+"/dists/"), []byte(ng.URL+"/dists/")
	dists := map[string]string{} // URL -> shasum
	for _, name := range f.names {
		for _, doc := range []string{name + ".json", name + "~dev.json"} {
			r := f.fetch(t, f.s.URL+"/p2/"+doc, false)
			if r.Status == 404 && strings.HasSuffix(doc, "~dev.json") {
				continue
			}
			if r.Status != 200 {
				t.Fatalf("GET /p2/%s: %d %s", doc, r.Status, r.Body)
			}
			for _, e := range entries(t, r.Body, name) {
				if e.Dist != nil {
					dists[e.Dist.URL] = e.Dist.Shasum
				}
			}
			body := bytes.ReplaceAll(r.Body, from, to)
			if bytes.Contains(body, []byte(f.s.URL)) {
				t.Fatalf("/p2/%s still names Cargoman after rewriting dist URLs: %.500s", doc, body)
			}
			write("p2/"+doc, body)
		}
	}
	for u, shasum := range dists {
		if !strings.HasPrefix(u, string(from)) {
			t.Fatalf("dist URL %s is not under %s", u, from)
		}
		data := f.get(t, u, false).Body
		if sum := sha1.Sum(data); shasum != "" && hex.EncodeToString(sum[:]) != shasum {
			t.Fatalf("%s: SHA-1 %x, metadata says %s", u, sum, shasum)
		}
		pu, err := url.Parse(u)
		if err != nil {
			t.Fatal(err)
		}
		write(pu.Path, data)
	}
	return files
}

// runComposer runs `composer update` of a new project requiring packages
// (any version) from the repository at repoURL, with a fresh empty
// COMPOSER_HOME and COMPOSER_CACHE_DIR, so every dist is downloaded, and
// returns how long the command took. token, when set, goes into the
// project's auth.json as Composer's customers configure it.
func runComposer(t *testing.T, bin, repoURL, token string, packages []string) time.Duration {
	t.Helper()
	dir, home := t.TempDir(), t.TempDir()
	require := map[string]string{}
	for _, p := range packages {
		require[p] = "*"
	}
	files := map[string]any{"composer.json": map[string]any{
		"name":         "load/project",
		"require":      require,
		"repositories": []any{map[string]any{"type": "composer", "url": repoURL}, map[string]any{"packagist.org": false}},
		"config":       map[string]any{"secure-http": false},
	}}
	if token != "" {
		host := strings.TrimPrefix(repoURL, "http://")
		files["auth.json"] = map[string]any{"http-basic": map[string]any{host: map[string]string{"username": "token", "password": token}}}
	}
	for name, v := range files {
		data, err := json.MarshalIndent(v, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(bin, "update", "--no-interaction", "--no-progress", "--no-ansi")
	cmd.Dir = dir
	cmd.Env = append(composerFreeEnv(),
		"COMPOSER_HOME="+filepath.Join(home, "home"),
		"COMPOSER_CACHE_DIR="+filepath.Join(home, "cache"),
		"COMPOSER_NO_AUDIT=1",
		"COMPOSER_NO_INTERACTION=1",
	)
	start := time.Now()
	out, err := cmd.CombinedOutput()
	elapsed := time.Since(start)
	if err != nil {
		t.Fatalf("composer update against %s: %v\n%s", repoURL, err, out)
	}

	// The lock names every required package, downloaded from repoURL.
	var lock struct {
		Packages []struct {
			Name string
			Dist struct{ URL string }
		}
	}
	data, err := os.ReadFile(filepath.Join(dir, "composer.lock"))
	if err != nil {
		t.Fatalf("composer update against %s wrote no lock: %v\n%s", repoURL, err, out)
	}
	decode(t, data, &lock)
	var got []string
	for _, p := range lock.Packages {
		if !strings.HasPrefix(p.Dist.URL, repoURL+"/") {
			t.Fatalf("%s installed from %s, not %s", p.Name, p.Dist.URL, repoURL)
		}
		if _, err := os.Stat(filepath.Join(dir, "vendor", filepath.FromSlash(p.Name), "composer.json")); err != nil {
			t.Fatalf("%s not installed: %v\n%s", p.Name, err, out)
		}
		got = append(got, p.Name)
	}
	want := append([]string{}, packages...)
	sort.Strings(got)
	sort.Strings(want)
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("composer installed %v, want %v\n%s", got, want, out)
	}
	return elapsed
}

// composerFreeEnv is the environment without COMPOSER_* variables, so the
// caller's Composer settings (auth, home, cache) cannot leak in.
func composerFreeEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "COMPOSER_") && !strings.HasPrefix(kv, "COMPOSER=") {
			env = append(env, kv)
		}
	}
	return env
}

// median of durations (the mean of the middle two for an even count).
func median(d []time.Duration) time.Duration {
	s := append([]time.Duration{}, d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}
