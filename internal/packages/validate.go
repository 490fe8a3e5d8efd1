package packages

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/cargoman/cargoman/ent"
	"github.com/cargoman/cargoman/ent/packageversion"
	"github.com/cargoman/cargoman/internal/composerjson"
	"github.com/cargoman/cargoman/internal/semver"
)

// VersionReport is what validation found in one version.
type VersionReport struct {
	Version  string
	Errors   []composerjson.Issue
	Warnings []composerjson.Issue
}

// Validate checks the composer.json of every installable version as
// composer validate does, with autoload paths checked against the
// version's dist archive.
func (s *Service) Validate(ctx context.Context, name string) (*ent.ComposerPackage, []VersionReport, error) {
	pkg, err := s.Get(ctx, name)
	if err != nil {
		return nil, nil, err
	}
	versions, err := pkg.QueryVersions().
		Where(packageversion.YankedAtIsNil(), packageversion.RemovedAtIsNil()).
		All(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("packages: load versions of %s: %w", name, err)
	}
	reports := make([]VersionReport, 0, len(versions))
	for _, v := range versions {
		rep := VersionReport{Version: v.Version}
		m, err := composerjson.Parse([]byte(v.ComposerJSON))
		if err != nil {
			rep.Errors = append(rep.Errors, composerjson.Issue{Field: "composer.json", Message: err.Error()})
			reports = append(reports, rep)
			continue
		}
		files, err := s.archiveFiles(ctx, v)
		if err != nil {
			return nil, nil, err
		}
		r := composerjson.Validate(m, composerjson.ValidateOptions{
			CheckConstraint: func(c string) error { _, err := semver.ParseConstraint(c); return err },
			CheckVersion:    func(v string) error { _, err := semver.Normalize(v); return err },
			PathExists: func(p string) bool {
				p = strings.TrimSuffix(path.Clean(strings.TrimPrefix(p, "./")), "/")
				return files[p]
			},
		})
		rep.Errors, rep.Warnings = r.Errors, r.Warnings
		reports = append(reports, rep)
	}
	return pkg, reports, nil
}

// archiveFiles lists the files and directories of a version's dist
// archive, relative to its top folder.
func (s *Service) archiveFiles(ctx context.Context, v *ent.PackageVersion) (map[string]bool, error) {
	obj, err := s.archives.Open(ctx, v.DistKey)
	if err != nil {
		return nil, fmt.Errorf("packages: open archive of %s: %w", v.Version, err)
	}
	defer obj.Close()
	ra, ok := obj.(io.ReaderAt)
	if !ok {
		data, err := io.ReadAll(obj)
		if err != nil {
			return nil, fmt.Errorf("packages: read archive of %s: %w", v.Version, err)
		}
		ra = bytes.NewReader(data)
	}
	zr, err := zip.NewReader(ra, obj.Info().Size)
	if err != nil {
		return nil, fmt.Errorf("packages: read archive of %s: %w", v.Version, err)
	}
	files := map[string]bool{".": true}
	for _, f := range zr.File {
		_, rel, ok := strings.Cut(f.Name, "/")
		if !ok || rel == "" {
			continue
		}
		rel = strings.TrimSuffix(rel, "/")
		for p := rel; p != "." && p != ""; p = path.Dir(p) {
			files[p] = true
		}
	}
	return files, nil
}
