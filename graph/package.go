package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"

	"github.com/cargoman/cargoman/ent"
	"github.com/cargoman/cargoman/ent/packageversion"
	"github.com/cargoman/cargoman/graph/model"
	"github.com/cargoman/cargoman/internal/packages"
	"github.com/cargoman/cargoman/internal/patch"
	"github.com/cargoman/cargoman/internal/semver"
)

// optional turns a GraphQL omittable input into a partial-update field.
func optional[T any](o graphql.Omittable[*T]) patch.Optional[T] {
	v, set := o.ValueOK()
	return patch.Of(set, v)
}

func optionalSlice[T any](o graphql.Omittable[[]T]) patch.Optional[[]T] {
	v, set := o.ValueOK()
	if !set {
		return patch.Optional[[]T]{}
	}
	if v == nil {
		return patch.Optional[[]T]{Set: true}
	}
	return patch.Optional[[]T]{Set: true, Value: &v}
}

func versionPayload(v *ent.PackageVersion, err error) (*model.VersionPayload, error) {
	if err != nil {
		return nil, err
	}
	return &model.VersionPayload{Version: v}, nil
}

// versionsOf lists a package's versions, newest first.
//
// Composer's order is not SQL's: the ids and normalized versions of all of
// them are sorted here, and only the page is loaded in full.
func (r *Resolver) versionsOf(ctx context.Context, p *ent.ComposerPackage, installable bool, a pageArgs) (*ent.PackageVersionConnection, error) {
	q := p.QueryVersions()
	if installable {
		q.Where(packageversion.YankedAtIsNil(), packageversion.RemovedAtIsNil())
	}
	keys, err := q.Clone().Select(packageversion.FieldID, packageversion.FieldVersionNormalized).All(ctx)
	if err != nil {
		return nil, err
	}
	sortNewestFirst(keys)
	page, info, err := pageOf(keys, func(v *ent.PackageVersion) string { return v.ID }, a)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(page))
	for i, v := range page {
		ids[i] = v.ID
	}
	full, err := r.client.PackageVersion.Query().Where(packageversion.IDIn(ids...)).All(ctx)
	if err != nil {
		return nil, err
	}
	byID := make(map[string]*ent.PackageVersion, len(full))
	for _, v := range full {
		byID[v.ID] = v
	}
	conn := &ent.PackageVersionConnection{PageInfo: info, TotalCount: len(keys), Edges: make([]*ent.PackageVersionEdge, 0, len(ids))}
	for _, id := range ids {
		if v := byID[id]; v != nil {
			conn.Edges = append(conn.Edges, &ent.PackageVersionEdge{Node: v, Cursor: ent.Cursor{ID: id}})
		}
	}
	return conn, nil
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
