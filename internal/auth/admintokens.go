package auth

import (
	"context"
	"strings"
	"time"

	"github.com/cargoman/cargoman/ent"
	"github.com/cargoman/cargoman/ent/admintoken"
	"github.com/cargoman/cargoman/internal/apperr"
	"github.com/cargoman/cargoman/internal/secret"
)

// AdminTokens manages CMA tokens (cgm_adm_...): the API tokens of a
// tenant's operators. Authenticator verifies them.
type AdminTokens struct {
	client *ent.Client
	now    func() time.Time
}

// AdminTokensOptions configure AdminTokens.
type AdminTokensOptions struct {
	Client *ent.Client
	// Now defaults to time.Now.
	Now func() time.Time
}

// NewAdminTokens returns the CMA token service.
func NewAdminTokens(o AdminTokensOptions) *AdminTokens {
	now := o.Now
	if now == nil {
		now = time.Now
	}
	return &AdminTokens{client: o.Client, now: func() time.Time { return now().UTC() }}
}

// AdminTokenInput describes a new CMA token.
type AdminTokenInput struct {
	Name  string
	Level admintoken.Level
	// ExpiresAt must be in the future; nil: never.
	ExpiresAt *time.Time
}

// Create makes a CMA token of the context's tenant and returns it with its
// secret, which is shown once and stored only as a hash.
func (s *AdminTokens) Create(ctx context.Context, in AdminTokenInput) (*ent.AdminToken, string, error) {
	if in.ExpiresAt != nil && !in.ExpiresAt.After(s.now()) {
		return nil, "", apperr.Invalid("expiresAt", "expiresAt must be in the future")
	}
	plain, err := secret.New(secret.AdminPrefix)
	if err != nil {
		return nil, "", err
	}
	t, err := s.client.AdminToken.Create().
		SetName(strings.TrimSpace(in.Name)).
		SetLevel(in.Level).
		SetSecretHash(secret.Hash(plain)).
		SetPrefix(secret.Visible(plain)).
		SetNillableExpiresAt(in.ExpiresAt).
		Save(ctx)
	if err != nil {
		return nil, "", err
	}
	return t, plain, nil
}

// List is the query of the tenant's CMA tokens, for pagination.
func (s *AdminTokens) List() *ent.AdminTokenQuery { return s.client.AdminToken.Query() }

// Revoke makes a CMA token stop working at once; revoking it again changes
// nothing.
func (s *AdminTokens) Revoke(ctx context.Context, id string) (*ent.AdminToken, error) {
	t, err := s.client.AdminToken.Get(ctx, id)
	if ent.IsNotFound(err) {
		return nil, apperr.NotFoundf("CMA token %q not found", id)
	}
	if err != nil {
		return nil, err
	}
	if t.RevokedAt == nil {
		return t.Update().SetRevokedAt(s.now()).Save(ctx)
	}
	return t, nil
}
