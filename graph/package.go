package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"

	"github.com/cargoman/cargoman/ent"
	"github.com/cargoman/cargoman/ent/packageversion"
	"github.com/cargoman/cargoman/graph/model"
	"github.com/cargoman/cargoman/internal/packages"
	"github.com/cargoman/cargoman/internal/semver"
)

// optional turns a GraphQL omittable input into a partial-update field.
func optional[T any](o graphql.Omittable[*T]) packages.Optional[T] {
	v, set := o.ValueOK()
	return packages.Optional[T]{Set: set, Value: v}
}

func optionalSlice[T any](o graphql.Omittable[[]T]) packages.Optional[[]T] {
	v, set := o.ValueOK()
	if !set {
		return packages.Optional[[]T]{}
	}
	if v == nil {
		return packages.Optional[[]T]{Set: true}
	}
	return packages.Optional[[]T]{Set: true, Value: &v}
}

func versionPayload(v *ent.PackageVersion, err error) (*model.VersionPayload, error) {
	if err != nil {
		return nil, err
	}
	return &model.VersionPayload{Version: v}, nil
}

// versionsOf lists a package's versions, newest first.
func (r *Resolver) versionsOf(ctx context.Context, p *ent.ComposerPackage, installable bool) ([]*ent.PackageVersion, error) {
	q := p.QueryVersions()
	if installable {
		q.Where(packageversion.YankedAtIsNil(), packageversion.RemovedAtIsNil())
	}
	vs, err := q.All(ctx)
	if err != nil {
		return nil, err
	}
	sortNewestFirst(vs)
	return vs, nil
}

// sortNewestFirst orders versions as Composer does: tagged versions from
// the highest down, then branches.
func sortNewestFirst(vs []*ent.PackageVersion) {
	norms := make([]string, len(vs))
	byNorm := make(map[string][]*ent.PackageVersion, len(vs))
	for i, v := range vs {
		norms[i] = v.VersionNormalized
		byNorm[v.VersionNormalized] = append(byNorm[v.VersionNormalized], v)
	}
	semver.RSortVersions(norms)
	out := vs[:0:0]
	seen := map[string]bool{}
	for _, n := range norms {
		if !seen[n] {
			seen[n] = true
			out = append(out, byNorm[n]...)
		}
	}
	copy(vs, out)
}

func validationPayload(p *ent.ComposerPackage, reports []packages.VersionReport) *model.ValidatePackagePayload {
	out := &model.ValidatePackagePayload{Package: p, Valid: true, Versions: []*model.VersionValidation{}}
	for _, rep := range reports {
		vv := &model.VersionValidation{Version: rep.Version, Valid: len(rep.Errors) == 0,
			Errors: []*model.ValidationIssue{}, Warnings: []*model.ValidationIssue{}}
		for _, e := range rep.Errors {
			vv.Errors = append(vv.Errors, &model.ValidationIssue{Field: e.Field, Message: e.Message})
		}
		for _, w := range rep.Warnings {
			vv.Warnings = append(vv.Warnings, &model.ValidationIssue{Field: w.Field, Message: w.Message})
		}
		out.Valid = out.Valid && vv.Valid
		out.Versions = append(out.Versions, vv)
	}
	return out
}
