package packages_test

import (
	"context"
	"testing"

	"github.com/cargoman/cargoman/internal/database"
	"github.com/cargoman/cargoman/internal/tenancy"
	"github.com/cargoman/cargoman/internal/testenv"
)

// tenantDB opens a fresh database of backend b with one tenant, and a
// context acting in it.
func tenantDB(t *testing.T, b testenv.Backend) (*database.DB, context.Context, string) {
	t.Helper()
	db := b.Open(t)
	tn, err := db.Client.Tenant.Create().SetSlug("t").SetName("t").Save(tenancy.WithSystem(context.Background()))
	if err != nil {
		t.Fatal(err)
	}
	return db, tenancy.WithTenant(context.Background(), tn.ID), tn.ID
}
