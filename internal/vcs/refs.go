package vcs

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// refFormat asks for-each-ref for everything Refs needs in one pass,
// including the peeled commit and its date for annotated tags.
const refFormat = "%(refname)%00%(objecttype)%00%(objectname)%00%(committerdate:unix)" +
	"%00%(*objecttype)%00%(*objectname)%00%(*committerdate:unix)%00%(symref)"

// Refs lists branches and tags, sorted by full ref name (branches first),
// with one `git for-each-ref` call. Tags are peeled to their commit; tags of
// trees or blobs and symbolic refs are left out. Tags of tags (rare) are
// peeled with one extra `git cat-file` call for all of them.
func (r *Repo) Refs(ctx context.Context) ([]Ref, error) {
	out, err := r.run.run(ctx, "for-each-ref", nil, "for-each-ref", "--format="+refFormat, "refs/heads/", "refs/tags/")
	if err != nil {
		return nil, err
	}
	var (
		refs   []Ref
		nested []int // indexes into refs of tags pointing at tags
	)
	for _, line := range strings.Split(string(out), "\n") {
		if line == "" {
			continue
		}
		f := strings.Split(line, "\x00")
		if len(f) != 8 || f[7] != "" {
			continue
		}
		ref := Ref{}
		switch {
		case strings.HasPrefix(f[0], "refs/heads/"):
			ref.Kind, ref.Name = Branch, f[0][len("refs/heads/"):]
		case strings.HasPrefix(f[0], "refs/tags/"):
			ref.Kind, ref.Name = Tag, f[0][len("refs/tags/"):]
		default:
			continue
		}
		switch {
		case f[1] == "commit":
			ref.Commit, ref.Time = f[2], unixTime(f[3])
		case f[1] == "tag" && f[4] == "commit":
			ref.Commit, ref.Time = f[5], unixTime(f[6])
		case f[1] == "tag" && f[4] == "tag":
			ref.Commit = f[5]
			nested = append(nested, len(refs))
		default:
			continue
		}
		refs = append(refs, ref)
	}
	if len(nested) > 0 {
		refs, err = r.peelNested(ctx, refs, nested)
		if err != nil {
			return nil, err
		}
	}
	return refs, nil
}

func unixTime(s string) time.Time {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return time.Time{}
	}
	return time.Unix(n, 0).UTC()
}

// peelNested resolves tags of tags to commits through `git cat-file
// --batch` with "<id>^{commit}" requests; those that do not end at a commit
// are dropped.
func (r *Repo) peelNested(ctx context.Context, refs []Ref, nested []int) ([]Ref, error) {
	var in bytes.Buffer
	for _, i := range nested {
		in.WriteString(refs[i].Commit + "^{commit}\n")
	}
	out, err := r.run.run(ctx, "cat-file", &in, "cat-file", "--batch")
	if err != nil {
		return nil, err
	}
	br := bufio.NewReader(bytes.NewReader(out))
	drop := map[int]bool{}
	for _, i := range nested {
		header, err := br.ReadString('\n')
		if err != nil {
			return nil, fmt.Errorf("vcs: peel tags: short cat-file output")
		}
		oid, typ, size, ok := parseBatchHeader(strings.TrimSuffix(header, "\n"))
		if !ok || typ != "commit" {
			drop[i] = true
			if ok {
				if _, err := br.Discard(int(size) + 1); err != nil {
					return nil, fmt.Errorf("vcs: peel tags: %w", err)
				}
			}
			continue
		}
		body := make([]byte, size+1)
		if _, err := io.ReadFull(br, body); err != nil {
			return nil, fmt.Errorf("vcs: peel tags: %w", err)
		}
		refs[i].Commit, refs[i].Time = oid, commitTime(body)
	}
	kept := refs[:0]
	for i, ref := range refs {
		if !drop[i] {
			kept = append(kept, ref)
		}
	}
	return kept, nil
}

// commitTime reads the committer timestamp from a raw commit object.
func commitTime(body []byte) time.Time {
	for _, line := range bytes.Split(body, []byte("\n")) {
		if len(line) == 0 {
			break // end of headers
		}
		if rest, ok := bytes.CutPrefix(line, []byte("committer ")); ok {
			f := bytes.Fields(rest)
			if len(f) >= 2 {
				return unixTime(string(f[len(f)-2]))
			}
		}
	}
	return time.Time{}
}

// DefaultBranch is the branch HEAD of the mirror points at: the remote's
// default branch as of the last Sync.
func (r *Repo) DefaultBranch(ctx context.Context) (string, error) {
	out, err := r.run.run(ctx, "symbolic-ref", nil, "symbolic-ref", "-q", "HEAD")
	if err != nil {
		return "", err
	}
	name, ok := strings.CutPrefix(strings.TrimSpace(string(out)), "refs/heads/")
	if !ok || name == "" {
		return "", fmt.Errorf("vcs: HEAD of %s is not a branch: %w", r.dir, ErrNotFound)
	}
	return name, nil
}

// ListFiles lists the regular files (not symlinks or submodules) in the
// tree of commit, recursively, in git's order (bytewise by path), keeping
// those for which match returns true (all when match is nil). Monorepos use
// it to find */composer.json.
func (r *Repo) ListFiles(ctx context.Context, commit string, match func(path string) bool) ([]string, error) {
	if err := checkCommit(commit); err != nil {
		return nil, err
	}
	g := r.run.command(ctx, "ls-tree", true, "ls-tree", "-r", "-z", "--full-tree", commit)
	stdout, err := g.cmd.StdoutPipe()
	if err != nil {
		g.cancel()
		return nil, err
	}
	if err := g.cmd.Start(); err != nil {
		g.cancel()
		return nil, g.errorFor(err)
	}
	var files []string
	sc := bufio.NewScanner(stdout)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	sc.Split(splitNUL)
	for sc.Scan() {
		// "<mode> SP <type> SP <object> TAB <path>"
		meta, p, ok := strings.Cut(sc.Text(), "\t")
		if !ok || !(strings.HasPrefix(meta, "100644 blob ") || strings.HasPrefix(meta, "100755 blob ")) {
			continue
		}
		if match == nil || match(p) {
			files = append(files, p)
		}
	}
	scanErr := sc.Err()
	if scanErr != nil {
		_, _ = io.Copy(io.Discard, stdout)
	}
	if err := g.wait(); err != nil {
		return nil, notFoundIfBadCommit(err)
	}
	if scanErr != nil {
		return nil, fmt.Errorf("vcs: ls-tree: %w", scanErr)
	}
	return files, nil
}

func splitNUL(data []byte, atEOF bool) (int, []byte, error) {
	if i := bytes.IndexByte(data, 0); i >= 0 {
		return i + 1, data[:i], nil
	}
	if atEOF && len(data) > 0 {
		return len(data), data, nil
	}
	return 0, nil, nil
}

// notFoundIfBadCommit classifies "not a tree object" / "bad object" for a
// commit the caller named as ErrNotFound instead of mirror corruption.
func notFoundIfBadCommit(err error) error {
	if ge, ok := err.(*Error); ok && ge.Kind == ErrCorrupt || ok && ge.Kind == nil {
		s := strings.ToLower(ge.Stderr)
		if strings.Contains(s, "not a tree object") || strings.Contains(s, "bad object") ||
			strings.Contains(s, "not a valid object name") || strings.Contains(s, "bad revision") {
			ge.Kind = ErrNotFound
		}
	}
	return err
}

// checkCommit accepts full object ids only (40 hex for SHA-1, 64 for
// SHA-256): no ref names, no revision syntax, nothing git could read as an
// option.
func checkCommit(c string) error {
	if len(c) != 40 && len(c) != 64 {
		return fmt.Errorf("vcs: commit %q: want a full hex object id: %w", trunc(c), ErrInvalidArgument)
	}
	for i := 0; i < len(c); i++ {
		if !(c[i] >= '0' && c[i] <= '9' || c[i] >= 'a' && c[i] <= 'f' || c[i] >= 'A' && c[i] <= 'F') {
			return fmt.Errorf("vcs: commit %q: want a full hex object id: %w", trunc(c), ErrInvalidArgument)
		}
	}
	return nil
}

// checkRelPath accepts a clean relative slash path: no leading '/', no
// empty, "." or ".." elements, no NUL or newline.
func checkRelPath(what, p string) error {
	if !cleanRelPath(p) || strings.ContainsAny(p, "\x00\n\r") {
		return fmt.Errorf("vcs: %s %q: want a clean relative path: %w", what, trunc(p), ErrInvalidArgument)
	}
	return nil
}

func trunc(s string) string {
	if len(s) > 80 {
		return s[:80] + "..."
	}
	return s
}
