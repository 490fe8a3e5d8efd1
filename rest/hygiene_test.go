package rest_test

import (
	"net/http"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cargoman/cargoman/internal/testenv"
)

// unsafeManifests are composer.json additions the registry must not serve,
// with the JSON path the refusal names.
var unsafeManifests = []struct{ name, extra, field string }{
	{"bin escapes", `"bin":["../x"]`, "bin.0"},
	{"autoload file escapes", `"autoload":{"files":["../x.php"]}`, "autoload.files.0"},
	{"absolute psr-4 path", `"autoload":{"psr-4":{"Acme\\":"/etc/"}}`, `autoload.psr-4.Acme\\.0`},
	{"javascript homepage", `"homepage":"javascript:alert(1)"`, "homepage"},
	{"javascript support link", `"support":{"docs":"javascript:alert(1)"}`, "support.docs"},
	{"javascript author homepage", `"authors":[{"name":"A","homepage":"javascript:x"}]`, "authors.0.homepage"},
	{"bidi override in a keyword", `"keywords":["ok","a\u202Eb"]`, "keywords.1"},
	{"lone surrogate in the description", `"description":"a\uD800b"`, "description"},
}

// TestUploadRefusesUnsafeComposerJSON: an uploaded archive whose
// composer.json escapes the package, links to javascript: or carries
// bidi controls or lone surrogates is refused with 400 VALIDATION_ERROR
// naming the JSON path, and no version is stored.
func TestUploadRefusesUnsafeComposerJSON(t *testing.T) {
	testenv.ForEach(t, func(t *testing.T, b testenv.Backend) {
		s := testenv.StartServer(t, b)
		if r := s.Do(t, http.MethodPost, "/api/v1/packages", root, map[string]any{"name": "acme/art", "type": "artifact"}); r.Status != http.StatusCreated {
			t.Fatalf("create: %d %s", r.Status, r.Body)
		}
		for i, tc := range unsafeManifests {
			t.Run(tc.name, func(t *testing.T) {
				data := testenv.Zip(t, map[string]string{
					"composer.json": testenv.ComposerJSON("acme/art", tc.extra),
					"src/A.php":     "<?php",
				})
				r := upload(t, s, "acme/art", data, false, nil, "?version=1.0."+strconv.Itoa(i))
				e := wantError(t, r, http.StatusBadRequest, "VALIDATION_ERROR", "file")
				if !strings.Contains(e.Error.Message, `"`+tc.field+`"`) {
					t.Fatalf("message %q does not name %q", e.Error.Message, tc.field)
				}
			})
		}
		var p packageJSON
		s.Do(t, http.MethodGet, "/api/v1/packages/acme/art", root, nil).JSON(t, &p)
		if len(p.Versions) != 0 {
			t.Fatalf("versions after refused uploads: %v", versionNames(p, false))
		}
		safe := testenv.Zip(t, map[string]string{
			"composer.json": testenv.ComposerJSON("acme/art", `"homepage":"https://acme.test","bin":["bin/tool"],"description":"ويدجت"`),
			"bin/tool":      "#!/bin/sh",
			"src/A.php":     "<?php",
		})
		if r := upload(t, s, "acme/art", safe, false, nil, "?version=1.0.0"); r.Status != http.StatusCreated {
			t.Fatalf("safe upload: %d %s", r.Status, r.Body)
		}
	})
}

// TestGitSyncSkipsUnsafeComposerJSON: a tag whose composer.json is unsafe
// to serve does not become a version; it is listed under the rejected refs
// with the JSON path, and the safe refs are synced.
func TestGitSyncSkipsUnsafeComposerJSON(t *testing.T) {
	testenv.ForEach(t, func(t *testing.T, b testenv.Backend) {
		s := testenv.StartServer(t, b)
		repo := testenv.NewGitRepo(t)
		repo.Commit("1.0.0", map[string]string{"composer.json": testenv.ComposerJSON("acme/lib", ""), "src/Lib.php": "<?php"})
		repo.Git("tag", "v1.0.0")
		for i, tc := range unsafeManifests {
			repo.Commit(tc.name, map[string]string{"composer.json": testenv.ComposerJSON("acme/lib", tc.extra)})
			repo.Git("tag", "v1.1."+strconv.Itoa(i))
		}
		repo.Commit("safe again", map[string]string{"composer.json": testenv.ComposerJSON("acme/lib", `"homepage":"https://acme.test"`)})

		start := time.Now()
		if r := s.Do(t, http.MethodPost, "/api/v1/packages", root, map[string]any{"name": "acme/lib", "repository_url": repo.Dir, "type": "git"}); r.Status != http.StatusCreated {
			t.Fatalf("create: %d %s", r.Status, r.Body)
		}
		p := waitSynced(t, s, "acme/lib", start)
		if p.SyncError != nil {
			t.Fatalf("sync error: %s", *p.SyncError)
		}
		if got := strings.Join(versionNames(p, true), ","); got != "1.0.0,dev-main" {
			t.Fatalf("versions = %s, want 1.0.0,dev-main", got)
		}
		reasons := map[string]string{}
		for _, r := range p.RejectedRefs {
			reasons[r.RefKind+" "+r.RefName] = r.Reason
		}
		for i, tc := range unsafeManifests {
			ref := "tag v1.1." + strconv.Itoa(i)
			if !strings.Contains(reasons[ref], `"`+tc.field+`"`) {
				t.Errorf("%s (%s): rejected with %q, want it to name %q", ref, tc.name, reasons[ref], tc.field)
			}
		}
	})
}

// TestArchiveStripsVCSFolders: version-control folders (.git/, .svn/,
// .hg/, .bzr/, CVS/, _darcs/) never reach a dist, whether uploaded in an
// artifact or committed to a git repository; .gitattributes and
// .gitignore are ordinary files and stay.
func TestArchiveStripsVCSFolders(t *testing.T) {
	vcsFiles := map[string]string{
		".git/config": "[core]", ".git/hooks/post-checkout": "#!/bin/sh\nrm -rf ~", ".svn/entries": "12",
		"src/.hg/hgrc": "[hooks]", "lib/.bzr/branch.conf": "x", "CVS/Root": ":pserver:x", "_darcs/prefs": "x",
	}
	want := []string{".gitattributes", ".gitignore", "composer.json", "src/A.php"}
	testenv.ForEach(t, func(t *testing.T, b testenv.Backend) {
		s := testenv.StartServer(t, b)
		s.Do(t, http.MethodPost, "/api/v1/packages", root, map[string]any{"name": "acme/art", "type": "artifact"})
		files := map[string]string{
			"art/composer.json": testenv.ComposerJSON("acme/art", ""), "art/src/A.php": "<?php",
			"art/.gitattributes": "/tests export-ignore", "art/.gitignore": "/vendor",
		}
		for name, content := range vcsFiles {
			files["art/"+name] = content
		}
		if r := upload(t, s, "acme/art", testenv.Zip(t, files), false, nil, "?version=1.0.0"); r.Status != http.StatusCreated {
			t.Fatalf("upload: %d %s", r.Status, r.Body)
		}
		d := s.Do(t, http.MethodGet, "/api/v1/packages/acme/art/download/1.0.0", root, nil)
		if got := sortedNames(topFolder(t, zipFiles(t, d.Body))); strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("uploaded dist holds %v, want %v", got, want)
		}

		repo := testenv.NewGitRepo(t)
		committed := map[string]string{
			"composer.json": testenv.ComposerJSON("acme/lib", ""), "src/A.php": "<?php",
			".gitattributes": "/tests export-ignore", ".gitignore": "/vendor",
		}
		for name, content := range vcsFiles {
			if !strings.HasPrefix(name, ".git/") { // git itself refuses to track .git/
				committed[name] = content
			}
		}
		repo.Commit("1.0.0", committed)
		repo.Git("tag", "v1.0.0")
		start := time.Now()
		s.Do(t, http.MethodPost, "/api/v1/packages", root, map[string]any{"name": "acme/lib", "repository_url": repo.Dir, "type": "git"})
		if p := waitSynced(t, s, "acme/lib", start); p.SyncError != nil {
			t.Fatalf("sync error: %s", *p.SyncError)
		}
		d = s.Do(t, http.MethodGet, "/api/v1/packages/acme/lib/download/1.0.0", root, nil)
		if got := sortedNames(topFolder(t, zipFiles(t, d.Body))); strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("git dist holds %v, want %v", got, want)
		}
	})
}

func sortedNames(files map[string]string) []string {
	out := make([]string, 0, len(files))
	for name := range files {
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}
