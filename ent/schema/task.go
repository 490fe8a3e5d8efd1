package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"github.com/cargoman/cargoman/internal/ids"
)

// Task is a unit of background work (a package sync, a cleanup) kept in the
// same database as the change that caused it, so it is enqueued in the same
// transaction. Workers claim tasks with a lease; a task whose lease ran out
// (its worker died) is claimed again.
type Task struct{ ent.Schema }

// Mixin of the Task.
func (Task) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{Prefix: ids.Task}, TimeMixin{}, TenantMixin{}}
}

// Fields of the Task.
func (Task) Fields() []ent.Field {
	return []ent.Field{
		field.Enum("kind").
			Values("package_sync", "sync_all", "cleanup").
			Immutable().
			Annotations(entgql.Type("TaskKind"), entgql.OrderField("KIND")),
		field.String("key").
			Immutable().
			Comment("What the task is about, e.g. a package id; at most one pending or running task per kind and key."),
		field.JSON("args", map[string]any{}).
			Optional().
			Annotations(entgql.Type("Map"), entgql.Skip(entgql.SkipWhereInput)),
		field.Enum("status").
			Values("pending", "running", "succeeded", "failed").
			Default("pending").
			Annotations(entgql.Type("TaskStatus"), entgql.OrderField("STATUS")),
		field.Int("attempts").Default(0),
		field.Int("max_attempts").Default(5),
		field.Time("run_at").
			Default(now).
			Annotations(entgql.OrderField("RUN_AT")).
			Comment("Not before this time (retries back off)."),
		field.String("lease_owner").Optional().Nillable(),
		field.Time("lease_expires_at").Optional().Nillable(),
		field.Bool("rerun").
			Default(false).
			Comment("Set when the same work was requested while the task ran: it then runs once more, so no change is missed."),
		field.Text("error").Optional().Nillable().Comment("The last attempt's error."),
		field.String("progress").Optional().Nillable(),
		field.Time("started_at").Optional().Nillable(),
		field.Time("finished_at").Optional().Nillable(),
	}
}

// Indexes of the Task.
func (Task) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("tenant_id", "kind", "key").
			Unique().
			Annotations(entsql.IndexWhere("status IN ('pending', 'running')")),
		index.Fields("status", "run_at"),
	}
}

// Annotations of the Task.
func (Task) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.RelayConnection()}
}
