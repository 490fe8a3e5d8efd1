package vcs

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/cargoman/cargoman/internal/netpolicy"
	"github.com/cargoman/cargoman/internal/repourl"
	"github.com/cargoman/cargoman/internal/shellword"
)

// Repo is a local bare mirror of a repository. Its methods only read the
// mirror and never touch the network; they are safe for concurrent use, but
// not concurrently with a Sync of the same directory that has to re-clone.
type Repo struct {
	dir  string
	opts Options
	run  *runner
}

// Dir is the mirror's directory.
func (r *Repo) Dir() string { return r.dir }

func newRepo(dir string, opts Options) (*Repo, error) {
	run, err := localRunner(dir, opts)
	if err != nil {
		return nil, err
	}
	return &Repo{dir: dir, opts: opts, run: run}, nil
}

// OpenMirror opens an existing mirror without any network access, with
// default Options.
func OpenMirror(dir string) (*Repo, error) {
	dir, err := cleanMirrorDir(dir)
	if err != nil {
		return nil, err
	}
	if !looksLikeMirror(dir) {
		return nil, fmt.Errorf("vcs: no mirror at %s: %w", dir, ErrNotFound)
	}
	return newRepo(dir, Options{}.withDefaults())
}

// Sync brings the mirror in dir up to date with url and returns it.
//
// When dir holds no usable mirror it clones (git clone --bare: branches and
// tags) into a temporary sibling directory and renames it into place, so a
// crash never leaves a half-written mirror at dir. Otherwise it fetches
// branches and tags, pruning deleted ones and force-updating moved tags and
// rewritten branches, then re-points HEAD at the remote's default branch. A
// mirror found damaged (by git during the fetch, or a ref whose object is
// missing) is replaced by a fresh clone; the old one is removed only once
// the new one is complete.
//
// Concurrent Syncs of one dir (in this or another process) are serialised
// with a lock file next to it.
func Sync(ctx context.Context, dir, url string, auth Auth, opts Options) (*Repo, error) {
	opts = opts.withDefaults()
	rem, err := parseRemote(url, repourl.Rules{AllowLocal: opts.AllowLocal, AllowInsecureHTTP: opts.AllowInsecureHTTP, Network: opts.Network})
	if err != nil {
		return nil, fmt.Errorf("vcs: %w", err)
	}
	dir, err = cleanMirrorDir(dir)
	if err != nil {
		return nil, err
	}
	parent, base := filepath.Split(dir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return nil, fmt.Errorf("vcs: %w", err)
	}
	unlock, err := lockFile(ctx, filepath.Join(parent, "."+base+".lock"))
	if err != nil {
		return nil, fmt.Errorf("vcs: lock mirror %s: %w", dir, err)
	}
	defer unlock()
	removeLeftovers(parent, base)

	s, err := newSession(ctx, rem, auth, opts)
	if err != nil {
		return nil, err
	}
	defer s.close()

	if looksLikeMirror(dir) {
		err := s.fetch(ctx, dir)
		if err == nil {
			err = verifyRefs(ctx, s.run.in(dir))
		}
		if err == nil {
			s.updateHead(ctx, dir)
			return newRepo(dir, opts)
		}
		if !errors.Is(err, ErrCorrupt) || ctx.Err() != nil {
			return nil, err
		}
	}
	if err := s.cloneInto(ctx, parent, base); err != nil {
		return nil, err
	}
	return newRepo(dir, opts)
}

// cleanMirrorDir makes dir absolute and refuses paths that could make a
// re-clone remove something it should not.
func cleanMirrorDir(dir string) (string, error) {
	if strings.TrimSpace(dir) == "" {
		return "", fmt.Errorf("vcs: empty mirror directory: %w", ErrInvalidArgument)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("vcs: %w", err)
	}
	if filepath.Dir(abs) == abs {
		return "", fmt.Errorf("vcs: mirror directory %s: %w", abs, ErrInvalidArgument)
	}
	return abs, nil
}

// looksLikeMirror is a cheap check that dir is a bare repository.
func looksLikeMirror(dir string) bool {
	for _, c := range []struct {
		name string
		dir  bool
	}{{"HEAD", false}, {"config", false}, {"objects", true}, {"refs", true}} {
		fi, err := os.Stat(filepath.Join(dir, c.name))
		if err != nil || fi.IsDir() != c.dir {
			return false
		}
	}
	head, err := os.ReadFile(filepath.Join(dir, "HEAD"))
	return err == nil && (bytes.HasPrefix(head, []byte("ref: ")) || len(bytes.TrimSpace(head)) >= 40)
}

// Leftovers of an interrupted Sync: ".<base>.tmp-*" (a clone in progress)
// and ".<base>.old-*" (a replaced mirror not yet removed).
func removeLeftovers(parent, base string) {
	entries, err := os.ReadDir(parent)
	if err != nil {
		return
	}
	for _, e := range entries {
		n := e.Name()
		if strings.HasPrefix(n, "."+base+".tmp-") || strings.HasPrefix(n, "."+base+".old-") {
			_ = os.RemoveAll(filepath.Join(parent, n))
		}
	}
}

// verifyRefs reads the object of every branch and tag: a mirror whose refs
// point at missing objects (a crash between writing refs and objects, a
// damaged disk) fails here and is re-cloned.
func verifyRefs(ctx context.Context, run *runner) error {
	_, err := run.run(ctx, "for-each-ref", nil, "for-each-ref", "--format=%(objecttype)", "refs/heads/", "refs/tags/")
	var ge *Error
	if errors.As(err, &ge) && ge.Kind != ErrTimeout && ctx.Err() == nil {
		ge.Kind = ErrCorrupt
	}
	return err
}

// session holds what one Sync needs for network access: a private
// temporary directory (HOME, ssh key, known_hosts), the gate git reaches
// the network through, and the environment carrying credentials.
type session struct {
	tmp  string
	rem  *remote
	run  *runner
	gate *netpolicy.Gate
}

func newSession(ctx context.Context, rem *remote, auth Auth, opts Options) (_ *session, err error) {
	tmp, err := os.MkdirTemp(opts.TempDir, "cargoman-git-")
	if err != nil {
		return nil, fmt.Errorf("vcs: %w", err)
	}
	s := &session{tmp: tmp, rem: rem}
	defer func() {
		if err != nil {
			s.close()
		}
	}()
	var (
		extra  []envConfig
		header string
		sshCmd string
	)
	switch rem.scheme {
	case "https", "http":
		proxy := opts.Network.Proxy
		if rem.scheme == "http" {
			proxy = opts.Network.HTTPProxy
		}
		if s.gate, err = proxy(opts.StallTimeout); err != nil {
			return nil, err
		}
		// curl reaches every host, redirects included, through the gate.
		extra = append(extra, envConfig{"http.proxy", "http://" + s.gate.Addr()})
		if opts.CAFile != "" {
			extra = append(extra, envConfig{"http.sslCAInfo", opts.CAFile})
		}
		user, token := auth.Username, auth.Token
		if token == "" && rem.pass != "" {
			user, token = rem.user, rem.pass
		} else if user == "" {
			user = rem.user
		}
		if token != "" {
			if user == "" {
				user = "x-access-token"
			}
			header = basicAuthHeader(user, token)
			// Scoped to the repository's origin, so a redirect elsewhere
			// does not carry it.
			extra = append(extra, envConfig{"http." + rem.origin + ".extraHeader", "Authorization: " + header})
		}
	case "ssh":
		pinned, err := s.sshHostKeyOptions(ctx, opts)
		if err != nil {
			return nil, err
		}
		args := append([]string{"ssh", "-F", os.DevNull,
			"-o", "BatchMode=yes",
			"-o", "IdentitiesOnly=yes",
			"-o", "IdentityAgent=none",
			"-o", "ConnectTimeout=30",
		}, pinned...)
		if len(auth.SSHKey) > 0 {
			key := filepath.Join(tmp, "id")
			data := bytes.ReplaceAll(auth.SSHKey, []byte("\r\n"), []byte("\n"))
			if !bytes.HasSuffix(data, []byte("\n")) {
				data = append(data, '\n')
			}
			if err := os.WriteFile(key, data, 0o600); err != nil {
				return nil, fmt.Errorf("vcs: write ssh key: %w", err)
			}
			args = append(args, "-i", key)
		} else {
			args = append(args, "-o", "IdentityFile=none")
		}
		for i, a := range args {
			args[i] = shellword.Quote(a) // the POSIX shell running GIT_SSH_COMMAND
		}
		sshCmd = strings.Join(args, " ")
	}
	s.run = &runner{
		git:     opts.GitPath,
		timeout: opts.Timeout,
		env:     buildEnv(tmp, rem.scheme, sshCmd, extra),
		cwd:     tmp,
		target:  rem.display,
		secrets: secretsOf(auth, header, rem),
		gate:    s.gate,
		stall:   opts.StallTimeout,
	}
	return s, nil
}

// sshOptPath quotes a path for an ssh -o value, which ssh splits on spaces
// and expands %-tokens in.
func sshOptPath(p string) string {
	p = strings.ReplaceAll(p, "%", "%%")
	if strings.ContainsAny(p, " \t\"") {
		return `"` + strings.ReplaceAll(p, `"`, `\"`) + `"`
	}
	return p
}

// close shuts the gate and removes the session's private files (the ssh
// key among them).
func (s *session) close() {
	if s.gate != nil {
		s.gate.Close()
	}
	_ = os.RemoveAll(s.tmp)
}

// fetch updates an existing mirror. The refspecs are explicit (and forced)
// so the result does not depend on the mirror's config, moved tags are
// updated, and --prune drops branches and tags deleted upstream.
func (s *session) fetch(ctx context.Context, dir string) error {
	_, err := s.run.in(dir).run(ctx, "fetch", nil,
		"fetch", "--quiet", "--prune", "--force", "--no-tags", "--no-write-fetch-head",
		"--", s.rem.gitURL, "+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*")
	return err
}

// cloneInto clones into a temporary sibling of parent/base and renames it
// into place, replacing whatever was there only once the clone succeeded.
func (s *session) cloneInto(ctx context.Context, parent, base string) error {
	dir := filepath.Join(parent, base)
	tmp, err := os.MkdirTemp(parent, "."+base+".tmp-")
	if err != nil {
		return fmt.Errorf("vcs: %w", err)
	}
	// --template= keeps sample hooks and info/ files out of the mirror.
	_, err = s.run.run(ctx, "clone", nil,
		"clone", "--bare", "--quiet", "--template=", "--", s.rem.gitURL, tmp)
	if err != nil {
		_ = os.RemoveAll(tmp)
		return err
	}
	if _, err := os.Lstat(dir); err == nil {
		old, err := os.MkdirTemp(parent, "."+base+".old-")
		if err == nil {
			err = os.Remove(old)
		}
		if err == nil {
			err = os.Rename(dir, old)
		}
		if err != nil {
			_ = os.RemoveAll(tmp)
			return fmt.Errorf("vcs: replace mirror %s: %w", dir, err)
		}
		if err := os.Rename(tmp, dir); err != nil {
			_ = os.Rename(old, dir)
			_ = os.RemoveAll(tmp)
			return fmt.Errorf("vcs: replace mirror %s: %w", dir, err)
		}
		_ = os.RemoveAll(old)
		return nil
	}
	if err := os.Rename(tmp, dir); err != nil {
		_ = os.RemoveAll(tmp)
		return fmt.Errorf("vcs: install mirror %s: %w", dir, err)
	}
	return nil
}

// updateHead points the mirror's HEAD at the remote's current default
// branch (a fetch does not). It is best effort: on failure HEAD keeps the
// branch it had, which is still a usable answer for DefaultBranch.
func (s *session) updateHead(ctx context.Context, dir string) {
	run := s.run.in(dir)
	out, err := run.run(ctx, "ls-remote", nil, "ls-remote", "--symref", "--", s.rem.gitURL, "HEAD")
	if err != nil {
		return
	}
	for _, line := range strings.Split(string(out), "\n") {
		target, ok := strings.CutPrefix(line, "ref: ")
		if !ok {
			continue
		}
		target, _, _ = strings.Cut(target, "\t")
		if !strings.HasPrefix(target, "refs/heads/") || !validRefName(target) {
			return
		}
		cur, _ := os.ReadFile(filepath.Join(dir, "HEAD"))
		if strings.TrimSpace(string(cur)) == "ref: "+target {
			return
		}
		_, _ = run.run(ctx, "symbolic-ref", nil, "symbolic-ref", "HEAD", target)
		return
	}
}

// validRefName is a conservative subset of git check-ref-format.
func validRefName(s string) bool {
	if s == "" || strings.Contains(s, "..") || strings.Contains(s, "@{") || strings.HasSuffix(s, ".lock") ||
		strings.HasSuffix(s, "/") || strings.HasSuffix(s, ".") || strings.Contains(s, "//") {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x21 || c == 0x7f || strings.IndexByte(" ~^:?*[\\", c) >= 0 {
			return false
		}
	}
	return true
}
