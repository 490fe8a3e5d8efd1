package graph

import (
	"context"
	"sort"
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

// sorted returns an edge list (loaded eagerly, or queried by load) in the
// order less gives; ent loads edges in no particular order.
func sorted[T any](ctx context.Context, load func(context.Context) ([]T, error), less func(a, b T) bool) ([]T, error) {
	list, err := load(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]T, len(list)) // never nil: an empty list is [], not null
	copy(out, list)
	sort.SliceStable(out, func(i, j int) bool { return less(out[i], out[j]) })
	return out, nil
}

// callerMayManage checks, for a customer credential with package scopes,
// that the token it revokes or rotates is no broader than itself.
func (r *Resolver) callerMayManage(ctx context.Context, customerID, tokenID string) error {
	if p := auth.FromContext(ctx); p == nil || p.Customer == nil || len(p.Customer.PackageScopes) == 0 {
		return nil
	}
	t, err := r.access.Token(ctx, customerID, tokenID)
	if err != nil {
		return err
	}
	return noBroaderThanCaller(ctx, t.PackageScopes)
}

// customerMayUpload lets a customer credential (which @hasRole admitted
// with scope developer or admin) upload only to packages it may install;
// others answer NOT_FOUND, as they would on the Composer endpoints.
func (r *Resolver) customerMayUpload(ctx context.Context, pkg string) error {
	p := auth.FromContext(ctx)
	if p == nil || p.Customer == nil {
		return nil
	}
	cred, err := r.access.CredentialOf(ctx, p.Customer)
	if err != nil {
		return err
	}
	e, err := r.access.Entitlement(ctx, cred, pkg)
	if err != nil {
		return err
	}
	if e == nil {
		return apperr.NotFoundf("package %q not found", pkg)
	}
	return nil
}
