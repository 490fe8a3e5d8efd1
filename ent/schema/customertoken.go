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

// CustomerToken is a credential of a customer: Composer sends it as the
// password of HTTP Basic user "token". Its scope says what it may do and
// its package scopes (globs) narrow which of the customer's packages it
// reaches. Only the SHA-256 of the secret is stored; the secret_hash index
// finds a presented token in one lookup. A customer has at most one legacy
// token: the single token of the original /token endpoints.
type CustomerToken struct{ ent.Schema }

// Mixin of the CustomerToken.
func (CustomerToken) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{Prefix: ids.CustomerToken}, TimeMixin{}, TenantMixin{}}
}

// Fields of the CustomerToken.
func (CustomerToken) Fields() []ent.Field {
	return []ent.Field{
		field.String("customer_id").
			Immutable().
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.String("name").
			Validate(validate.Text(validate.MaxNameLen)).
			Annotations(entgql.OrderField("NAME")),
		field.Enum("scope").
			Values("admin", "developer", "download", "webhook").
			Default("admin").
			Annotations(entgql.Type("CustomerTokenScope")).
			Comment("admin: everything; developer: download and upload; download: Composer downloads only; webhook: webhooks only."),
		field.Strings("package_scopes").
			Default([]string{}).
			Validate(validate.PackageScopes).
			Annotations(entgql.Skip(entgql.SkipWhereInput)).
			Comment("Globs (vendor/*, vendor/package) narrowing the packages the token reaches; empty: all the customer's packages."),
		field.String("secret_hash").
			Unique().
			Sensitive().
			Annotations(entgql.Skip(entgql.SkipAll)).
			Comment("SHA-256 of the secret; replaced when the token is rotated."),
		field.String("prefix").
			Comment("The first characters of the secret, to recognise it in listings."),
		field.Time("expires_at").Optional().Nillable(),
		field.Time("last_used_at").Optional().Nillable(),
		field.Time("revoked_at").Optional().Nillable(),
		field.Bool("legacy").
			Default(false).
			Immutable().
			Comment("The customer's single token of the legacy /token endpoints."),
		field.String("minted_by").
			Optional().
			Nillable().
			Immutable().
			Annotations(entgql.Skip(entgql.SkipWhereInput)).
			Comment("The customer token whose credential created this one; null when an API token did. Revoking it revokes this one."),
	}
}

// Edges of the CustomerToken.
func (CustomerToken) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("customer", Customer.Type).
			Ref("tokens").
			Field("customer_id").
			Unique().
			Required().
			Immutable(),
	}
}

// Indexes of the CustomerToken.
func (CustomerToken) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("customer_id"),
		index.Fields("minted_by"),
		index.Fields("customer_id").
			Unique().
			StorageKey("customertoken_one_legacy_per_customer").
			Annotations(entsql.IndexWhere("legacy")),
	}
}

// Annotations of the CustomerToken: lists of them are Relay connections with
// bounded pages (graph.Limits).
func (CustomerToken) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.RelayConnection()}
}
