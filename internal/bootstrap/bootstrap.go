// Package bootstrap prepares a migrated database for serving: the default
// tenant, and the root ADMIN_TOKEN (generated at first start when the
// operator did not set one). It is safe when several instances start at
// once: whoever loses a race reads what the winner wrote.
package bootstrap

import (
	"context"
	"fmt"

	"github.com/cargoman/cargoman/ent"
	"github.com/cargoman/cargoman/ent/setting"
	"github.com/cargoman/cargoman/ent/tenant"
	"github.com/cargoman/cargoman/internal/secret"
	"github.com/cargoman/cargoman/internal/tenancy"
)

// DefaultTenantSlug names the tenant of single-tenant installations.
const DefaultTenantSlug = "default"

// rootTokenKey is the Setting holding the hash of a generated root token.
const rootTokenKey = "root_token_hash"

// RootTokenPrefix marks generated root tokens for secret scanners.
const RootTokenPrefix = "cgm_root_"

// Result is what the server needs from bootstrapping.
type Result struct {
	TenantID string
	// RootHash is the hash of the root token.
	RootHash string
	// GeneratedRootToken is the plain root token when this call generated
	// it; it must be shown to the operator once and never again.
	GeneratedRootToken string
}

// Run ensures the default tenant exists and settles the root token: the
// configured adminToken when given, else the stored generated one, else a
// new one.
func Run(ctx context.Context, client *ent.Client, adminToken string) (Result, error) {
	ctx = tenancy.WithSystem(ctx)
	var res Result
	t, err := ensureDefaultTenant(ctx, client)
	if err != nil {
		return res, err
	}
	res.TenantID = t.ID
	if adminToken != "" {
		res.RootHash = secret.Hash(adminToken)
		return res, nil
	}
	s, err := client.Setting.Query().Where(setting.Key(rootTokenKey)).Only(ctx)
	if err == nil {
		res.RootHash = s.Value
		return res, nil
	}
	if !ent.IsNotFound(err) {
		return res, fmt.Errorf("bootstrap: read root token: %w", err)
	}
	plain, err := secret.New(RootTokenPrefix)
	if err != nil {
		return res, err
	}
	err = client.Setting.Create().SetKey(rootTokenKey).SetValue(secret.Hash(plain)).Exec(ctx)
	if ent.IsConstraintError(err) {
		// Another instance generated it first.
		s, err := client.Setting.Query().Where(setting.Key(rootTokenKey)).Only(ctx)
		if err != nil {
			return res, fmt.Errorf("bootstrap: read root token: %w", err)
		}
		res.RootHash = s.Value
		return res, nil
	}
	if err != nil {
		return res, fmt.Errorf("bootstrap: store root token: %w", err)
	}
	res.RootHash = secret.Hash(plain)
	res.GeneratedRootToken = plain
	return res, nil
}

func ensureDefaultTenant(ctx context.Context, client *ent.Client) (*ent.Tenant, error) {
	t, err := client.Tenant.Query().Where(tenant.Slug(DefaultTenantSlug)).Only(ctx)
	if err == nil {
		return t, nil
	}
	if !ent.IsNotFound(err) {
		return nil, fmt.Errorf("bootstrap: read default tenant: %w", err)
	}
	t, err = client.Tenant.Create().SetSlug(DefaultTenantSlug).SetName("Default").Save(ctx)
	if ent.IsConstraintError(err) {
		t, err = client.Tenant.Query().Where(tenant.Slug(DefaultTenantSlug)).Only(ctx)
	}
	if err != nil {
		return nil, fmt.Errorf("bootstrap: create default tenant: %w", err)
	}
	return t, nil
}
