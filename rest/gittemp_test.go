package rest_test

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cargoman/cargoman/internal/testenv"
)

// A git sync keeps its temporary directories (private HOME, session
// directory with keys and known_hosts) under DATA_DIR/tmp/<instance>, never
// in the system's temporary directory, and removes the session's.
func TestGitTempFilesUnderDataDir(t *testing.T) {
	// Not parallel: TMPDIR is the process's.
	sysTmp := t.TempDir()
	t.Setenv("TMPDIR", sysTmp)
	for _, b := range testenv.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			s := testenv.StartServer(t, b)
			repo := testenv.NewGitRepo(t)
			repo.Commit("init", map[string]string{"composer.json": testenv.ComposerJSON("acme/g", "")})
			start := nowUTC()
			if r := s.Do(t, http.MethodPost, "/api/v1/packages", root, map[string]any{"name": "acme/g", "type": "git", "repository_url": repo.Dir}); r.Status != http.StatusCreated {
				t.Fatalf("create package: %d %s", r.Status, r.Body)
			}
			waitSynced(t, s, "acme/g", start)

			entries, err := os.ReadDir(sysTmp)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range entries {
				if strings.HasPrefix(e.Name(), "cargoman-") {
					t.Errorf("%s is in the system's temporary directory", e.Name())
				}
			}
			mine, err := os.ReadDir(s.App.Scratch.Path())
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range mine {
				if !strings.HasPrefix(e.Name(), "cargoman-git-home-") {
					t.Errorf("%s left in %s", e.Name(), s.App.Scratch.Path())
				}
			}
			if filepath.Dir(s.App.Scratch.Path()) != filepath.Join(s.DataDir, "tmp") {
				t.Errorf("scratch directory %s is not under DATA_DIR/tmp", s.App.Scratch.Path())
			}
		})
	}
}
