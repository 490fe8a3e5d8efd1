package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"

	"github.com/cargoman/cargoman/internal/ids"
)

// CacheStamp counts the changes of one tenant that invalidate what the
// Composer endpoints cache (grants, collections, freezes, customer states,
// tokens, package metadata). The counter is bumped in the transaction of
// the change, so every instance polling it drops its caches only after
// the change is visible, and several instances stay consistent without
// talking to each other. Tenant "" collects changes made outside any
// tenant's context and counts for every tenant.
type CacheStamp struct{ ent.Schema }

// Mixin of the CacheStamp.
func (CacheStamp) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{Prefix: ids.CacheStamp}}
}

// Fields of the CacheStamp. It is not tenant-scoped by the TenantMixin:
// the change hook and the poller read and write it for every tenant.
func (CacheStamp) Fields() []ent.Field {
	return []ent.Field{
		field.String("tenant_id").Unique().Immutable(),
		field.Int64("value").Default(0),
		// access_changed_at is when the tenant's access rules last changed;
		// Composer documents are never older than it (Last-Modified).
		field.Time("access_changed_at"),
	}
}

// Annotations of the CacheStamp: internal only, never in the API.
func (CacheStamp) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}
