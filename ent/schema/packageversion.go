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

// PackageVersion is one installable version of a package: a tag, a branch
// (dev-...) or an uploaded artifact, with its dist archive. Yanked and
// removed versions leave Composer metadata but keep their archives, so
// existing lock files still install.
type PackageVersion struct{ ent.Schema }

// Mixin of the PackageVersion.
func (PackageVersion) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{Prefix: ids.Version}, TimeMixin{}, TenantMixin{}}
}

// Fields of the PackageVersion.
func (PackageVersion) Fields() []ent.Field {
	return []ent.Field{
		field.String("package_id").Immutable().Annotations(entgql.Skip(entgql.SkipAll)),
		field.String("version").
			Immutable().
			Annotations(entgql.OrderField("VERSION")).
			Comment("As Composer shows it: 1.2.0, 2.0.0-beta1, dev-main, 1.x-dev."),
		field.String("version_normalized").
			Immutable().
			Comment("Composer's normalized form, e.g. 1.2.0.0."),
		field.Enum("source").
			Values("tag", "branch", "upload").
			Immutable().
			Annotations(entgql.Type("VersionSource")),
		field.String("ref_name").
			Optional().
			Nillable().
			Comment("The git tag or branch the version comes from."),
		field.String("reference").
			Comment("Commit SHA, or the SHA-1 of an uploaded archive."),
		field.Enum("stability").
			Values("stable", "RC", "beta", "alpha", "dev").
			Annotations(entgql.Type("Stability")),
		field.Text("composer_json").
			Annotations(entgql.Skip(entgql.SkipWhereInput)).
			Comment("The version's composer.json as read."),
		field.String("dist_key").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.String("dist_shasum").Comment("SHA-1 of the dist zip."),
		field.Int64("dist_size"),
		field.Time("released_at").Optional().Nillable(),
		field.Bool("default_branch").Default(false),
		field.Time("yanked_at").
			Optional().
			Nillable().
			Comment("Set while the version is yanked: out of metadata, archive kept."),
		field.Time("removed_at").
			Optional().
			Nillable().
			Comment("Set when its tag or branch disappeared upstream: out of metadata, archive kept."),
		field.Bool("deprecated").Default(false),
		field.String("deprecation_message").Optional().Nillable(),
		field.String("uploaded_by").
			Optional().
			Nillable().
			Immutable().
			Annotations(entgql.Skip(entgql.SkipWhereInput)).
			Comment("Who uploaded the version: a customer token id, a customer JWT (jwt:<jti>), an API token id, or root; null for synced versions."),
	}
}

// Edges of the PackageVersion.
func (PackageVersion) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("package", ComposerPackage.Type).
			Ref("versions").
			Unique().
			Required().
			Immutable().
			Field("package_id"),
	}
}

// Indexes of the PackageVersion.
func (PackageVersion) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("package_id", "version").Unique(),
		// internal/archives looks up whether any version still uses a file.
		index.Fields("dist_key"),
	}
}

// Annotations of the PackageVersion.
func (PackageVersion) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.RelayConnection()}
}
