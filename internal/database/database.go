// Package database opens Cargoman's database (embedded SQLite by default,
// PostgreSQL for larger installations) and migrates its schema.
package database

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"

	entsql "entgo.io/ent/dialect/sql"

	"entgo.io/ent/dialect"
	_ "github.com/lib/pq"  // PostgreSQL driver "postgres"
	_ "modernc.org/sqlite" // SQLite driver "sqlite"

	"github.com/cargoman/cargoman/ent"
	"github.com/cargoman/cargoman/ent/migrate"
	_ "github.com/cargoman/cargoman/ent/runtime" // schema hooks, interceptors and defaults
)

// DB is an open database with its ent client.
type DB struct {
	Client  *ent.Client
	SQL     *sql.DB
	Dialect string
	// URL is the DATABASE_URL it was opened with.
	URL string
}

// sqlitePragmas make SQLite safe and fast for a server: enforced foreign
// keys, WAL for concurrent readers, waiting on locks instead of failing,
// and write transactions that take the write lock up front.
const sqlitePragmas = "_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_pragma=synchronous(NORMAL)&_txlock=immediate"

// SQLiteURL is the DATABASE_URL of an SQLite file at path.
func SQLiteURL(path string) string { return "sqlite://" + path }

// Open connects to url: postgres:// or postgresql:// for PostgreSQL,
// sqlite://PATH (or a bare file path) for SQLite.
func Open(url string) (*DB, error) {
	driver, dsn, dia, err := parse(url)
	if err != nil {
		return nil, err
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		return nil, fmt.Errorf("database: open %s: %w", dia, err)
	}
	switch dia {
	case dialect.Postgres:
		db.SetMaxOpenConns(20)
		db.SetMaxIdleConns(10)
	case dialect.SQLite:
		// Reopening SQLite connections costs more than keeping them: keep
		// every one idle rather than Go's default of two.
		db.SetMaxOpenConns(16)
		db.SetMaxIdleConns(16)
	}
	drv := entsql.OpenDB(dia, db)
	return &DB{Client: ent.NewClient(ent.Driver(drv)), SQL: db, Dialect: dia, URL: url}, nil
}

func parse(raw string) (driver, dsn, dia string, err error) {
	switch {
	case strings.HasPrefix(raw, "postgres://"), strings.HasPrefix(raw, "postgresql://"):
		return "postgres", raw, dialect.Postgres, nil
	case strings.HasPrefix(raw, "sqlite://"), !strings.Contains(raw, "://"):
		path := strings.TrimPrefix(raw, "sqlite://")
		if path == "" {
			return "", "", "", fmt.Errorf("database: %q names no SQLite file", raw)
		}
		if dir := filepath.Dir(path); dir != "" {
			if err := os.MkdirAll(dir, 0o750); err != nil {
				return "", "", "", fmt.Errorf("database: create %s: %w", dir, err)
			}
		}
		return "sqlite", "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + sqlitePragmas, dialect.SQLite, nil
	}
	return "", "", "", fmt.Errorf("database: unsupported DATABASE_URL scheme in %q (use postgres:// or sqlite://)", redact(raw))
}

// redact hides a password in a URL for error messages.
func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparseable URL)"
	}
	return u.Redacted()
}

// migrationLockID is the PostgreSQL advisory lock that serialises schema
// migrations of instances starting at the same time.
const migrationLockID = 0x6361_7267_6f6d_616e // "cargoman"

// migrateMu serialises migrations inside one process: ent's migrator
// rewrites the package-level table definitions of ent/migrate while it
// plans, so two concurrent migrations in one process would race on them.
var migrateMu sync.Mutex

// Migrate brings the schema up to date. On PostgreSQL it holds an advisory
// lock meanwhile, so instances starting together migrate one at a time.
func (db *DB) Migrate(ctx context.Context) error {
	migrateMu.Lock()
	defer migrateMu.Unlock()
	if db.Dialect == dialect.Postgres {
		conn, err := db.SQL.Conn(ctx)
		if err != nil {
			return fmt.Errorf("database: migration connection: %w", err)
		}
		defer conn.Close()
		if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", migrationLockID); err != nil {
			return fmt.Errorf("database: take migration lock: %w", err)
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", migrationLockID) //nolint:errcheck // released with the session anyway
	}
	if err := db.Client.Schema.Create(ctx, migrate.WithDropIndex(true)); err != nil {
		return fmt.Errorf("database: migrate schema: %w", err)
	}
	return nil
}

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error { return db.SQL.PingContext(ctx) }

// Close closes the connection pool.
func (db *DB) Close() error { return db.Client.Close() }
