package database

import (
	"context"
	"fmt"
	"hash/fnv"

	"entgo.io/ent/dialect"

	"github.com/cargoman/cargoman/ent"
)

// LockKey serialises transactions working on one named thing (an archive's
// blob key, ...): tx, a client bound to a transaction of database dia,
// holds the lock until it commits or rolls back. On PostgreSQL it is an
// advisory transaction lock on a hash of name (a collision only makes two
// names share a lock). On SQLite every write transaction already holds the
// database's write lock from BEGIN (see sqlitePragmas: _txlock=immediate),
// which serialises far more than name, so nothing more is taken.
func LockKey(ctx context.Context, tx *ent.Client, dia, name string) error {
	if dia != dialect.Postgres {
		return nil
	}
	h := fnv.New64a()
	h.Write([]byte(name))
	if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock($1)", int64(h.Sum64())); err != nil {
		return fmt.Errorf("database: lock %q: %w", name, err)
	}
	return nil
}
