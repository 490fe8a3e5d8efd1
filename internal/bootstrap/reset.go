package bootstrap

import (
	"context"
	"fmt"

	"github.com/cargoman/cargoman/ent"
	"github.com/cargoman/cargoman/ent/setting"
	"github.com/cargoman/cargoman/internal/secret"
	"github.com/cargoman/cargoman/internal/tenancy"
)

// ResetRootToken replaces the stored root token with a new one and returns
// it, the only time it is ever shown: the recovery path when the generated
// token was lost. Running instances refuse the old token within a stamp
// poll (Current.Follow). It stores nothing else, so a database never
// bootstrapped keeps this token when it first serves.
func ResetRootToken(ctx context.Context, client *ent.Client) (string, error) {
	plain, err := secret.New(RootTokenPrefix)
	if err != nil {
		return "", err
	}
	err = client.Setting.Create().
		SetKey(rootTokenKey).
		SetValue(secret.Hash(plain)).
		OnConflictColumns(setting.FieldKey).
		Update(func(u *ent.SettingUpsert) { u.UpdateValue().UpdateUpdatedAt() }).
		Exec(tenancy.WithSystem(ctx))
	if err != nil {
		return "", fmt.Errorf("bootstrap: store the new root token: %w", err)
	}
	return plain, nil
}

// Follow reads the database's generation and stored root token hash in
// one query, for the stamp poller, and returns the generation. While the
// generation is the one in force and the root token is not configured
// (ADMIN_TOKEN), a hash changed by ResetRootToken takes effect at once, so
// the old token stops working on every instance. A new generation is left
// to the poller, which adopts the database (Rerun).
func (c *Current) Follow(ctx context.Context, client *ent.Client) (string, error) {
	rows, err := client.Setting.Query().
		Where(setting.KeyIn(generationKey, rootTokenKey)).
		All(tenancy.WithSystem(ctx))
	if err != nil {
		return "", fmt.Errorf("bootstrap: read the database generation: %w", err)
	}
	var gen, root string
	for _, s := range rows {
		switch s.Key {
		case generationKey:
			gen = s.Value
		case rootTokenKey:
			root = s.Value
		}
	}
	cur := c.Result()
	if gen != "" && gen == cur.Generation && !cur.RootConfigured && root != "" && root != cur.RootHash {
		cur.RootHash = root
		c.Set(cur)
	}
	return gen, nil
}
