package server_test

import (
	"context"
	"database/sql"
	"net/http"
	"net/url"
	"testing"
	"time"

	"entgo.io/ent/dialect"

	"github.com/cargoman/cargoman/internal/database"
	"github.com/cargoman/cargoman/internal/testenv"
)

// dropTables drops tables (all of the schema's when none are named)
// through a connection of its own, as an operator working on the database
// under the running server would.
func dropTables(t *testing.T, s *testenv.Server, tables ...string) {
	t.Helper()
	ctx := context.Background()
	if s.DB.Dialect == dialect.Postgres {
		admin, err := sql.Open("postgres", s.DB.URL)
		if err != nil {
			t.Fatal(err)
		}
		defer admin.Close()
		if len(tables) == 0 {
			u, err := url.Parse(s.DB.URL)
			if err != nil {
				t.Fatal(err)
			}
			schema := u.Query().Get("search_path")
			if _, err := admin.ExecContext(ctx, "DROP SCHEMA "+schema+" CASCADE; CREATE SCHEMA "+schema); err != nil {
				t.Fatalf("recreate schema %s: %v", schema, err)
			}
			return
		}
		for _, name := range tables {
			if _, err := admin.ExecContext(ctx, "DROP TABLE "+name+" CASCADE"); err != nil {
				t.Fatalf("drop %s: %v", name, err)
			}
		}
		return
	}
	other, err := database.Open(s.DB.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	conn, err := other.SQL.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "PRAGMA foreign_keys = OFF"); err != nil {
		t.Fatal(err)
	}
	if len(tables) == 0 {
		rows, err := conn.QueryContext(ctx, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var name string
			if err := rows.Scan(&name); err != nil {
				t.Fatal(err)
			}
			tables = append(tables, name)
		}
		rows.Close()
	}
	for _, name := range tables {
		if _, err := conn.ExecContext(ctx, "DROP TABLE "+name); err != nil {
			t.Fatalf("drop %s: %v", name, err)
		}
	}
}

// migrateAgain migrates the database through a connection of its own, as
// a second instance starting (or `cargoman migrate`) would.
func migrateAgain(t *testing.T, s *testenv.Server) {
	t.Helper()
	other, err := database.Open(s.DB.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if err := other.Migrate(context.Background()); err != nil {
		t.Fatalf("migrate again: %v", err)
	}
}

func readyz(t *testing.T, s *testenv.Server) int {
	t.Helper()
	return s.Do(t, http.MethodGet, "/readyz", "", nil).Status
}

// TestReadyzChecksSchema: /readyz answers 503 while the database lacks
// tables of the schema (not migrated, or dropped under the server), not
// just while it does not answer.
func TestReadyzChecksSchema(t *testing.T) {
	testenv.ForEach(t, func(t *testing.T, b testenv.Backend) {
		s := testenv.StartServer(t, b)
		for _, step := range []struct {
			name   string
			change func()
			want   int
		}{
			{"migrated and bootstrapped", func() {}, http.StatusOK},
			{"one table dropped", func() { dropTables(t, s, "skipped_refs") }, http.StatusServiceUnavailable},
			{"migrated again", func() { migrateAgain(t, s) }, http.StatusOK},
			{"every table dropped", func() { dropTables(t, s) }, http.StatusServiceUnavailable},
		} {
			step.change()
			if got := readyz(t, s); got != step.want {
				t.Fatalf("%s: /readyz %d, want %d", step.name, got, step.want)
			}
		}
	})
}

// TestCachesSurviveDatabaseRecreate: when the database is dropped and
// created anew under a running server, the server notices (a new
// generation), drops what it cached from the old database and settles its
// default tenant in the new one without a restart: the old customer token
// stops working even though the Composer endpoint had cached it, and the
// root token works on the new database (no 409 for a stale tenant id).
func TestCachesSurviveDatabaseRecreate(t *testing.T) {
	testenv.ForEach(t, func(t *testing.T, b testenv.Backend) {
		s := testenv.StartServer(t, b)
		customer := func() string {
			t.Helper()
			var c struct{ ID string }
			r := s.Do(t, http.MethodPost, "/api/v1/customers", testenv.RootToken, map[string]any{"name": "Acme"})
			if r.Status != http.StatusCreated {
				t.Fatalf("create customer: %d %s", r.Status, r.Body)
			}
			r.JSON(t, &c)
			return c.ID
		}
		token := func(customerID string) string {
			t.Helper()
			var out struct {
				PlainToken string `json:"plain_token"`
			}
			r := s.Do(t, http.MethodPost, "/api/v1/customers/"+customerID+"/tokens", testenv.RootToken, map[string]any{"name": "ci"})
			if r.Status != http.StatusCreated {
				t.Fatalf("create token: %d %s", r.Status, r.Body)
			}
			r.JSON(t, &out)
			return out.PlainToken
		}
		oldTenant := s.App.Current.TenantID()
		old := token(customer())
		if r := s.Raw(t, http.MethodGet, "/packages.json", old, nil, nil); r.Status != http.StatusOK {
			t.Fatalf("packages.json before: %d %s", r.Status, r.Body)
		}

		dropTables(t, s)
		migrateAgain(t, s)
		deadline := time.Now().Add(15 * time.Second)
		for readyz(t, s) != http.StatusOK {
			if time.Now().After(deadline) {
				t.Fatal("/readyz never became ready on the recreated database")
			}
			time.Sleep(100 * time.Millisecond)
		}
		if s.App.Current.TenantID() == oldTenant {
			t.Fatal("the default tenant was not re-resolved")
		}
		if r := s.Raw(t, http.MethodGet, "/packages.json", old, nil, nil); r.Status != http.StatusUnauthorized {
			t.Fatalf("cached token of the old database: %d %s, want 401", r.Status, r.Body)
		}
		fresh := token(customer())
		if r := s.Raw(t, http.MethodGet, "/packages.json", fresh, nil, nil); r.Status != http.StatusOK {
			t.Fatalf("token of the new database: %d %s", r.Status, r.Body)
		}
	})
}
