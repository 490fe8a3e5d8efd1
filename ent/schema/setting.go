package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"

	"github.com/cargoman/cargoman/internal/ids"
)

// Setting is server-wide state that every instance must share, such as the
// hash of a generated root token; keeping it in the database rather than in
// one process lets several instances behave as one service.
type Setting struct{ ent.Schema }

// Mixin of the Setting.
func (Setting) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{Prefix: ids.Setting}, TimeMixin{}}
}

// Fields of the Setting.
func (Setting) Fields() []ent.Field {
	return []ent.Field{
		field.String("key").Unique().Immutable().NotEmpty(),
		field.Text("value").Sensitive(),
	}
}

// Annotations of the Setting: internal only, never in the API.
func (Setting) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}
