package testenv

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// GitRepo is a real git repository made by a test.
type GitRepo struct {
	t   testing.TB
	Dir string
}

// NewGitRepo makes an empty repository whose default branch is main.
func NewGitRepo(t testing.TB) *GitRepo {
	t.Helper()
	g := &GitRepo{t: t, Dir: t.TempDir()}
	g.Git("init", "-q", "-b", "main")
	return g
}

// Git runs git in the repository and returns its trimmed output.
func (g *GitRepo) Git(args ...string) string {
	g.t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = g.Dir
	cmd.Env = append(os.Environ(),
		"GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null",
		"GIT_AUTHOR_NAME=Test", "GIT_AUTHOR_EMAIL=test@example.com",
		"GIT_COMMITTER_NAME=Test", "GIT_COMMITTER_EMAIL=test@example.com",
	)
	out, err := cmd.CombinedOutput()
	if err != nil {
		g.t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// Write writes files (path -> content) into the work tree.
func (g *GitRepo) Write(files map[string]string) {
	g.t.Helper()
	for name, content := range files {
		p := filepath.Join(g.Dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			g.t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			g.t.Fatal(err)
		}
	}
}

// Commit writes files and commits everything, returning the commit id.
func (g *GitRepo) Commit(msg string, files map[string]string) string {
	g.t.Helper()
	g.Write(files)
	g.Git("add", "-A")
	g.Git("commit", "-q", "--allow-empty", "-m", msg)
	return g.Git("rev-parse", "HEAD")
}

// ComposerJSON is a minimal composer.json for name.
func ComposerJSON(name string, extra string) string {
	if extra != "" {
		extra = "," + extra
	}
	return `{"name":"` + name + `","description":"Test package ` + name + `","license":"MIT","autoload":{"psr-4":{"Acme\\":"src/"}}` + extra + `}`
}
