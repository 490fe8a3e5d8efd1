package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
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
