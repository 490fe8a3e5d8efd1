package auth_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/cargoman/cargoman/ent/admintoken"
	"github.com/cargoman/cargoman/internal/apperr"
	"github.com/cargoman/cargoman/internal/auth"
	"github.com/cargoman/cargoman/internal/secret"
	"github.com/cargoman/cargoman/internal/tenancy"
	"github.com/cargoman/cargoman/internal/testenv"
)

func isCode(err error, code apperr.Code) bool {
	e, ok := apperr.As(err)
	return ok && e.Code == code
}

func TestAdminTokens(t *testing.T) {
	testenv.ForEach(t, func(t *testing.T, b testenv.Backend) {
		s := testenv.StartServer(t, b)
		ctx := tenancy.WithTenant(context.Background(), s.TenantID)
		svc := auth.NewAdminTokens(auth.AdminTokensOptions{Client: s.DB.Client})
		authn := auth.NewAuthenticator(s.DB.Client, s.App.Current, s.Usage)
		future := time.Now().Add(time.Hour)

		t.Run("create and authenticate", func(t *testing.T) {
			for _, tc := range []struct {
				level admintoken.Level
				role  auth.Role
			}{
				{admintoken.LevelViewer, auth.RoleViewer},
				{admintoken.LevelAdmin, auth.RoleAdmin},
				{admintoken.LevelOwner, auth.RoleOwner},
			} {
				t.Run(string(tc.level), func(t *testing.T) {
					tok, plain, err := svc.Create(ctx, auth.AdminTokenInput{Name: "  ci  ", Level: tc.level, ExpiresAt: &future})
					if err != nil {
						t.Fatal(err)
					}
					if !strings.HasPrefix(plain, secret.AdminPrefix) || tok.Name != "ci" || tok.SecretHash != secret.Hash(plain) || !strings.HasPrefix(plain, tok.Prefix) || tok.TenantID != s.TenantID {
						t.Fatalf("token %+v, secret %q", tok, plain)
					}
					c, err := authn.Authenticate(context.Background(), plain)
					if err != nil || c.Kind != auth.KindAdminToken || c.Role != tc.role || c.AdminTokenID != tok.ID || c.TenantID != s.TenantID || c.IsCustomer() || c.Actor() != tok.ID {
						t.Fatalf("caller %+v, %v", c, err)
					}
				})
			}
		})

		t.Run("refusals", func(t *testing.T) {
			past := time.Now().Add(-time.Minute)
			if _, _, err := svc.Create(ctx, auth.AdminTokenInput{Name: "x", Level: admintoken.LevelViewer, ExpiresAt: &past}); !isCode(err, apperr.Validation) {
				t.Fatalf("past expiry: %v", err)
			}
			if _, err := svc.Revoke(ctx, "adm_unknown"); !isCode(err, apperr.NotFound) {
				t.Fatalf("revoke unknown: %v", err)
			}
			// A token that expired: made by a service whose clock is
			// two hours behind.
			earlier := auth.NewAdminTokens(auth.AdminTokensOptions{Client: s.DB.Client, Now: func() time.Time { return time.Now().Add(-2 * time.Hour) }})
			expiry := time.Now().Add(-time.Hour)
			_, expired, err := earlier.Create(ctx, auth.AdminTokenInput{Name: "old", Level: admintoken.LevelAdmin, ExpiresAt: &expiry})
			if err != nil {
				t.Fatal(err)
			}
			_, valid, err := svc.Create(ctx, auth.AdminTokenInput{Name: "v", Level: admintoken.LevelAdmin})
			if err != nil {
				t.Fatal(err)
			}
			for _, tc := range []struct{ name, presented, message string }{
				{"expired", expired, "expired"},
				{"unknown", secret.AdminPrefix + "nope", "not valid"},
				{"tampered", valid[:len(valid)-1] + "x", "not valid"},
			} {
				t.Run(tc.name, func(t *testing.T) {
					_, err := authn.Authenticate(context.Background(), tc.presented)
					if e, ok := apperr.As(err); !ok || e.Code != apperr.Unauthorized || !strings.Contains(e.Message, tc.message) {
						t.Fatalf("%v, want UNAUTHORIZED %q", err, tc.message)
					}
				})
			}
		})

		t.Run("list and revoke", func(t *testing.T) {
			tok, plain, err := svc.Create(ctx, auth.AdminTokenInput{Name: "revoked", Level: admintoken.LevelOwner})
			if err != nil {
				t.Fatal(err)
			}
			listed, err := svc.List().Where(admintoken.ID(tok.ID)).Only(ctx)
			if err != nil || listed.RevokedAt != nil {
				t.Fatalf("list: %+v %v", listed, err)
			}
			if n, err := svc.List().Count(tenancy.WithTenant(context.Background(), "ten_other")); err != nil || n != 0 {
				t.Fatalf("another tenant lists %d tokens, %v", n, err)
			}
			first, err := svc.Revoke(ctx, tok.ID)
			if err != nil || first.RevokedAt == nil {
				t.Fatalf("revoke: %+v %v", first, err)
			}
			again, err := svc.Revoke(ctx, tok.ID)
			if err != nil || !again.RevokedAt.Equal(*first.RevokedAt) {
				t.Fatalf("revoking again changed %v to %v (%v)", first.RevokedAt, again.RevokedAt, err)
			}
			if _, err := authn.Authenticate(context.Background(), plain); !isCode(err, apperr.Unauthorized) || !strings.Contains(err.Error(), "revoked") {
				t.Fatalf("revoked token: %v", err)
			}
		})
	})
}
