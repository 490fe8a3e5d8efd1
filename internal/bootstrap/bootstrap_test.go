package bootstrap_test

import (
	"context"
	"errors"
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

// TestGeneration: a database gets one generation at its first bootstrap;
// one created anew gets another, and an instance adopting it (Rerun)
// keeps the root token it generated rather than making one nobody sees.
func TestGeneration(t *testing.T) {
	testenv.ForEach(t, func(t *testing.T, b testenv.Backend) {
		ctx := context.Background()
		db := b.Open(t)
		first, err := bootstrap.Run(ctx, db.Client, "")
		if err != nil || first.Generation == "" || first.GeneratedRootToken == "" {
			t.Fatalf("first run: %+v %v", first, err)
		}
		again, err := bootstrap.Run(ctx, db.Client, "")
		if err != nil || again.Generation != first.Generation {
			t.Fatalf("second run: generation %q, want %q (%v)", again.Generation, first.Generation, err)
		}
		if gen, err := bootstrap.ReadGeneration(ctx, db.Client); err != nil || gen != first.Generation {
			t.Fatalf("ReadGeneration: %q %v", gen, err)
		}
		current := bootstrap.NewCurrent(first)
		if err := current.Ready(ctx, db); err != nil {
			t.Fatalf("Ready: %v", err)
		}

		replaced := b.Open(t)
		if gen, err := bootstrap.ReadGeneration(ctx, replaced.Client); err != nil || gen != "" {
			t.Fatalf("generation of a database never bootstrapped: %q %v", gen, err)
		}
		if err := current.Ready(ctx, replaced); !errors.Is(err, bootstrap.ErrNotReady) {
			t.Fatalf("Ready on a database never bootstrapped: %v", err)
		}
		adopted, err := bootstrap.Rerun(ctx, replaced.Client, "", current.Result())
		switch {
		case err != nil:
			t.Fatal(err)
		case adopted.Generation == "" || adopted.Generation == first.Generation:
			t.Fatalf("generation of the new database %q (old %q)", adopted.Generation, first.Generation)
		case adopted.RootHash != first.RootHash || adopted.GeneratedRootToken != "":
			t.Fatalf("root token not kept: %+v", adopted)
		case adopted.TenantID == first.TenantID:
			t.Fatal("the default tenant of the new database has the old id")
		}
		if err := current.Ready(ctx, replaced); !errors.Is(err, bootstrap.ErrNotReady) {
			t.Fatalf("Ready before adopting the new generation: %v", err)
		}
		current.Set(adopted)
		if err := current.Ready(ctx, replaced); err != nil {
			t.Fatalf("Ready after adopting: %v", err)
		}
	})
}

// TestFollow: a root token reset in the database takes effect on a
// running instance at its next poll, unless ADMIN_TOKEN is configured
// (it wins) or the database is another generation (adopted by Rerun).
func TestFollow(t *testing.T) {
	testenv.ForEach(t, func(t *testing.T, b testenv.Backend) {
		ctx := context.Background()
		db := b.Open(t)
		first, err := bootstrap.Run(ctx, db.Client, "")
		if err != nil {
			t.Fatal(err)
		}
		generated := bootstrap.NewCurrent(first)
		configured, err := bootstrap.Run(ctx, db.Client, "configured-root-token")
		if err != nil || !configured.RootConfigured {
			t.Fatalf("configured: %+v %v", configured, err)
		}
		env := bootstrap.NewCurrent(configured)
		elsewhere := first
		elsewhere.Generation = "gen_other"
		other := bootstrap.NewCurrent(elsewhere)

		token, err := bootstrap.ResetRootToken(ctx, db.Client)
		if err != nil || !strings.HasPrefix(token, bootstrap.RootTokenPrefix) {
			t.Fatalf("reset: %q %v", token, err)
		}
		for _, tc := range []struct {
			name    string
			current *bootstrap.Current
			want    string
		}{
			{"generated", generated, secret.Hash(token)},
			{"ADMIN_TOKEN wins", env, secret.Hash("configured-root-token")},
			{"another generation", other, first.RootHash},
		} {
			gen, err := tc.current.Follow(ctx, db.Client)
			if err != nil || gen != first.Generation {
				t.Fatalf("%s: Follow: %q %v", tc.name, gen, err)
			}
			if got := tc.current.RootHash(); got != tc.want {
				t.Errorf("%s: root hash %q, want %q", tc.name, got, tc.want)
			}
		}
	})
}
