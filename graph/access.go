package graph

import (
	"context"
	"time"

	"github.com/cargoman/cargoman/ent"
	"github.com/cargoman/cargoman/ent/customertoken"
	"github.com/cargoman/cargoman/graph/model"
	"github.com/cargoman/cargoman/internal/access"
	"github.com/cargoman/cargoman/internal/apperr"
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

func accessOptional[T any](set bool, v *T) access.Optional[T] {
	return access.Optional[T]{Set: set, Value: v}
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
	if p := auth.FromContext(ctx); p == nil || p.Customer == nil {
		return nil
	}
	t, err := r.access.Token(ctx, customerID, tokenID)
	if err != nil {
		return err
	}
	if err := noBroaderThanCaller(ctx, t.PackageScopes); err != nil {
		return err
	}
	return outlives(ctx, t.ExpiresAt)
}

// customerUploadCheck lets a customer credential (which @hasRole admitted
// with scope developer or admin) upload only to packages it may install,
// and only versions its grants (and freeze) offer it, so it cannot publish
// versions beyond its own reach to other customers. Other packages answer
// NOT_FOUND, as on the Composer endpoints. API tokens get no check (nil).
func (r *Resolver) customerUploadCheck(ctx context.Context, pkg string) (func(string) error, error) {
	p := auth.FromContext(ctx)
	if p == nil || p.Customer == nil {
		return nil, nil
	}
	cred, err := r.access.CredentialOf(ctx, p.Customer)
	if err != nil {
		return nil, err
	}
	e, err := r.access.Entitlement(ctx, cred, pkg)
	if err != nil {
		return nil, err
	}
	if e == nil {
		return nil, apperr.NotFoundf("package %q not found", pkg)
	}
	return func(normalized string) error {
		if !e.Allows(normalized) {
			return apperr.New(apperr.Forbidden, "your access to %s does not cover version %s", pkg, normalized)
		}
		return nil
	}, nil
}

// packageAccessKey and customerAccessKey are the cursors of the ways of
// packageAccess and Package.customers, which access computes in memory:
// a way is one package (customer) through one source.
func packageAccessKey(w *access.PackageAccess) string { return w.Package.ID + " " + w.Source }

func customerAccessKey(w *access.CustomerAccess) string { return w.Customer.ID + " " + w.Source }
