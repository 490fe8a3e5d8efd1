package graph

import (
	"context"
	"errors"
	"time"

	"github.com/cargoman/cargoman/ent"
	"github.com/cargoman/cargoman/ent/customertoken"
	"github.com/cargoman/cargoman/graph/model"
	"github.com/cargoman/cargoman/internal/access"
	"github.com/cargoman/cargoman/internal/apperr"
	"github.com/cargoman/cargoman/internal/auth"
	"github.com/cargoman/cargoman/internal/jwtauth"
	"github.com/cargoman/cargoman/internal/origin"
	"github.com/cargoman/cargoman/internal/shellword"
)

// composerAuth is what Composer needs to use a token or JWT here, for
// the base URL the request was answered with (origin.Middleware).
func composerAuth(ctx context.Context, password string) (*model.ComposerAuth, error) {
	o, ok := origin.FromContext(ctx)
	if !ok {
		return nil, apperr.New(apperr.Internal, "internal error").WithCause(errors.New("graph: no request origin in the context"))
	}
	return &model.ComposerAuth{
		Username:      "token",
		Password:      password,
		RepositoryURL: o.String(),
		AuthJSON: map[string]any{"http-basic": map[string]any{
			o.AuthHost(): map[string]any{"username": "token", "password": password},
		}},
		ComposerConfigCommand: "composer config --auth " + shellword.Quote("http-basic."+o.AuthHost()) + " token " + shellword.Quote(password),
	}, nil
}

// tokenSecret presents a token with its secret.
func (r *Resolver) tokenSecret(ctx context.Context) func(*ent.CustomerToken, string, error) (*model.CustomerTokenSecretPayload, error) {
	return func(t *ent.CustomerToken, plain string, err error) (*model.CustomerTokenSecretPayload, error) {
		if err != nil {
			return nil, err
		}
		ca, err := composerAuth(ctx, plain)
		if err != nil {
			return nil, err
		}
		return &model.CustomerTokenSecretPayload{Token: t, PlainToken: plain, ComposerAuth: ca}, nil
	}
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
