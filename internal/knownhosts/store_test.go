package knownhosts_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"testing"

	"golang.org/x/crypto/ssh"

	"github.com/cargoman/cargoman/internal/apperr"
	"github.com/cargoman/cargoman/internal/bootstrap"
	"github.com/cargoman/cargoman/internal/knownhosts"
	"github.com/cargoman/cargoman/internal/tenancy"
	"github.com/cargoman/cargoman/internal/testenv"
	"github.com/cargoman/cargoman/internal/vcs"
)

func newKey(t *testing.T) ssh.PublicKey {
	t.Helper()
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	k, err := ssh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// twoTenants returns a store and the contexts of two tenants.
func twoTenants(t *testing.T, b testenv.Backend) (*knownhosts.Store, context.Context, context.Context) {
	t.Helper()
	db := b.Open(t)
	boot, err := bootstrap.Run(context.Background(), db.Client, "")
	if err != nil {
		t.Fatal(err)
	}
	other, err := db.Client.Tenant.Create().SetSlug("other").SetName("Other").Save(tenancy.WithSystem(context.Background()))
	if err != nil {
		t.Fatal(err)
	}
	return knownhosts.New(db.Client), tenancy.WithTenant(context.Background(), boot.TenantID), tenancy.WithTenant(context.Background(), other.ID)
}

func wantChanged(t *testing.T, err error) {
	t.Helper()
	e, ok := apperr.As(err)
	if !ok || e.Code != apperr.HostKeyChanged || !errors.Is(err, vcs.ErrHostKeyChanged) {
		t.Fatalf("err = %v, want HOST_KEY_CHANGED wrapping vcs.ErrHostKeyChanged", err)
	}
}

func TestFirstUsePinsPerTenant(t *testing.T) {
	testenv.ForEach(t, func(t *testing.T, b testenv.Backend) {
		s, a, other := twoTenants(t, b)
		const host = "[git.example.test]:2222"
		keyA, keyB := newKey(t), newKey(t)
		if err := s.Check(a, host, keyA); err != nil {
			t.Fatalf("first use in tenant A: %v", err)
		}
		if err := s.Check(other, host, keyB); err != nil {
			t.Fatalf("first use in tenant B (its own known hosts): %v", err)
		}
		if err := s.Check(a, host, keyA); err != nil {
			t.Fatalf("pinned key: %v", err)
		}
		wantChanged(t, s.Check(a, host, keyB))
		if err := s.Check(other, host, keyB); err != nil {
			t.Fatalf("tenant B is affected by tenant A's change: %v", err)
		}
		rows, err := s.ForHost(a, host)
		if err != nil || len(rows) != 1 {
			t.Fatalf("rows of A: %d, %v", len(rows), err)
		}
		r := rows[0]
		if r.Fingerprint != ssh.FingerprintSHA256(keyA) || r.PendingFingerprint == nil || *r.PendingFingerprint != ssh.FingerprintSHA256(keyB) {
			t.Fatalf("row %+v: want keyA pinned and keyB pending", r)
		}
		if types, _ := s.KeyTypes(a, host); len(types) != 1 || types[0] != ssh.KeyAlgoED25519 {
			t.Fatalf("KeyTypes = %v", types)
		}

		// A published host checks its first key against the documentation.
		if types, _ := s.KeyTypes(a, "github.com"); len(types) != 3 || types[0] != ssh.KeyAlgoED25519 {
			t.Fatalf("KeyTypes(github.com) = %v, want the published types", types)
		}
		wantChanged(t, s.Check(a, "github.com", newKey(t)))
		gh, err := s.ForHost(a, "github.com")
		if err != nil || len(gh) != 3 || gh[0].Source != "published" {
			t.Fatalf("github.com rows: %d, %v", len(gh), err)
		}
	})
}

func TestAccept(t *testing.T) {
	testenv.ForEach(t, func(t *testing.T, b testenv.Backend) {
		s, a, other := twoTenants(t, b)
		const host = "git.example.test"
		oldKey, newK := newKey(t), newKey(t)
		if err := s.Check(a, host, oldKey); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Accept(a, host, ssh.FingerprintSHA256(newK)); err == nil {
			t.Fatal("accepting a key nobody offered succeeded")
		}
		wantChanged(t, s.Check(a, host, newK))

		tests := []struct {
			name string
			ctx  context.Context
			host string
			fp   string
			code apperr.Code
		}{
			{"wrong fingerprint", a, host, ssh.FingerprintSHA256(newKey(t)), apperr.Validation},
			{"the old key's fingerprint", a, host, ssh.FingerprintSHA256(oldKey), apperr.Validation},
			{"not a SHA256 fingerprint", a, host, "MD5:aa:bb", apperr.Validation},
			{"unknown host", a, "other.example.test", ssh.FingerprintSHA256(newK), apperr.NotFound},
			{"another tenant", other, host, ssh.FingerprintSHA256(newK), apperr.NotFound},
		}
		for _, tc := range tests {
			_, err := s.Accept(tc.ctx, tc.host, tc.fp)
			if e, ok := apperr.As(err); !ok || e.Code != tc.code {
				t.Errorf("%s: Accept = %v, want %s", tc.name, err, tc.code)
			}
		}
		wantChanged(t, s.Check(a, host, newK))

		row, err := s.Accept(a, host, ssh.FingerprintSHA256(newK))
		if err != nil {
			t.Fatal(err)
		}
		if row.Fingerprint != ssh.FingerprintSHA256(newK) || row.PendingFingerprint != nil || row.Source != "accepted" {
			t.Fatalf("accepted row %+v", row)
		}
		if err := s.Check(a, host, newK); err != nil {
			t.Fatalf("the accepted key: %v", err)
		}
		wantChanged(t, s.Check(a, host, oldKey))
	})
}
