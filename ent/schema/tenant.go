package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"

	"github.com/cargoman/cargoman/internal/ids"
	"github.com/cargoman/cargoman/internal/validate"
)

// Tenant owns every other row. Single-tenant installations have exactly one,
// the default tenant, made at first start.
type Tenant struct{ ent.Schema }

// Mixin of the Tenant.
func (Tenant) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{Prefix: ids.Tenant}, TimeMixin{}}
}

// Fields of the Tenant.
func (Tenant) Fields() []ent.Field {
	return []ent.Field{
		field.String("slug").
			Unique().
			Immutable().
			Validate(validate.Text(64)),
		field.String("name").
			Validate(validate.Text(validate.MaxNameLen)),
	}
}

// Annotations of the Tenant.
func (Tenant) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipWhereInput)}
}
