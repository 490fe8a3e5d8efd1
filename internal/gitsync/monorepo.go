package gitsync

import (
	"context"
	"errors"
	"fmt"
	"path"
	"sort"

	"github.com/bmatcuk/doublestar/v4"

	"github.com/cargoman/cargoman/ent"
	"github.com/cargoman/cargoman/ent/composerpackage"
	"github.com/cargoman/cargoman/internal/composerjson"
	"github.com/cargoman/cargoman/internal/vcs"
)

// monorepo syncs a monorepo package: every composer.json in a directory
// matching its paths (and no exclude) is a child package, versioned by the
// repository's refs and archived from its own directory.
func (r *run) monorepo(ctx context.Context, parent *ent.ComposerPackage, refs []vcs.Ref) error {
	children := map[string][]locatedRef{}
	for _, ref := range refs {
		files, err := r.repo.ListFiles(ctx, ref.Commit, func(p string) bool {
			if path.Base(p) != "composer.json" {
				return false
			}
			dir := path.Dir(p)
			return matchesAny(parent.MonorepoPaths, dir) && !matchesAny(parent.MonorepoExcludes, dir)
		})
		if err != nil {
			return err
		}
		for _, f := range files {
			raw, ok, err := r.reader.Read(ref.Commit, f)
			if err != nil || !ok {
				continue
			}
			m, err := composerjson.Parse(raw)
			if err != nil || composerjson.CheckName(m.Name()) != nil {
				continue // the child's own sync would only reject it again
			}
			children[m.Name()] = append(children[m.Name()], locatedRef{Ref: ref, Dir: path.Dir(f)})
		}
	}
	names := make([]string, 0, len(children))
	for n := range children {
		names = append(names, n)
	}
	sort.Strings(names)
	var errs []error
	for _, name := range names {
		locs := children[name]
		child, err := r.ensureChild(ctx, parent, name, locs[len(locs)-1].Dir)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if err := r.target(ctx, child, locs); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", name, err))
		}
	}
	// The parent itself publishes nothing; its README and default branch
	// still describe the repository.
	root := make([]locatedRef, len(refs))
	for i, ref := range refs {
		root[i] = locatedRef{Ref: ref}
	}
	if err := r.finish(ctx, parent, root, map[string]bool{}, nil, nil, nil); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// ensureChild returns the child package called name, creating it.
func (r *run) ensureChild(ctx context.Context, parent *ent.ComposerPackage, name, dir string) (*ent.ComposerPackage, error) {
	child, err := r.client.ComposerPackage.Query().Where(composerpackage.Name(name)).Only(ctx)
	switch {
	case err == nil && child.ParentID != nil && *child.ParentID == parent.ID:
		return child, nil
	case err == nil:
		return nil, fmt.Errorf("monorepo %s contains %s, which already exists as a package of its own", parent.Name, name)
	case !ent.IsNotFound(err):
		return nil, fmt.Errorf("gitsync: look up %s: %w", name, err)
	}
	create := r.client.ComposerPackage.Create().
		SetTenantID(parent.TenantID).
		SetName(name).
		SetType(parent.Type).
		SetNillableRepositoryURL(parent.RepositoryURL).
		SetRepositoryKey(parent.RepositoryKey).
		SetNillableCredentialID(parent.CredentialID).
		SetParentID(parent.ID).
		SetMonorepoPath(dir)
	child, err = create.Save(ctx)
	if err != nil {
		return nil, fmt.Errorf("gitsync: create monorepo child %s: %w", name, err)
	}
	return child, nil
}

// matchesAny reports whether dir matches one of the globs.
func matchesAny(globs []string, dir string) bool {
	for _, g := range globs {
		if ok, _ := doublestar.Match(g, dir); ok {
			return true
		}
	}
	return false
}
