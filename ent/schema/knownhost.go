package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"github.com/cargoman/cargoman/internal/ids"
)

// KnownHost is an ssh host key a tenant trusts for a repository server:
// pinned on first use, taken from the provider's documentation
// (github.com, gitlab.com, bitbucket.org), or accepted by an admin after
// the server changed its key. A server offering another key than the one
// pinned fails the sync until an admin accepts the offered key, which is
// kept in the pending fields meanwhile.
type KnownHost struct{ ent.Schema }

// Mixin of the KnownHost.
func (KnownHost) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{Prefix: ids.KnownHost}, TimeMixin{}, TenantMixin{}}
}

// Fields of the KnownHost.
func (KnownHost) Fields() []ent.Field {
	return []ent.Field{
		field.String("host").
			Immutable().
			NotEmpty().
			MaxLen(300).
			Comment(`The server as known_hosts names it: "host" on port 22, "[host]:port" elsewhere.`),
		field.String("key_type").
			NotEmpty().
			Comment(`The key's type, e.g. "ssh-ed25519".`),
		field.Text("key").
			NotEmpty().
			Comment("The public key, base64 as in known_hosts."),
		field.String("fingerprint").
			NotEmpty().
			Comment(`SHA256 fingerprint as OpenSSH prints it ("SHA256:...").`),
		field.Enum("source").
			Values("published", "first_use", "accepted").
			Annotations(entgql.Type("KnownHostSource")).
			Comment("How the key came to be trusted."),
		field.Time("first_seen_at").
			Immutable().
			Comment("When this host was first seen (or its published key first used)."),
		field.Time("accepted_at").
			Comment("When the current key was pinned or accepted."),
		field.String("pending_key_type").Optional().Nillable().
			Comment("The type of the key the server offers instead, when it changed."),
		field.Text("pending_key").Optional().Nillable().
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.String("pending_fingerprint").Optional().Nillable().
			Comment("The SHA256 fingerprint of the key the server offers instead; an admin accepts it with acceptHostKey."),
		field.Time("pending_seen_at").Optional().Nillable().
			Comment("When the server last offered the pending key."),
	}
}

// Indexes of the KnownHost.
func (KnownHost) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("tenant_id", "host", "key_type").Unique(),
	}
}

// Annotations of the KnownHost.
func (KnownHost) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.RelayConnection()}
}
