package schema

import (
	"context"
	"fmt"
	"time"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/dialect/sql"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
	"entgo.io/ent/schema/mixin"

	"github.com/cargoman/cargoman/ent/intercept"
	"github.com/cargoman/cargoman/internal/ids"
	"github.com/cargoman/cargoman/internal/tenancy"
)

// IDMixin gives an entity an opaque string id with a type prefix.
type IDMixin struct {
	mixin.Schema
	Prefix string
}

// Fields of the IDMixin.
func (m IDMixin) Fields() []ent.Field {
	return []ent.Field{
		field.String("id").
			Immutable().
			NotEmpty().
			DefaultFunc(ids.Generator(m.Prefix)),
	}
}

// TimeMixin records when a row was created and last changed.
type TimeMixin struct{ mixin.Schema }

// Fields of the TimeMixin.
func (TimeMixin) Fields() []ent.Field {
	return []ent.Field{
		field.Time("created_at").
			Immutable().
			Default(now).
			Annotations(entgql.OrderField("CREATED_AT")),
		field.Time("updated_at").
			Default(now).
			UpdateDefault(now).
			Annotations(entgql.OrderField("UPDATED_AT")),
	}
}

// now is UTC with microsecond precision, the finest both SQLite and
// PostgreSQL keep, so a value reads back exactly as it was written.
func now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// TenantMixin makes an entity tenant-owned: every row carries its tenant,
// every query is filtered by the tenant of the context and every create is
// stamped with it. Scoping lives here, once, instead of in each resolver.
type TenantMixin struct{ mixin.Schema }

// Fields of the TenantMixin.
func (TenantMixin) Fields() []ent.Field {
	return []ent.Field{
		field.String("tenant_id").
			Immutable().
			NotEmpty().
			Annotations(entgql.Skip(entgql.SkipAll)),
	}
}

// Edges of the TenantMixin.
func (TenantMixin) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("tenant", Tenant.Type).
			Field("tenant_id").
			Unique().
			Required().
			Immutable().
			Annotations(
				entgql.Skip(entgql.SkipAll),
				entsql.OnDelete(entsql.Cascade),
			),
	}
}

// Indexes of the TenantMixin.
func (TenantMixin) Indexes() []ent.Index {
	return []ent.Index{index.Fields("tenant_id")}
}

// wherePredicater is implemented by every generated mutation.
type wherePredicater interface {
	WhereP(...func(*sql.Selector))
}

// Interceptors of the TenantMixin filter reads by tenant.
func (TenantMixin) Interceptors() []ent.Interceptor {
	return []ent.Interceptor{
		intercept.TraverseFunc(func(ctx context.Context, q intercept.Query) error {
			if tenancy.IsSystem(ctx) {
				return nil
			}
			tid, ok := tenancy.FromContext(ctx)
			if !ok {
				return tenancy.ErrNoTenant
			}
			q.WhereP(sql.FieldEQ("tenant_id", tid))
			return nil
		}),
	}
}

// Hooks of the TenantMixin stamp creates and scope updates and deletes.
func (TenantMixin) Hooks() []ent.Hook {
	return []ent.Hook{
		func(next ent.Mutator) ent.Mutator {
			return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
				tid, hasTenant := tenancy.FromContext(ctx)
				if m.Op().Is(ent.OpCreate) {
					if v, set := m.Field("tenant_id"); set {
						if tenancy.IsSystem(ctx) || (hasTenant && v == tid) {
							return next.Mutate(ctx, m)
						}
						return nil, fmt.Errorf("tenancy: %s for another tenant", m.Type())
					}
					if !hasTenant {
						return nil, tenancy.ErrNoTenant
					}
					if err := m.SetField("tenant_id", tid); err != nil {
						return nil, fmt.Errorf("tenancy: stamp %s: %w", m.Type(), err)
					}
					return next.Mutate(ctx, m)
				}
				if tenancy.IsSystem(ctx) {
					return next.Mutate(ctx, m)
				}
				if !hasTenant {
					return nil, tenancy.ErrNoTenant
				}
				w, ok := m.(wherePredicater)
				if !ok {
					return nil, fmt.Errorf("tenancy: mutation %T cannot be filtered", m)
				}
				w.WhereP(sql.FieldEQ("tenant_id", tid))
				return next.Mutate(ctx, m)
			})
		},
	}
}
