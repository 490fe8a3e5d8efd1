package bootstrap

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"sync/atomic"

	"entgo.io/ent/dialect"

	"github.com/cargoman/cargoman/ent"
	"github.com/cargoman/cargoman/ent/migrate"
	"github.com/cargoman/cargoman/ent/setting"
	"github.com/cargoman/cargoman/internal/database"
	"github.com/cargoman/cargoman/internal/tenancy"
)

// newGeneration makes a database generation id.
func newGeneration() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("bootstrap: read random: %w", err)
	}
	return "gen_" + hex.EncodeToString(b[:]), nil
}

// ReadGeneration returns the database's generation; "" when it has none
// (migrated but never bootstrapped). An error means the database did not
// answer or has no schema.
func ReadGeneration(ctx context.Context, client *ent.Client) (string, error) {
	s, err := client.Setting.Query().Where(setting.Key(generationKey)).Only(tenancy.WithSystem(ctx))
	switch {
	case ent.IsNotFound(err):
		return "", nil
	case err != nil:
		return "", fmt.Errorf("bootstrap: read the database generation: %w", err)
	}
	return s.Value, nil
}

// Current is the bootstrap result a running instance serves with: the
// default tenant, the root token's hash and the database's generation.
// It is replaced when the database is replaced under the instance, so
// whatever holds it (authentication, webhooks, the cleanup schedule)
// follows without a restart.
type Current struct {
	r atomic.Pointer[Result]
}

// NewCurrent holds r.
func NewCurrent(r Result) *Current {
	c := &Current{}
	c.Set(r)
	return c
}

// Result returns the result in force.
func (c *Current) Result() Result { return *c.r.Load() }

// Set replaces the result in force; the generated root token is not kept.
func (c *Current) Set(r Result) {
	r.GeneratedRootToken = ""
	c.r.Store(&r)
}

// TenantID is the default tenant's id.
func (c *Current) TenantID() string { return c.r.Load().TenantID }

// RootHash is the hash of the root token.
func (c *Current) RootHash() string { return c.r.Load().RootHash }

// ErrNotReady wraps every reason Ready gives.
var ErrNotReady = errors.New("database not ready")

// Ready checks that the database is the one this instance serves: every
// table of the schema exists (migrations applied) and it carries this
// instance's generation (not dropped and created anew since; the
// instance adopts a new one within a stamp poll).
func (c *Current) Ready(ctx context.Context, db *database.DB) error {
	var q string
	switch db.Dialect {
	case dialect.Postgres:
		q = "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
	default:
		q = "SELECT name FROM sqlite_master WHERE type = 'table'"
	}
	rows, err := db.SQL.QueryContext(ctx, q)
	if err != nil {
		return fmt.Errorf("%w: list tables: %w", ErrNotReady, err)
	}
	defer rows.Close()
	var have []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return fmt.Errorf("%w: list tables: %w", ErrNotReady, err)
		}
		have = append(have, name)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("%w: list tables: %w", ErrNotReady, err)
	}
	for _, t := range migrate.Tables {
		if !slices.Contains(have, t.Name) {
			return fmt.Errorf("%w: table %s is missing (schema not migrated)", ErrNotReady, t.Name)
		}
	}
	gen, err := ReadGeneration(ctx, db.Client)
	switch {
	case err != nil:
		return fmt.Errorf("%w: %w", ErrNotReady, err)
	case gen == "":
		return fmt.Errorf("%w: the database was never bootstrapped", ErrNotReady)
	case gen != c.Result().Generation:
		return fmt.Errorf("%w: the database was replaced (generation %s, serving %s)", ErrNotReady, gen, c.Result().Generation)
	}
	return nil
}
