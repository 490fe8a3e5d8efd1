package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"

	"github.com/cargoman/cargoman/internal/ids"
	"github.com/cargoman/cargoman/internal/validate"
)

// AdminToken is a CMA token: an API credential of the vendor's staff. Its
// level decides what it may do: viewers read, admins write, owners also
// manage CMA tokens.
type AdminToken struct{ ent.Schema }

// Mixin of the AdminToken.
func (AdminToken) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{Prefix: ids.AdminToken}, TimeMixin{}, TenantMixin{}}
}

// Fields of the AdminToken.
func (AdminToken) Fields() []ent.Field {
	return []ent.Field{
		field.String("name").
			Validate(validate.Text(validate.MaxNameLen)).
			Annotations(entgql.OrderField("NAME")),
		field.Enum("level").
			Values("owner", "admin", "viewer").
			Annotations(entgql.Type("AdminTokenLevel")),
		field.String("secret_hash").
			Unique().
			Immutable().
			Sensitive().
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.String("prefix").
			Immutable().
			Comment("The first characters of the secret, to recognise it in listings."),
		field.Time("expires_at").Optional().Nillable(),
		field.Time("last_used_at").Optional().Nillable(),
		field.Time("revoked_at").Optional().Nillable(),
	}
}

// Annotations of the AdminToken.
func (AdminToken) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.RelayConnection()}
}
