package packages

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/cargoman/cargoman/ent"
	"github.com/cargoman/cargoman/ent/composerpackage"
	"github.com/cargoman/cargoman/ent/packageversion"
	"github.com/cargoman/cargoman/internal/apperr"
	"github.com/cargoman/cargoman/internal/artifact"
	"github.com/cargoman/cargoman/internal/blob"
	"github.com/cargoman/cargoman/internal/ids"
	"github.com/cargoman/cargoman/internal/scratch"
	"github.com/cargoman/cargoman/internal/semver"
)

// Upload adds a version to an artifact package from an uploaded zip. The
// archive is checked (a zip, safe paths, size limits, a composer.json
// naming this package), rewritten with one top folder as Composer expects,
// stored, and only then recorded. allow, when set, vets the version
// (normalized) before anything is stored: a customer may upload only
// versions its grants offer it (access.PublishCheck). uploadedBy names the
// uploader (auth.Caller.Actor) and is kept on the version.
func (s *Service) Upload(ctx context.Context, pkgName string, file io.Reader, size int64, version *string, uploadedBy string, allow func(normalized string) error) (*ent.PackageVersion, error) {
	pkg, err := s.Get(ctx, pkgName)
	if err != nil {
		return nil, err
	}
	if pkg.Type != composerpackage.TypeArtifact {
		return nil, apperr.Invalid("package", "%s is synced from git; uploads are for artifact packages", pkg.Name)
	}
	ra, cleanup, err := s.readerAt(file, size)
	if err != nil {
		return nil, err
	}
	defer cleanup()
	art, err := artifact.Inspect(ra, size, artifact.Options{})
	if err != nil {
		if artifact.IsInvalid(err) {
			return nil, apperr.Invalid("file", "%s", err.Error())
		}
		return nil, fmt.Errorf("packages: read upload: %w", err)
	}
	if name := art.Manifest.Name(); name != pkg.Name {
		return nil, apperr.Invalid("file", "the archive's composer.json names the package %q, not %q", name, pkg.Name)
	}
	explicit := ""
	if version != nil {
		explicit = strings.TrimSpace(*version)
	}
	pretty, normalized, err := artifact.VersionOf(art.Manifest, explicit)
	if err != nil {
		return nil, apperr.Invalid("version", "%s", err.Error())
	}
	if strings.HasPrefix(normalized, "dev-") || strings.HasSuffix(normalized, "-dev") {
		return nil, apperr.Invalid("version", "uploads must be releases; %q is a development version", pretty)
	}
	if allow != nil {
		if err := allow(normalized); err != nil {
			return nil, err
		}
	}
	exists, err := s.client.PackageVersion.Query().
		Where(packageversion.PackageID(pkg.ID), packageversion.Or(
			packageversion.VersionNormalized(normalized), packageversion.Version(pretty))).
		Exist(ctx)
	if err != nil {
		return nil, fmt.Errorf("packages: check version %s: %w", pretty, err)
	}
	if exists {
		e := apperr.New(apperr.Conflict, "%s already has version %s; versions are immutable (yank it and upload another)", pkg.Name, pretty)
		e.Field = "version"
		return nil, e
	}

	d := DistOf(pkg, ids.New(ids.Version), "", true)
	d.Version, d.VersionNormalized, d.Source = pretty, normalized, packageversion.SourceUpload
	d.Stability = packageversion.Stability(semver.ParseStability(normalized).String())
	d.ComposerJSON, d.UploadedBy = art.ComposerJSON, uploadedBy
	d.ReleasedAt = time.Now().UTC().Truncate(time.Microsecond)
	write := func(w io.Writer) error {
		_, _, err := artifact.Repack(ra, size, d.Prefix, w)
		return err
	}
	v, err := s.StoreDist(ctx, pkg, d, write, nil, func(tc *ent.Client, _ *ent.PackageVersion) error {
		return s.RefreshMetadata(ctx, tc, pkg)
	})
	if ent.IsConstraintError(err) {
		return nil, apperr.New(apperr.Conflict, "%s already has version %s", pkg.Name, pretty)
	}
	if err != nil {
		return nil, err
	}
	return v, nil
}

// readerAt gives random access to an upload, spooling it to a scratch
// file when the reader cannot seek (the transports hand over files that
// can).
func (s *Service) readerAt(r io.Reader, size int64) (io.ReaderAt, func(), error) {
	if ra, ok := r.(io.ReaderAt); ok {
		return ra, func() {}, nil
	}
	if s.scratch == nil {
		return nil, nil, errors.New("packages: an upload that cannot seek needs a scratch directory")
	}
	f, _, err := s.scratch.Spool(io.LimitReader(r, size), "artifact-*.zip")
	if err != nil {
		if errors.Is(err, scratch.ErrDisk) {
			return nil, nil, fmt.Errorf("packages: spool upload: %w", err)
		}
		return nil, nil, apperr.Invalid("file", "the upload could not be read")
	}
	return f, func() { _ = f.Close() }, nil
}

// OpenDist opens a version's archive and names the file for download.
func (s *Service) OpenDist(ctx context.Context, versionID string) (blob.Object, string, error) {
	v, err := s.client.PackageVersion.Query().
		Where(packageversion.ID(versionID)).
		WithPackage().
		Only(ctx)
	if ent.IsNotFound(err) {
		return nil, "", apperr.NotFoundf("version %q not found", versionID)
	}
	if err != nil {
		return nil, "", fmt.Errorf("packages: load version %s: %w", versionID, err)
	}
	obj, err := s.archives.Open(ctx, v.DistKey)
	if err != nil {
		return nil, "", err
	}
	return obj, distFileName(v.Edges.Package.Name, v.Version), nil
}

// distFileName names a version's archive for download.
func distFileName(pkgName, version string) string {
	name := strings.ReplaceAll(pkgName, "/", "-") + "-" + version + ".zip"
	return strings.NewReplacer("/", "-", `"`, "", "\\", "").Replace(name)
}

// Dist is what serving a version's archive needs, small enough to cache.
type Dist struct {
	Version, VersionNormalized string
	// Key is the archive's blob key.
	Key string
	// File is the download's file name.
	File   string
	Shasum string
}

// FindDist looks up the archive of a package's version by normalized
// version and reference, yanked and removed versions included (lock files
// name them); nil when there is none.
func (s *Service) FindDist(ctx context.Context, pkg *ent.ComposerPackage, normalized, reference string) (*Dist, error) {
	v, err := s.client.PackageVersion.Query().
		Where(
			packageversion.PackageID(pkg.ID),
			packageversion.VersionNormalized(normalized),
			packageversion.Reference(reference),
		).
		First(ctx)
	if ent.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("packages: find archive of %s %s: %w", pkg.Name, normalized, err)
	}
	return &Dist{Version: v.Version, VersionNormalized: v.VersionNormalized, Key: v.DistKey, File: distFileName(pkg.Name, v.Version), Shasum: v.DistShasum}, nil
}

// OpenArchive opens an archive FindDist found.
func (s *Service) OpenArchive(ctx context.Context, d *Dist) (blob.Object, error) {
	return s.archives.Open(ctx, d.Key)
}

// nonEmpty is nil for "", else s.
func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
