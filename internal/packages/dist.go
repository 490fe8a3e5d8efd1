package packages

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/cargoman/cargoman/ent"
	"github.com/cargoman/cargoman/ent/packageversion"
	"github.com/cargoman/cargoman/internal/archives"
	"github.com/cargoman/cargoman/internal/blob"
)

// NewDist is a version about to get its archive: where the archive goes
// (Key), the top folder inside it (Prefix) and the row that records it.
// DistOf fills Key and Prefix; the caller fills the version fields.
type NewDist struct {
	// Key is the archive's blob key: dists/<package id>/<rev>.zip. Git
	// archives are keyed by commit (and a monorepo child's directory), so
	// a tag and a branch on one commit share a file; uploads by their
	// version id.
	Key string
	// Prefix is the one top folder of the archive, as Composer expects.
	Prefix string

	// ID presets the version's id (uploads); empty makes one.
	ID                string
	Version           string
	VersionNormalized string
	Source            packageversion.Source
	// RefName is the tag or branch; nil for uploads.
	RefName *string
	// Reference is the commit; empty for uploads, whose reference is the
	// archive's sha1.
	Reference     string
	Stability     packageversion.Stability
	ComposerJSON  []byte
	ReleasedAt    time.Time
	DefaultBranch bool
	// UploadedBy names the uploader of an artifact.
	UploadedBy string
}

// DistOf names the archive of a version of pkg. rev is the commit of a git
// version, or the version id of an upload; dir is a monorepo child's
// directory in its repository ("" otherwise).
func DistOf(pkg *ent.ComposerPackage, rev, dir string, upload bool) NewDist {
	d := NewDist{Key: archives.Prefix + fmt.Sprintf("%s/%s.zip", pkg.ID, rev)}
	if dir != "" {
		d.Key = archives.Prefix + fmt.Sprintf("%s/%s-%s.zip", pkg.ID, rev, strings.ReplaceAll(dir, "/", "_"))
	}
	short := rev[:min(7, len(rev))]
	if upload {
		d.ID = rev
		short = rev[max(0, len(rev)-8):]
	}
	d.Prefix = strings.ReplaceAll(pkg.Name, "/", "-") + "-" + short
	return d
}

// StoreDist stores the archive write produces under d.Key and records the
// version in the same step (archives.Store: a version row never exists
// without its file): a new row, or existing updated when its ref moved.
// also runs in that transaction (skipped refs, metadata). A failure
// releases the new file unless another version serves it; a moved ref
// releases its old file.
func (s *Service) StoreDist(ctx context.Context, pkg *ent.ComposerPackage, d NewDist, write func(io.Writer) error,
	existing *ent.PackageVersion, also func(tx *ent.Client, v *ent.PackageVersion) error) (*ent.PackageVersion, error) {
	var v *ent.PackageVersion
	_, err := s.archives.Store(ctx, d.Key, write, func(tx *ent.Client, info blob.Info) error {
		ref := d.Reference
		if ref == "" {
			ref = info.SHA1
		}
		var err error
		if existing != nil {
			v, err = tx.PackageVersion.UpdateOne(existing).
				SetReference(ref).
				SetComposerJSON(string(d.ComposerJSON)).
				SetDistKey(d.Key).
				SetDistShasum(info.SHA1).
				SetDistSize(info.Size).
				SetReleasedAt(d.ReleasedAt).
				SetStability(d.Stability).
				SetDefaultBranch(d.DefaultBranch).
				ClearRemovedAt().
				Save(ctx)
		} else {
			create := tx.PackageVersion.Create().
				SetTenantID(pkg.TenantID).
				SetPackageID(pkg.ID).
				SetVersion(d.Version).
				SetVersionNormalized(d.VersionNormalized).
				SetSource(d.Source).
				SetNillableRefName(d.RefName).
				SetReference(ref).
				SetStability(d.Stability).
				SetComposerJSON(string(d.ComposerJSON)).
				SetDistKey(d.Key).
				SetDistShasum(info.SHA1).
				SetDistSize(info.Size).
				SetReleasedAt(d.ReleasedAt).
				SetDefaultBranch(d.DefaultBranch).
				SetNillableUploadedBy(nonEmpty(d.UploadedBy))
			if d.ID != "" {
				create.SetID(d.ID)
			}
			v, err = create.Save(ctx)
		}
		if err != nil {
			return err
		}
		if also != nil {
			return also(tx, v)
		}
		return nil
	})
	if err != nil {
		// The file may be shared with a recorded version: only an
		// unreferenced one goes.
		s.release(ctx, d.Key)
		return nil, err
	}
	if existing != nil && existing.DistKey != d.Key {
		s.release(ctx, existing.DistKey) // the ref moved: its old file may be unused now
	}
	return v, nil
}
