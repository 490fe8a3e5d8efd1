package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"github.com/cargoman/cargoman/internal/ids"
)

// SkippedRef records a tag or branch that sync did not turn into a version
// (no valid version, invalid composer.json, another package's name), with
// the reason, so users can see why and unchanged refs are not re-read.
type SkippedRef struct{ ent.Schema }

// Mixin of the SkippedRef.
func (SkippedRef) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{Prefix: ids.SkippedRef}, TimeMixin{}, TenantMixin{}}
}

// Fields of the SkippedRef.
func (SkippedRef) Fields() []ent.Field {
	return []ent.Field{
		field.String("package_id").Immutable().Annotations(entgql.Skip(entgql.SkipAll)),
		field.Enum("ref_kind").Values("tag", "branch").Annotations(entgql.Type("RefKind")),
		field.String("ref_name"),
		field.String("reference"),
		field.String("reason"),
	}
}

// Edges of the SkippedRef.
func (SkippedRef) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("package", ComposerPackage.Type).
			Ref("skipped_refs").
			Unique().
			Required().
			Immutable().
			Field("package_id"),
	}
}

// Indexes of the SkippedRef.
func (SkippedRef) Indexes() []ent.Index {
	return []ent.Index{index.Fields("package_id", "ref_kind", "ref_name").Unique()}
}

// Annotations of the SkippedRef: lists of them are Relay connections with
// bounded pages (graph.Limits).
func (SkippedRef) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.RelayConnection()}
}
