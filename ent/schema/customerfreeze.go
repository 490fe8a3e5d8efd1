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

// CustomerFreeze caps what a frozen customer may install of one package at
// a version: nothing newer than it (only it, for a dev branch). The freeze
// list of a customer is replaced as a whole by freezeCustomer and removed
// by reactivateCustomer.
type CustomerFreeze struct{ ent.Schema }

// Mixin of the CustomerFreeze.
func (CustomerFreeze) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{Prefix: ids.CustomerFreeze}, TimeMixin{}, TenantMixin{}}
}

// Fields of the CustomerFreeze.
func (CustomerFreeze) Fields() []ent.Field {
	return []ent.Field{
		field.String("customer_id").Immutable().Annotations(entgql.Skip(entgql.SkipAll)),
		field.String("package_id").Immutable().Annotations(entgql.Skip(entgql.SkipAll)),
		field.String("package_name").
			Immutable().
			Annotations(entgql.OrderField("PACKAGE_NAME")).
			Validate(validate.PackageName).
			Comment("The package's name (package names never change), so freeze lists read without a join."),
		field.String("version").
			Immutable().
			Comment("The version as given, e.g. 2.0.0."),
		field.String("version_normalized").
			Immutable().
			Comment("Composer's normalized form, e.g. 2.0.0.0."),
	}
}

// Edges of the CustomerFreeze.
func (CustomerFreeze) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("customer", Customer.Type).
			Ref("freezes").
			Field("customer_id").
			Unique().
			Required().
			Immutable(),
		edge.From("package", ComposerPackage.Type).
			Ref("freezes").
			Field("package_id").
			Unique().
			Required().
			Immutable(),
	}
}

// Indexes of the CustomerFreeze.
func (CustomerFreeze) Indexes() []ent.Index {
	return []ent.Index{index.Fields("customer_id", "package_id").Unique()}
}

// Annotations of the CustomerFreeze: lists of them are Relay connections with
// bounded pages (graph.Limits).
func (CustomerFreeze) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.RelayConnection()}
}
