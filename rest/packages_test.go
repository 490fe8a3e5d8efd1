package rest_test

import (
	"archive/zip"
	"bytes"
	"io"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/cargoman/cargoman/internal/testenv"
)

type versionJSON struct {
	ID                string  `json:"id"`
	Version           string  `json:"version"`
	VersionNormalized string  `json:"version_normalized"`
	Source            string  `json:"source"`
	RefName           string  `json:"ref_name"`
	Reference         string  `json:"reference"`
	DistShasum        string  `json:"dist_shasum"`
	DefaultBranch     bool    `json:"default_branch"`
	YankedAt          *string `json:"yanked_at"`
	RemovedAt         *string `json:"removed_at"`
	Deprecated        bool    `json:"deprecated"`
}

type packageJSON struct {
	ID            string        `json:"id"`
	Name          string        `json:"name"`
	Type          string        `json:"type"`
	Description   *string       `json:"description"`
	DefaultBranch *string       `json:"default_branch"`
	SyncedAt      *string       `json:"synced_at"`
	LastAttemptAt *string       `json:"last_attempt_at"`
	SyncError     *string       `json:"sync_error"`
	Versions      []versionJSON `json:"versions"`
	RejectedRefs  []struct {
		RefKind string `json:"ref_kind"`
		RefName string `json:"ref_name"`
		Reason  string `json:"reason"`
	} `json:"rejected_refs"`
	CurrentTask *struct {
		ID     string `json:"id"`
		Status string `json:"status"`
	} `json:"current_task"`
}

// waitSynced polls the package until no sync is pending or running.
func waitSynced(t *testing.T, s *testenv.Server, name string, after time.Time) packageJSON {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		var p packageJSON
		resp := s.Do(t, http.MethodGet, "/api/v1/packages/"+name, root, nil)
		if resp.Status != http.StatusOK {
			t.Fatalf("GET package: %d %s", resp.Status, resp.Body)
		}
		resp.JSON(t, &p)
		if p.CurrentTask == nil && p.LastAttemptAt != nil {
			synced, _ := time.Parse(time.RFC3339Nano, *p.LastAttemptAt)
			if !synced.Before(after.Add(-time.Second)) {
				return p
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("sync of %s did not finish: %s", name, resp.Body)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func versionNames(p packageJSON, installable bool) []string {
	var out []string
	for _, v := range p.Versions {
		if installable && (v.RemovedAt != nil || v.YankedAt != nil) {
			continue
		}
		out = append(out, v.Version)
	}
	sort.Strings(out)
	return out
}

func findVersion(t *testing.T, p packageJSON, version string) versionJSON {
	t.Helper()
	for _, v := range p.Versions {
		if v.Version == version {
			return v
		}
	}
	t.Fatalf("no version %s in %+v", version, p.Versions)
	return versionJSON{}
}

// zipFiles reads a zip into name -> content.
func zipFiles(t *testing.T, data []byte) map[string]string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatalf("not a zip: %v", err)
	}
	out := map[string]string{}
	for _, f := range zr.File {
		if f.FileInfo().IsDir() {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		out[f.Name] = string(b)
	}
	return out
}

// topFolder checks that every entry sits in one folder and strips it.
func topFolder(t *testing.T, files map[string]string) map[string]string {
	t.Helper()
	out := map[string]string{}
	top := ""
	for name, content := range files {
		dir, rest, ok := strings.Cut(name, "/")
		if !ok || (top != "" && dir != top) {
			t.Fatalf("zip entries not under one top folder: %v", files)
		}
		top = dir
		out[rest] = content
	}
	return out
}

func TestGitPackageSync(t *testing.T) {
	testenv.ForEach(t, func(t *testing.T, b testenv.Backend) {
		s := testenv.StartServer(t, b)
		repo := testenv.NewGitRepo(t)
		v100 := testenv.ComposerJSON("acme/lib", `"require":{"php":">=8.1"}`)
		repo.Commit("1.0.0", map[string]string{
			"composer.json": v100, "src/Lib.php": "<?php // 1.0", "README.md": "# Acme Lib\n\n<script>alert(1)</script>\n\nSome **bold** text.",
			".gitattributes": "/tests export-ignore\n", "tests/LibTest.php": "<?php // test",
		})
		repo.Git("tag", "v1.0.0")
		v110 := testenv.ComposerJSON("acme/lib", `"require":{"php":">=8.2"},"archive":{"exclude":["/docs"]}`)
		repo.Commit("1.1.0", map[string]string{"composer.json": v110, "src/Lib.php": "<?php // 1.1", "docs/guide.md": "guide"})
		repo.Git("tag", "-a", "v1.1.0", "-m", "release 1.1.0")
		repo.Commit("beta", map[string]string{"src/Lib.php": "<?php // 2.0 beta"})
		repo.Git("tag", "2.0.0-beta1")
		repo.Git("tag", "not-a-version")
		repo.Git("checkout", "-q", "-b", "feature/x")
		repo.Commit("feature", map[string]string{"src/Feature.php": "<?php"})
		repo.Git("checkout", "-q", "-b", "wrong-name")
		repo.Commit("wrong", map[string]string{"composer.json": testenv.ComposerJSON("acme/other", "")})
		repo.Git("tag", "v9.0.0")
		repo.Git("checkout", "-q", "main")

		start := time.Now()
		resp := s.Do(t, http.MethodPost, "/api/v1/packages", root, map[string]any{"name": "acme/lib", "repository_url": repo.Dir, "type": "git"})
		if resp.Status != http.StatusCreated {
			t.Fatalf("create: %d %s", resp.Status, resp.Body)
		}
		resp = s.Do(t, http.MethodPost, "/api/v1/packages/acme/lib/sync", root, nil)
		if resp.Status != http.StatusAccepted || !strings.Contains(string(resp.Body), `"kind":"package_sync"`) {
			t.Fatalf("sync: %d %s", resp.Status, resp.Body)
		}
		p := waitSynced(t, s, "acme/lib", start)
		if p.SyncError != nil {
			t.Fatalf("sync error: %s", *p.SyncError)
		}
		want := []string{"1.0.0", "1.1.0", "2.0.0-beta1", "dev-feature/x", "dev-main", "dev-wrong-name"}
		if got := versionNames(p, true); strings.Join(got, ",") != strings.Join(want[:5], ",") {
			t.Fatalf("versions = %v, want %v", got, want[:5])
		}
		if main := findVersion(t, p, "dev-main"); !main.DefaultBranch || main.Source != "branch" {
			t.Errorf("dev-main = %+v", main)
		}
		if p.DefaultBranch == nil || *p.DefaultBranch != "main" || p.Description == nil || *p.Description != "Test package acme/lib" {
			t.Errorf("package = %+v", p)
		}
		reasons := map[string]string{}
		for _, r := range p.RejectedRefs {
			reasons[r.RefKind+" "+r.RefName] = r.Reason
		}
		for ref, want := range map[string]string{
			"tag not-a-version": "not a valid version", "tag v9.0.0": `"acme/other"`, "branch wrong-name": `"acme/other"`,
		} {
			if !strings.Contains(reasons[ref], want) {
				t.Errorf("rejected %s: %q, want it to mention %q (all: %v)", ref, reasons[ref], want, reasons)
			}
		}

		// Admin download of 1.1.0: its own composer.json, one top folder,
		// export-ignore and archive.exclude honoured.
		resp = s.Do(t, http.MethodGet, "/api/v1/packages/acme/lib/download/1.1.0", root, nil)
		if resp.Status != http.StatusOK || resp.Header.Get("Content-Type") != "application/zip" {
			t.Fatalf("download: %d %s", resp.Status, resp.Body)
		}
		files := topFolder(t, zipFiles(t, resp.Body))
		if files["composer.json"] != v110 || files["src/Lib.php"] != "<?php // 1.1" {
			t.Errorf("1.1.0 archive: %v", files)
		}
		for _, gone := range []string{"tests/LibTest.php", "docs/guide.md"} {
			if _, ok := files[gone]; ok {
				t.Errorf("%s should be excluded from the archive", gone)
			}
		}
		for _, v := range []string{"v1.1.0", "1.1.0.0"} {
			if r := s.Do(t, http.MethodGet, "/api/v1/packages/acme/lib/download/"+v, root, nil); r.Status != http.StatusOK {
				t.Errorf("download by %s: %d", v, r.Status)
			}
		}

		// README as markdown and sanitized HTML.
		var rd struct {
			Readme     string `json:"readme"`
			ReadmeHTML string `json:"readme_html"`
		}
		s.Do(t, http.MethodGet, "/api/v1/packages/acme/lib/readme", root, nil).JSON(t, &rd)
		if !strings.Contains(rd.Readme, "# Acme Lib") || !strings.Contains(rd.ReadmeHTML, "<strong>bold</strong>") || strings.Contains(rd.ReadmeHTML, "<script") {
			t.Errorf("readme = %+v", rd)
		}

		// Move v1.1.0, delete v1.0.0: the moved tag gets the new commit,
		// the deleted one leaves the metadata but stays downloadable.
		old110 := findVersion(t, p, "1.1.0")
		moved := repo.Commit("hotfix", map[string]string{"src/Lib.php": "<?php // 1.1 fixed"})
		repo.Git("tag", "-f", "-a", "v1.1.0", "-m", "moved")
		repo.Git("tag", "-d", "v1.0.0")
		start = time.Now()
		s.Do(t, http.MethodPost, "/api/v1/packages/acme/lib/sync", root, nil)
		p = waitSynced(t, s, "acme/lib", start)
		if v := findVersion(t, p, "1.1.0"); v.Reference != moved || v.DistShasum == old110.DistShasum {
			t.Errorf("moved tag: %+v (was %+v)", v, old110)
		}
		if v := findVersion(t, p, "1.0.0"); v.RemovedAt == nil {
			t.Errorf("deleted tag not removed: %+v", v)
		}
		if r := s.Do(t, http.MethodGet, "/api/v1/packages/acme/lib/download/1.0.0", root, nil); r.Status != http.StatusOK {
			t.Errorf("removed version no longer downloadable: %d", r.Status)
		}

		// Yank, deprecate, unyank.
		for _, step := range []struct{ path, check string }{
			{"/yank/1.1.0", `"yanked_at":"`},
			{"/deprecate/2.0.0-beta1", `"deprecated":true`},
			{"/unyank/1.1.0", `"yanked_at":null`},
		} {
			r := s.Do(t, http.MethodPost, "/api/v1/packages/acme/lib"+step.path, root, nil)
			if r.Status != http.StatusOK || !strings.Contains(string(r.Body), step.check) {
				t.Errorf("%s: %d %s", step.path, r.Status, r.Body)
			}
		}
		for _, bad := range []struct {
			method, path string
			status       int
		}{
			{"POST", "/api/v1/packages/acme/lib/yank/7.7.7", 404},
			{"GET", "/api/v1/packages/acme/nope", 404},
			{"POST", "/api/v1/packages/acme/nope/sync", 404},
			{"GET", "/api/v1/packages/acme/lib/download/7.7.7", 404},
		} {
			if r := s.Do(t, bad.method, bad.path, root, nil); r.Status != bad.status {
				t.Errorf("%s %s: %d %s", bad.method, bad.path, r.Status, r.Body)
			}
		}

		// A re-sync with nothing changed does no work.
		start = time.Now()
		s.Do(t, http.MethodPost, "/api/v1/packages/acme/lib/sync", root, nil)
		before := p
		p = waitSynced(t, s, "acme/lib", start)
		if a, b := findVersion(t, before, "dev-main"), findVersion(t, p, "dev-main"); a.DistShasum != b.DistShasum || a.ID != b.ID {
			t.Errorf("unchanged ref rebuilt: %+v vs %+v", a, b)
		}

		// Delete: package, versions and archives go.
		if r := s.Do(t, http.MethodDelete, "/api/v1/packages/acme/lib", root, nil); r.Status != http.StatusNoContent {
			t.Fatalf("delete: %d %s", r.Status, r.Body)
		}
		if r := s.Do(t, http.MethodGet, "/api/v1/packages/acme/lib", root, nil); r.Status != http.StatusNotFound {
			t.Fatalf("after delete: %d", r.Status)
		}
	})
}

func nowUTC() time.Time { return time.Now().UTC() }

func sleep() { time.Sleep(50 * time.Millisecond) }
