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

// Customer is someone the vendor grants package access to. Suspended
// customers lose access; frozen ones keep it, capped at fixed versions.
type Customer struct{ ent.Schema }

// Mixin of the Customer.
func (Customer) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{Prefix: ids.Customer}, TimeMixin{}, TenantMixin{}}
}

// Fields of the Customer.
func (Customer) Fields() []ent.Field {
	return []ent.Field{
		field.String("name").
			Validate(validate.Text(validate.MaxNameLen)).
			Annotations(entgql.OrderField("NAME")),
		field.String("email").
			Optional().
			Nillable().
			Validate(validate.Email).
			Annotations(entgql.OrderField("EMAIL")),
		field.String("external_id").
			Optional().
			Nillable().
			Validate(validate.ExternalID).
			Comment("The customer's id in the vendor's own systems, e.g. a Stripe customer id."),
		field.Enum("status").
			Values("active", "suspended", "frozen").
			Default("active").
			Annotations(entgql.Type("CustomerStatus"), entgql.OrderField("STATUS")),
		field.String("suspension_reason").
			Optional().
			Nillable().
			Validate(validate.Text(validate.MaxReasonLen)),
	}
}

// Edges of the Customer: what it owns goes with it.
func (Customer) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("tokens", CustomerToken.Type).
			Annotations(entsql.OnDelete(entsql.Cascade), entgql.Skip(entgql.SkipType)).
			Comment("Tokens, including revoked ones, oldest first."),
		edge.To("package_grants", PackageGrant.Type).
			Annotations(entsql.OnDelete(entsql.Cascade), entgql.RelayConnection()).
			Comment("Direct package grants (see packageAccess for everything the customer reaches)."),
		edge.To("collection_grants", CollectionGrant.Type).
			Annotations(entsql.OnDelete(entsql.Cascade), entgql.Skip(entgql.SkipType)).
			Comment("Collections the customer holds."),
		edge.To("freezes", CustomerFreeze.Type).
			Annotations(entsql.OnDelete(entsql.Cascade), entgql.Skip(entgql.SkipType)).
			Comment("While frozen: the version each listed package is capped at, by package name."),
	}
}

// Indexes of the Customer.
func (Customer) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("tenant_id", "external_id").Unique(),
		index.Fields("tenant_id", "status"),
	}
}

// Annotations of the Customer.
func (Customer) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.RelayConnection()}
}
