package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"

	"github.com/cargoman/cargoman/internal/ids"
	"github.com/cargoman/cargoman/internal/validate"
)

// Credential lets sync read a private repository: an HTTPS token or an SSH
// key. The secret is encrypted at rest and never returned by any API.
type Credential struct{ ent.Schema }

// Mixin of the Credential.
func (Credential) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{Prefix: ids.Credential}, TimeMixin{}, TenantMixin{}}
}

// Fields of the Credential.
func (Credential) Fields() []ent.Field {
	return []ent.Field{
		field.String("name").Validate(validate.Text(validate.MaxNameLen)),
		field.Enum("kind").
			Values("https_token", "ssh_key").
			Immutable().
			Annotations(entgql.Type("CredentialKind")),
		field.String("username").
			Optional().
			Nillable().
			Comment("User name for HTTPS tokens (default x-access-token)."),
		field.Bytes("secret").
			Sensitive().
			Annotations(entgql.Skip(entgql.SkipAll)).
			Comment("The encrypted token or private key."),
	}
}

// Edges of the Credential.
func (Credential) Edges() []ent.Edge {
	return []ent.Edge{edge.To("packages", ComposerPackage.Type).Annotations(entgql.RelayConnection())}
}

// Annotations of the Credential.
func (Credential) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.RelayConnection()}
}
