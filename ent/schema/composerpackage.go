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

// ComposerPackage is a Composer package (GraphQL type Package; ent cannot
// name a type after the Go keyword) the vendor hosts: synced from a git
// repository, or fed with uploaded zip artifacts. A monorepo package has
// child packages, one per composer.json matching its paths.
type ComposerPackage struct{ ent.Schema }

// Mixin of the ComposerPackage.
func (ComposerPackage) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{Prefix: ids.Package}, TimeMixin{}, TenantMixin{}}
}

// Fields of the ComposerPackage.
func (ComposerPackage) Fields() []ent.Field {
	return []ent.Field{
		field.String("name").
			Immutable().
			Validate(validate.PackageName).
			Annotations(entgql.OrderField("NAME")),
		field.Enum("type").
			Values("github", "gitlab", "bitbucket", "git", "artifact").
			Immutable().
			Annotations(entgql.Type("PackageType")),
		field.String("repository_url").
			Optional().
			Nillable().
			Comment("Where the git repository is; null for artifact packages."),
		field.String("repository_key").
			Optional().
			Annotations(entgql.Skip(entgql.SkipAll)).
			Comment("The normalised repository URL that webhooks are matched by."),
		field.String("description").Optional().Nillable(),
		field.Bool("abandoned").Default(false),
		field.String("abandoned_replacement").
			Optional().
			Nillable().
			Validate(validate.PackageName).
			Comment("The package users should move to, when abandoned."),
		field.String("default_branch").Optional().Nillable(),
		field.Text("readme").
			Optional().
			Nillable().
			Annotations(entgql.Skip(entgql.SkipWhereInput)).
			Comment("README of the default branch, as markdown."),
		field.Text("readme_html").
			Optional().
			Nillable().
			Annotations(entgql.Skip(entgql.SkipWhereInput)).
			Comment("README of the default branch, as sanitized HTML."),
		field.JSON("monorepo_paths", []string{}).
			Optional().
			Comment("Globs of directories holding child packages, e.g. packages/*."),
		field.JSON("monorepo_excludes", []string{}).
			Optional().
			Comment("Globs of directories to leave out of monorepo_paths."),
		field.String("monorepo_path").
			Optional().
			Nillable().
			Immutable().
			Comment("For a monorepo child: its directory in the parent's repository."),
		field.Bytes("webhook_secret").
			Optional().
			Sensitive().
			Annotations(entgql.Skip(entgql.SkipAll)).
			Comment("Encrypted per-package webhook secret."),
		field.Time("synced_at").
			Optional().
			Nillable().
			Comment("When the last successful sync finished; a failed attempt leaves it alone."),
		field.Time("last_attempt_at").
			Optional().
			Nillable().
			Comment("When the last sync attempt finished, successful or not (its error is sync_error)."),
		field.String("sync_error").Optional().Nillable(),
		field.String("metadata_digest").
			Optional().
			Annotations(entgql.Skip(entgql.SkipAll)).
			Comment("sha256 of the package's rendered Composer documents: metadata_updated_at moves only when they change."),
		field.Time("metadata_updated_at").
			Optional().
			Nillable().
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.String("credential_id").
			Optional().
			Nillable().
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.String("parent_id").
			Optional().
			Nillable().
			Immutable().
			Annotations(entgql.Skip(entgql.SkipAll)),
	}
}

// Edges of the ComposerPackage.
func (ComposerPackage) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("versions", PackageVersion.Type).
			Annotations(entsql.OnDelete(entsql.Cascade), entgql.RelayConnection()),
		edge.To("skipped_refs", SkippedRef.Type).
			Annotations(entsql.OnDelete(entsql.Cascade), entgql.RelayConnection()),
		edge.To("children", ComposerPackage.Type).
			Annotations(entsql.OnDelete(entsql.Cascade), entgql.RelayConnection()).
			From("parent").
			Unique().
			Field("parent_id").
			Immutable(),
		edge.From("credential", Credential.Type).
			Ref("packages").
			Unique().
			Field("credential_id"),
		edge.From("webhook_deliveries", WebhookDelivery.Type).
			Ref("packages").
			Annotations(entgql.RelayConnection()),
		edge.To("grants", PackageGrant.Type).
			Annotations(entsql.OnDelete(entsql.Cascade), entgql.Skip(entgql.SkipAll)),
		edge.To("freezes", CustomerFreeze.Type).
			Annotations(entsql.OnDelete(entsql.Cascade), entgql.Skip(entgql.SkipAll)),
		edge.From("collections", Collection.Type).
			Ref("packages").
			Annotations(entgql.RelayConnection()).
			Comment("Collections the package is in."),
	}
}

// Indexes of the ComposerPackage.
func (ComposerPackage) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("tenant_id", "name").Unique(),
		index.Fields("tenant_id", "repository_key"),
	}
}

// Annotations of the ComposerPackage.
func (ComposerPackage) Annotations() []schema.Annotation {
	return []schema.Annotation{
		entgql.Type("Package"),
		entgql.RelayConnection(),
		entsql.Annotation{Table: "packages"},
	}
}
