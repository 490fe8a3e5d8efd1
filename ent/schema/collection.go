package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"github.com/cargoman/cargoman/internal/ids"
	"github.com/cargoman/cargoman/internal/validate"
)

// Collection groups packages so they are granted together: a customer
// holding a collection (CollectionGrant) reaches every package in it,
// including packages added later.
type Collection struct{ ent.Schema }

// Mixin of the Collection.
func (Collection) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{Prefix: ids.Collection}, TimeMixin{}, TenantMixin{}}
}

// Fields of the Collection.
func (Collection) Fields() []ent.Field {
	return []ent.Field{
		field.String("slug").
			Immutable().
			Validate(validate.CollectionSlug).
			Annotations(entgql.OrderField("SLUG")).
			Comment("Names the collection in URLs, e.g. enterprise; unique within the tenant."),
		field.String("name").
			Validate(validate.Text(validate.MaxNameLen)).
			Annotations(entgql.OrderField("NAME")),
	}
}

// Edges of the Collection.
func (Collection) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("packages", ComposerPackage.Type).
			Annotations(entgql.RelayConnection()),
		edge.To("grants", CollectionGrant.Type).
			Annotations(entsql.OnDelete(entsql.Cascade), entgql.RelayConnection()),
	}
}

// Indexes of the Collection.
func (Collection) Indexes() []ent.Index {
	return []ent.Index{index.Fields("tenant_id", "slug").Unique()}
}

// Annotations of the Collection.
func (Collection) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.RelayConnection()}
}
