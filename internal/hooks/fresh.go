package hooks

import (
	"context"
	"fmt"
	"strings"

	"github.com/cargoman/cargoman/ent"
	"github.com/cargoman/cargoman/ent/composerpackage"
	"github.com/cargoman/cargoman/ent/packageversion"
	"github.com/cargoman/cargoman/ent/skippedref"
	"github.com/cargoman/cargoman/internal/packages"
	"github.com/cargoman/cargoman/internal/webhook"
)

// stale returns the git packages of matched that a sync would change:
// those whose recorded refs are not already where the push left them. A
// push is only recognised as known when the payload states the new commit
// of every ref it names (d.Heads) and each of them is recorded: as a live
// version's or a skipped ref's commit, or, for a deleted ref, by no live
// version or skipped ref having that ref. Everything else is stale, so an
// unusual payload syncs rather than being dropped.
func (h *Handler) stale(ctx context.Context, c *ent.Client, d *webhook.Delivery, matched []*ent.ComposerPackage) ([]*ent.ComposerPackage, error) {
	var out []*ent.ComposerPackage
	// A monorepo's parent and children share one target: read it once.
	upByTarget := map[string]bool{}
	for _, p := range matched {
		if p.Type == composerpackage.TypeArtifact {
			continue
		}
		target := packages.SyncTarget(p)
		up, ok := upByTarget[target]
		if !ok {
			known, err := recorded(ctx, c, target)
			if err != nil {
				return nil, err
			}
			up = upToDate(d, known)
			upByTarget[target] = up
		}
		if !up {
			out = append(out, p)
		}
	}
	return out, nil
}

// recorded maps the full refs the last syncs of the package target (and
// its monorepo children) recorded to their commits.
func recorded(ctx context.Context, c *ent.Client, target string) (map[string]map[string]bool, error) {
	family, err := c.ComposerPackage.Query().Where(composerpackage.ParentID(target)).IDs(ctx)
	if err != nil {
		return nil, fmt.Errorf("hooks: list monorepo children of %s: %w", target, err)
	}
	family = append(family, target)
	versions, err := c.PackageVersion.Query().
		Where(packageversion.PackageIDIn(family...), packageversion.RemovedAtIsNil(), packageversion.RefNameNotNil(),
			packageversion.SourceIn(packageversion.SourceTag, packageversion.SourceBranch)).
		All(ctx)
	if err != nil {
		return nil, fmt.Errorf("hooks: load versions of %s: %w", target, err)
	}
	skipped, err := c.SkippedRef.Query().Where(skippedref.PackageIDIn(family...)).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("hooks: load skipped refs of %s: %w", target, err)
	}
	known := map[string]map[string]bool{}
	add := func(kind, name, commit string) {
		ref := "refs/heads/" + name
		if kind == "tag" {
			ref = "refs/tags/" + name
		}
		if known[ref] == nil {
			known[ref] = map[string]bool{}
		}
		known[ref][strings.ToLower(commit)] = true
	}
	for _, v := range versions {
		add(string(v.Source), *v.RefName, v.Reference)
	}
	for _, sk := range skipped {
		add(string(sk.RefKind), sk.RefName, sk.Reference)
	}
	return known, nil
}

// upToDate reports whether every ref of the push is already where known
// says.
func upToDate(d *webhook.Delivery, known map[string]map[string]bool) bool {
	if len(d.Refs) == 0 {
		return false
	}
	for _, ref := range d.Refs {
		head, ok := d.Heads[ref]
		switch {
		case !ok:
			return false
		case head == webhook.ZeroCommit:
			if len(known[ref]) > 0 {
				return false
			}
		case !known[ref][head]:
			return false
		}
	}
	return true
}
