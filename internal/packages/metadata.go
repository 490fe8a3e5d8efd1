package packages

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"time"

	"github.com/cargoman/cargoman/ent"
	"github.com/cargoman/cargoman/ent/packageversion"
	"github.com/cargoman/cargoman/internal/composer"
	"github.com/cargoman/cargoman/internal/composerjson"
)

// RefreshMetadata re-renders the package's Composer documents from its
// versions and moves metadata_updated_at (the stamp of every cached view
// and Composer's Last-Modified) when they changed. Call it in the
// transaction that changed the versions, so the stamp never lags the rows.
func (s *Service) RefreshMetadata(ctx context.Context, c *ent.Client, pkg *ent.ComposerPackage) error {
	tagged, dev, err := s.entries(ctx, c, pkg)
	if err != nil {
		return err
	}
	// The documents are served rendered per customer from the versions;
	// only their digest is kept, to tell whether anything changed.
	h := sha256.New()
	h.Write(composer.Document(pkg.Name, tagged))
	h.Write([]byte{0})
	h.Write(composer.Document(pkg.Name, dev))
	digest := hex.EncodeToString(h.Sum(nil))
	if pkg.MetadataUpdatedAt != nil && digest == pkg.MetadataDigest {
		// Unchanged (a sync that found nothing new): keeping
		// metadata_updated_at keeps every customer's cached view and
		// Composer's Last-Modified.
		return nil
	}
	return c.ComposerPackage.UpdateOneID(pkg.ID).
		SetMetadataDigest(digest).
		SetMetadataUpdatedAt(time.Now().UTC()).
		Exec(ctx)
}

// Entries renders the metadata objects of the package's installable
// versions (neither yanked nor removed), tagged and branch versions apart,
// in the order of its p2 documents. They are what the stored documents
// hold; the Composer endpoints filter them per customer.
func (s *Service) Entries(ctx context.Context, pkg *ent.ComposerPackage) (tagged, dev []composer.Entry, err error) {
	return s.entries(ctx, s.client, pkg)
}

func (s *Service) entries(ctx context.Context, c *ent.Client, pkg *ent.ComposerPackage) (tagged, dev []composer.Entry, err error) {
	versions, err := c.PackageVersion.Query().
		Where(
			packageversion.PackageID(pkg.ID),
			packageversion.YankedAtIsNil(),
			packageversion.RemovedAtIsNil(),
		).
		All(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("packages: load versions of %s: %w", pkg.Name, err)
	}
	for _, v := range versions {
		e, err := s.entry(pkg, v)
		if err != nil {
			return nil, nil, err
		}
		if v.Source == packageversion.SourceBranch {
			dev = append(dev, e)
		} else {
			tagged = append(tagged, e)
		}
	}
	composer.SortNewestFirst(tagged)
	composer.SortNewestFirst(dev)
	return tagged, dev, nil
}

// entry renders one version's metadata object.
func (s *Service) entry(pkg *ent.ComposerPackage, v *ent.PackageVersion) (composer.Entry, error) {
	m, err := composerjson.Parse([]byte(v.ComposerJSON))
	if err != nil {
		return composer.Entry{}, fmt.Errorf("packages: stored composer.json of %s %s: %w", pkg.Name, v.Version, err)
	}
	var abandoned any = pkg.Abandoned
	if pkg.Abandoned && pkg.AbandonedReplacement != nil {
		abandoned = *pkg.AbandonedReplacement
	} else if v.Deprecated {
		abandoned = true
	}
	return composer.NewEntry(composer.Release{
		Name:          pkg.Name,
		Version:       v.Version,
		Normalized:    v.VersionNormalized,
		Manifest:      m,
		DistURL:       DistPath(pkg.Name, v),
		Reference:     v.Reference,
		Shasum:        v.DistShasum,
		Time:          v.ReleasedAt,
		DefaultBranch: v.DefaultBranch,
		Abandoned:     abandoned,
	}), nil
}

// DistPath is where Composer downloads a version's archive, below the
// base URL each request is answered with (internal/origin). It names the
// reference, so a lock file keeps pointing at the archive it was made with.
func DistPath(pkgName string, v *ent.PackageVersion) string {
	return fmt.Sprintf("/dists/%s/%s/%s.zip", pkgName, url.PathEscape(v.VersionNormalized), url.PathEscape(v.Reference))
}
