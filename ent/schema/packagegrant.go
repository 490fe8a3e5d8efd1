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

// PackageGrant gives a customer direct access to a package, limited to the
// versions its Composer constraint matches. A customer also reaches the
// packages of the collections it holds (CollectionGrant).
type PackageGrant struct{ ent.Schema }

// Mixin of the PackageGrant.
func (PackageGrant) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{Prefix: ids.PackageGrant}, TimeMixin{}, TenantMixin{}}
}

// Fields of the PackageGrant.
func (PackageGrant) Fields() []ent.Field {
	return []ent.Field{
		field.String("customer_id").Immutable().Annotations(entgql.Skip(entgql.SkipAll)),
		field.String("package_id").Immutable().Annotations(entgql.Skip(entgql.SkipAll)),
		field.String("constraint").
			Default("*").
			Validate(validate.Constraint).
			Comment("Composer version constraint the customer may install, e.g. ^1.0; * for every version."),
		field.Bool("can_publish").
			Default(false).
			Comment("The customer may upload versions of the package (with a developer- or admin-scoped credential); they reach every customer of it."),
	}
}

// Edges of the PackageGrant.
func (PackageGrant) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("customer", Customer.Type).
			Ref("package_grants").
			Field("customer_id").
			Unique().
			Required().
			Immutable(),
		edge.From("package", ComposerPackage.Type).
			Ref("grants").
			Field("package_id").
			Unique().
			Required().
			Immutable(),
	}
}

// Indexes of the PackageGrant: one grant per customer and package, found
// from either side.
func (PackageGrant) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("customer_id", "package_id").Unique(),
		index.Fields("package_id"),
	}
}

// Annotations of the PackageGrant: lists of them are Relay connections with
// bounded pages (graph.Limits).
func (PackageGrant) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.RelayConnection()}
}
