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

// generationKey is the Setting holding the database's generation.
const generationKey = "database_generation"

// RootTokenPrefix marks generated root tokens for secret scanners.
const RootTokenPrefix = "cgm_root_"

// Result is what the server needs from bootstrapping.
type Result struct {
	TenantID string
	// RootHash is the hash of the root token.
	RootHash string
	// RootConfigured says the root token is the operator's ADMIN_TOKEN,
	// which wins over the stored one.
	RootConfigured bool
	// GeneratedRootToken is the plain root token when this call generated
	// it; it must be shown to the operator once and never again.
	GeneratedRootToken string
	// Generation is the database's random id, written once when it is
	// first bootstrapped: a database dropped and created anew has another,
	// which is how a running instance notices that its caches describe a
	// database that is gone.
	Generation string
}

// Run ensures the default tenant and the database's generation exist and
// settles the root token: the configured adminToken when given, else the
// stored generated one, else a new one.
func Run(ctx context.Context, client *ent.Client, adminToken string) (Result, error) {
	return run(ctx, client, adminToken, "")
}

// Rerun bootstraps a database that replaced, under a running instance,
// the one prev came from. A root token the instance generated keeps
// working: its hash is stored when the new database has none, rather than
// generating a token nobody would see.
func Rerun(ctx context.Context, client *ent.Client, adminToken string, prev Result) (Result, error) {
	return run(ctx, client, adminToken, prev.RootHash)
}

func run(ctx context.Context, client *ent.Client, adminToken, keepRootHash string) (Result, error) {
	ctx = tenancy.WithSystem(ctx)
	var res Result
	t, err := ensureDefaultTenant(ctx, client)
	if err != nil {
		return res, err
	}
	res.TenantID = t.ID
	gen, err := newGeneration()
	if err != nil {
		return res, err
	}
	if res.Generation, _, err = ensureSetting(ctx, client, generationKey, gen); err != nil {
		return res, err
	}
	if adminToken != "" {
		res.RootHash = secret.Hash(adminToken)
		res.RootConfigured = true
		return res, nil
	}
	var plain string
	want := keepRootHash
	if want == "" {
		if plain, err = secret.New(RootTokenPrefix); err != nil {
			return res, err
		}
		want = secret.Hash(plain)
	}
	stored, created, err := ensureSetting(ctx, client, rootTokenKey, want)
	if err != nil {
		return res, err
	}
	res.RootHash = stored
	if created {
		// Shown only by the instance whose token was stored.
		res.GeneratedRootToken = plain
	}
	return res, nil
}

// ensureSetting stores value under key unless the key has one, and
// returns the stored value; created tells whether it is value. Instances
// racing to create it agree on the winner's.
func ensureSetting(ctx context.Context, client *ent.Client, key, value string) (string, bool, error) {
	s, err := client.Setting.Query().Where(setting.Key(key)).Only(ctx)
	if err == nil {
		return s.Value, false, nil
	}
	if !ent.IsNotFound(err) {
		return "", false, fmt.Errorf("bootstrap: read %s: %w", key, err)
	}
	err = client.Setting.Create().SetKey(key).SetValue(value).Exec(ctx)
	if ent.IsConstraintError(err) {
		// Another instance stored it first.
		s, err := client.Setting.Query().Where(setting.Key(key)).Only(ctx)
		if err != nil {
			return "", false, fmt.Errorf("bootstrap: read %s: %w", key, err)
		}
		return s.Value, false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("bootstrap: store %s: %w", key, err)
	}
	return value, true, nil
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
