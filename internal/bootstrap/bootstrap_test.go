package bootstrap_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/cargoman/cargoman/internal/bootstrap"
	"github.com/cargoman/cargoman/internal/secret"
	"github.com/cargoman/cargoman/internal/tenancy"
	"github.com/cargoman/cargoman/internal/testenv"
)

func TestRun(t *testing.T) {
	testenv.ForEach(t, func(t *testing.T, b testenv.Backend) {
		db := b.Open(t)
		ctx := context.Background()

		// Several instances starting at once agree on one tenant and one
		// generated root token, printed by exactly one of them.
		results := make([]bootstrap.Result, 4)
		errs := make([]error, 4)
		var wg sync.WaitGroup
		for i := range results {
			wg.Add(1)
			go func() {
				defer wg.Done()
				results[i], errs[i] = bootstrap.Run(ctx, db.Client, "")
			}()
		}
		wg.Wait()
		var generated string
		for i, r := range results {
			if errs[i] != nil {
				t.Fatalf("instance %d: %v", i, errs[i])
			}
			if r.TenantID != results[0].TenantID || r.RootHash != results[0].RootHash {
				t.Fatalf("instances disagree: %+v vs %+v", r, results[0])
			}
			if r.GeneratedRootToken != "" {
				if generated != "" {
					t.Fatalf("root token generated twice")
				}
				generated = r.GeneratedRootToken
			}
		}
		if !strings.HasPrefix(generated, bootstrap.RootTokenPrefix) || secret.Hash(generated) != results[0].RootHash {
			t.Fatalf("generated root token %q does not match the stored hash", generated)
		}

		// A restart reuses the stored token and shows nothing.
		again, err := bootstrap.Run(ctx, db.Client, "")
		if err != nil || again.GeneratedRootToken != "" || again.RootHash != results[0].RootHash {
			t.Fatalf("restart: %+v %v", again, err)
		}
		// A configured ADMIN_TOKEN wins.
		configured, err := bootstrap.Run(ctx, db.Client, "secret")
		if err != nil || configured.RootHash != secret.Hash("secret") || configured.GeneratedRootToken != "" {
			t.Fatalf("configured: %+v %v", configured, err)
		}
		if n := db.Client.Tenant.Query().CountX(tenancy.WithSystem(ctx)); n != 1 {
			t.Fatalf("%d tenants, want 1", n)
		}
	})
}
