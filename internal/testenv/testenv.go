// Package testenv gives tests real databases and a running server: SQLite
// always, and PostgreSQL too when TEST_DATABASE_URL is set. Each call gets a
// database of its own (a fresh SQLite file, or a fresh PostgreSQL schema),
// so tests run in parallel without seeing each other's rows.
package testenv

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/cargoman/cargoman/internal/database"
)

// Backend is one kind of database tests run against.
type Backend struct {
	Name string
	// Open returns a fresh, migrated database, closed when t ends.
	Open func(t testing.TB) *database.DB
}

// Backends returns SQLite and, when TEST_DATABASE_URL is set, PostgreSQL.
func Backends() []Backend {
	b := []Backend{{Name: "sqlite", Open: openSQLite}}
	if u := os.Getenv("TEST_DATABASE_URL"); u != "" {
		b = append(b, Backend{Name: "postgres", Open: func(t testing.TB) *database.DB { return openPostgres(t, u) }})
	}
	return b
}

// ForEach runs f as a subtest per backend.
func ForEach(t *testing.T, f func(t *testing.T, b Backend)) {
	for _, b := range Backends() {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			f(t, b)
		})
	}
}

func openSQLite(t testing.TB) *database.DB {
	t.Helper()
	return migrated(t, database.SQLiteURL(filepath.Join(t.TempDir(), "test.db")))
}

// openPostgres makes a schema of its own and points search_path at it.
func openPostgres(t testing.TB, base string) *database.DB {
	t.Helper()
	admin, err := sql.Open("postgres", base)
	if err != nil {
		t.Fatalf("open PostgreSQL: %v", err)
	}
	defer admin.Close()
	schema := "t_" + randomHex(8)
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatalf("PostgreSQL at TEST_DATABASE_URL is unusable: %v", err)
	}
	t.Cleanup(func() {
		cleanup, err := sql.Open("postgres", base)
		if err != nil {
			return
		}
		defer cleanup.Close()
		_, _ = cleanup.Exec("DROP SCHEMA " + schema + " CASCADE")
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("TEST_DATABASE_URL: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return migrated(t, u.String())
}

func migrated(t testing.TB, dsn string) *database.DB {
	t.Helper()
	db, err := database.Open(dsn)
	if err != nil {
		t.Fatalf("open database: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(context.Background()); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return db
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
