package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"github.com/cargoman/cargoman/internal/ids"
	"github.com/cargoman/cargoman/internal/validate"
)

// CollectionGrant gives a customer every package of a collection, limited
// to the versions its constraint matches.
type CollectionGrant struct{ ent.Schema }

// Mixin of the CollectionGrant.
func (CollectionGrant) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{Prefix: ids.CollectionGrant}, TimeMixin{}, TenantMixin{}}
}

// Fields of the CollectionGrant.
func (CollectionGrant) Fields() []ent.Field {
	return []ent.Field{
		field.String("customer_id").Immutable().Annotations(entgql.Skip(entgql.SkipAll)),
		field.String("collection_id").Immutable().Annotations(entgql.Skip(entgql.SkipAll)),
		field.String("constraint").
			Default("*").
			Validate(validate.Constraint).
			Comment("Composer version constraint applied to every package of the collection; * for every version."),
	}
}

// Edges of the CollectionGrant.
func (CollectionGrant) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("customer", Customer.Type).
			Ref("collection_grants").
			Field("customer_id").
			Unique().
			Required().
			Immutable(),
		edge.From("collection", Collection.Type).
			Ref("grants").
			Field("collection_id").
			Unique().
			Required().
			Immutable(),
	}
}

// Indexes of the CollectionGrant.
func (CollectionGrant) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("customer_id", "collection_id").Unique(),
		index.Fields("collection_id"),
	}
}

// Annotations of the CollectionGrant: lists of them are Relay connections with
// bounded pages (graph.Limits).
func (CollectionGrant) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.RelayConnection()}
}
