package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"github.com/cargoman/cargoman/internal/ids"
)

// WebhookDelivery records one call of a git provider's webhook: what came,
// whether its signature held, which packages it matched and what was done.
type WebhookDelivery struct{ ent.Schema }

// Mixin of the WebhookDelivery.
func (WebhookDelivery) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{Prefix: ids.Delivery}, TimeMixin{}, TenantMixin{}}
}

// Fields of the WebhookDelivery.
func (WebhookDelivery) Fields() []ent.Field {
	return []ent.Field{
		field.Enum("provider").
			Values("github", "gitlab", "bitbucket").
			Immutable().
			Annotations(entgql.Type("WebhookProvider")),
		field.String("event").Immutable(),
		field.String("delivery_id").Immutable(),
		field.Enum("outcome").
			Values("queued", "ignored", "rejected", "duplicate").
			Annotations(entgql.Type("WebhookOutcome")).
			Comment("queued: syncs enqueued; ignored: nothing to do; rejected: bad signature or payload; duplicate: a replay."),
		field.String("repository_url").Optional().Nillable(),
		field.String("error").Optional().Nillable(),
	}
}

// Edges of the WebhookDelivery.
func (WebhookDelivery) Edges() []ent.Edge {
	return []ent.Edge{edge.To("packages", ComposerPackage.Type).Annotations(entgql.RelayConnection())}
}

// Indexes of the WebhookDelivery. A delivery id is processed once per
// package (internal/hooks checks it under a lock), not once per tenant: a
// tenant-wide unique id would let whoever sends an id first (a customer's
// webhook token, an unsigned caller) claim it for every package. The
// created_at index serves the retention purge and the per-hour cap of
// rejected deliveries.
func (WebhookDelivery) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("tenant_id", "provider", "delivery_id"),
		index.Fields("tenant_id", "outcome", "created_at"),
		index.Fields("created_at"),
	}
}

// Annotations of the WebhookDelivery.
func (WebhookDelivery) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.RelayConnection()}
}
