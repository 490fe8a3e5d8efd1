package schema

import (
	"regexp"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"github.com/cargoman/cargoman/internal/ids"
)

// DownloadStat counts, for one version of a package, one customer and one
// UTC day, how often Composer reported installing it (notify-batch) and how
// often its dist archive was fetched. The two counters stay apart: one
// `composer install` usually fetches the archive and then notifies, so a
// sum would count it twice, while an install from Composer's cache
// notifies without fetching. Rows are written only by stats.Recorder, in
// batches, as upserts that add to the counters; the statistics API reads
// them with aggregate queries, so the entity is not exposed in GraphQL.
type DownloadStat struct{ ent.Schema }

// Mixin of the DownloadStat.
func (DownloadStat) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{Prefix: ids.DownloadStat}, TenantMixin{}}
}

// dayPattern is a UTC day as stored: a string compares and sorts the same
// on SQLite and PostgreSQL, which a DATE column would not.
var dayPattern = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}$`)

// Fields of the DownloadStat.
func (DownloadStat) Fields() []ent.Field {
	return []ent.Field{
		field.String("package_id").Immutable(),
		field.String("package_name").
			NotEmpty().
			Comment("The package's name when last counted, for display without a join."),
		field.String("version_normalized").
			Immutable().
			NotEmpty().
			Comment("The version's normalized form (1.2.0.0): the counter's key, stable while the version row comes and goes."),
		field.String("version").
			NotEmpty().
			Comment("The version as Composer shows it (1.2.0), for display."),
		field.String("customer_id").
			Immutable().
			NotEmpty().
			Comment("Not an edge: counts outlive a deleted customer, so totals do not shrink."),
		field.String("day").
			Immutable().
			Match(dayPattern).
			Comment("UTC day, YYYY-MM-DD."),
		field.Int64("installs").
			Default(0).
			NonNegative().
			Comment("Entries of Composer's notify-batch."),
		field.Int64("downloads").
			Default(0).
			NonNegative().
			Comment("Fetches of the dist archive."),
	}
}

// Edges of the DownloadStat: deleting a package deletes its counts, as it
// deletes its versions.
func (DownloadStat) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("package", ComposerPackage.Type).
			Field("package_id").
			Unique().
			Required().
			Immutable().
			Annotations(entsql.OnDelete(entsql.Cascade)),
	}
}

// Indexes of the DownloadStat. The unique key is what the recorder's
// upserts conflict on; (tenant_id, day) serves the range queries.
func (DownloadStat) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("tenant_id", "package_id", "version_normalized", "customer_id", "day").
			Unique().
			StorageKey("downloadstat_counter"),
		index.Fields("tenant_id", "day"),
	}
}

// Annotations of the DownloadStat: read through the statistics queries only.
func (DownloadStat) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}
