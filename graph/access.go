package graph

import (
	"context"
	"time"

	"github.com/cargoman/cargoman/ent"
	"github.com/cargoman/cargoman/ent/customertoken"
	"github.com/cargoman/cargoman/graph/model"
	"github.com/cargoman/cargoman/internal/access"
	"github.com/cargoman/cargoman/internal/auth"
	"github.com/cargoman/cargoman/internal/jwtauth"
)

// composerAuth is what Composer needs to use a token or JWT here.
func (r *Resolver) composerAuth(password string) *model.ComposerAuth {
	return &model.ComposerAuth{Username: "token", Password: password, RepositoryURL: r.publicURL}
}

// tokenSecret presents a token with its secret.
func (r *Resolver) tokenSecret(t *ent.CustomerToken, plain string, err error) (*model.CustomerTokenSecretPayload, error) {
	if err != nil {
		return nil, err
	}
	return &model.CustomerTokenSecretPayload{Token: t, PlainToken: plain, ComposerAuth: r.composerAuth(plain)}, nil
}

func scopeOr(s *customertoken.Scope, def customertoken.Scope) customertoken.Scope {
	if s == nil {
		return def
	}
	return *s
}

func jwtTTL(seconds *int) time.Duration {
	if seconds == nil {
		return jwtauth.DefaultTTL
	}
	return time.Duration(*seconds) * time.Second
}

func collectionPayload(c *ent.Collection, err error) (*model.CollectionPayload, error) {
	if err != nil {
		return nil, err
	}
	return &model.CollectionPayload{Collection: c}, nil
}

// callerMayManage checks, for a customer credential, that the token it
// revokes or rotates is no broader and lives no longer than itself.
func (r *Resolver) callerMayManage(ctx context.Context, customerID, tokenID string) error {
	p := auth.FromContext(ctx)
	if !p.IsCustomer() {
		return nil
	}
	t, err := r.access.Token(ctx, customerID, tokenID)
	if err != nil {
		return err
	}
	if err := p.MayManageScopes(t.PackageScopes); err != nil {
		return err
	}
	return p.MayManageExpiry(t.ExpiresAt)
}

// minter is the customer token a credential created by the caller is
// recorded as minted by; "" for API tokens.
func minter(ctx context.Context) string { return auth.FromContext(ctx).MinterID() }

// packageAccessKey and customerAccessKey are the cursors of the ways of
// packageAccess and Package.customers, which access computes in memory:
// a way is one package (customer) through one source.
func packageAccessKey(w *access.PackageAccess) string { return w.Package.ID + " " + w.Source }

func customerAccessKey(w *access.CustomerAccess) string { return w.Customer.ID + " " + w.Source }
