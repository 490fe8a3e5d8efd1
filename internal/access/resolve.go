package access

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/cargoman/cargoman/ent"
	"github.com/cargoman/cargoman/ent/customer"
	"github.com/cargoman/cargoman/ent/customerfreeze"
	"github.com/cargoman/cargoman/ent/customertoken"
	"github.com/cargoman/cargoman/internal/apperr"
	"github.com/cargoman/cargoman/internal/auth"
	"github.com/cargoman/cargoman/internal/jwtauth"
	"github.com/cargoman/cargoman/internal/secret"
	"github.com/cargoman/cargoman/internal/semver"
	"github.com/cargoman/cargoman/internal/tenancy"
)

// Resolve turns a presented secret (the password of HTTP Basic user
// "token", or a bearer token) into the customer credential it is: a
// customer token (cgm_tok_...) or a customer JWT. Unknown, revoked and
// expired credentials are UNAUTHORIZED; a suspended customer's are
// FORBIDDEN with the suspension reason. It reads across tenants: the
// credential names its tenant, which the caller should then put in the
// context (tenancy.WithTenant(ctx, cred.Customer.TenantID)).
//
// It does not record the token's use; last_used_at is the caller's (batch
// it, as auth.UsageRecorder does for CMA tokens).
func (s *Service) Resolve(ctx context.Context, presented string) (*auth.Caller, error) {
	switch {
	case strings.HasPrefix(presented, secret.CustomerPrefix):
		return s.ResolveToken(ctx, presented)
	case jwtauth.LooksLikeJWT(presented):
		return s.ResolveJWT(ctx, presented)
	}
	return nil, auth.InvalidToken()
}

// customerCaller is the Caller of a usable customer's credential.
func customerCaller(cu *ent.Customer, scope customertoken.Scope, packageScopes []string) *auth.Caller {
	return &auth.Caller{Kind: auth.KindCustomer, TenantID: cu.TenantID, Customer: cu, Scope: scope, PackageScopes: packageScopes}
}

// ResolveToken resolves a customer token with one indexed lookup of the
// secret's hash.
func (s *Service) ResolveToken(ctx context.Context, plain string) (*auth.Caller, error) {
	if !strings.HasPrefix(plain, secret.CustomerPrefix) {
		return nil, auth.InvalidToken()
	}
	t, err := auth.VerifyToken(tenancy.WithSystem(ctx), plain, s.now(), "customer token",
		func(ctx context.Context, hash string) (*ent.CustomerToken, error) {
			return s.client.CustomerToken.Query().Where(customertoken.SecretHash(hash)).WithCustomer().Only(ctx)
		},
		func(t *ent.CustomerToken) auth.Stored {
			return auth.Stored{SecretHash: t.SecretHash, RevokedAt: t.RevokedAt, ExpiresAt: t.ExpiresAt}
		})
	if err != nil {
		return nil, err
	}
	if err := usable(t.Edges.Customer); err != nil {
		return nil, err
	}
	c := customerCaller(t.Edges.Customer, t.Scope, t.PackageScopes)
	c.Token = t
	return c, nil
}

// ResolveJWT resolves a customer JWT: Verify, then the customer it names
// must exist in the tenant it names and must not be suspended, and the
// customer token that issued it (claim mby), if any, must still exist
// unrevoked and unexpired: revoking a token revokes the JWTs it issued.
func (s *Service) ResolveJWT(ctx context.Context, raw string) (*auth.Caller, error) {
	if s.jwt == nil {
		return nil, auth.InvalidToken()
	}
	claims, err := s.jwt.Verify(raw)
	if err != nil {
		return nil, auth.InvalidToken()
	}
	cu, err := s.client.Customer.Query().
		Where(customer.ID(claims.CustomerID()), customer.TenantID(claims.TenantID)).
		Only(tenancy.WithSystem(ctx))
	switch {
	case ent.IsNotFound(err):
		return nil, auth.InvalidToken()
	case err != nil:
		return nil, fmt.Errorf("access: look up customer of JWT: %w", err)
	}
	if err := usable(cu); err != nil {
		return nil, err
	}
	minter, err := s.minterOf(ctx, claims)
	if err != nil {
		return nil, err
	}
	c := customerCaller(cu, customertoken.Scope(claims.Scope), claims.Packages)
	c.Claims, c.Minter = claims, minter
	return c, nil
}

// minterOf loads the customer token that issued a JWT; nil when an API
// token issued it. A deleted, revoked or expired minter (or one of another
// customer) makes the JWT invalid.
func (s *Service) minterOf(ctx context.Context, claims *jwtauth.Claims) (*ent.CustomerToken, error) {
	if claims.MintedBy == "" {
		return nil, nil
	}
	t, err := s.client.CustomerToken.Query().
		Where(customertoken.ID(claims.MintedBy), customertoken.CustomerID(claims.CustomerID())).
		Only(tenancy.WithSystem(ctx))
	switch {
	case ent.IsNotFound(err):
		return nil, apperr.New(apperr.Unauthorized, "the token that issued this JWT no longer exists")
	case err != nil:
		return nil, fmt.Errorf("access: look up the issuer of a JWT: %w", err)
	case t.RevokedAt != nil:
		return nil, apperr.New(apperr.Unauthorized, "the token that issued this JWT was revoked")
	case t.ExpiresAt != nil && !s.now().Before(*t.ExpiresAt):
		return nil, apperr.New(apperr.Unauthorized, "the token that issued this JWT has expired")
	}
	return t, nil
}

// usable refuses the credentials of suspended customers.
func usable(cu *ent.Customer) error {
	if cu.Status != customer.StatusSuspended {
		return nil
	}
	if cu.SuspensionReason != nil && *cu.SuspensionReason != "" {
		return apperr.New(apperr.Forbidden, "access is suspended: %s", *cu.SuspensionReason)
	}
	return apperr.New(apperr.Forbidden, "access is suspended")
}

// Entitlement is what a customer may install of one package.
type Entitlement struct {
	Package *ent.ComposerPackage
	// Ways are the grants reaching the package (direct, collections).
	Ways []*PackageAccess
	// Freeze caps the versions while the customer is frozen; nil otherwise.
	Freeze     *ent.CustomerFreeze
	constraint semver.Constraint
}

// Allows reports whether the customer may install a version, given in
// normalized form (PackageVersion.version_normalized): one of the ways'
// constraints matches it and, when frozen, it is not newer than the
// frozen version (a frozen dev branch allows only itself).
func (e *Entitlement) Allows(normalizedVersion string) bool {
	return e.constraint.Matches(normalizedVersion)
}

// Entitlements lists what the credential's customer may install: every
// package a grant reaches that the credential's package scopes include,
// sorted by name. A suspended customer gets none. It does not check the
// credential's scope (see auth.Download).
func (s *Service) Entitlements(ctx context.Context, cred *auth.Caller) ([]*Entitlement, error) {
	return s.entitlements(ctx, cred, nil)
}

// Entitlement returns what the credential's customer may install of the
// package named name, or nil when it may install nothing of it.
func (s *Service) Entitlement(ctx context.Context, cred *auth.Caller, name string) (*Entitlement, error) {
	name = packageName(name)
	if !cred.Reaches(name) {
		return nil, nil
	}
	es, err := s.entitlements(ctx, cred, &name)
	if err != nil || len(es) == 0 {
		return nil, err
	}
	return es[0], nil
}

func (s *Service) entitlements(ctx context.Context, cred *auth.Caller, only *string) ([]*Entitlement, error) {
	cu := cred.Customer
	if cu.Status == customer.StatusSuspended {
		return nil, nil
	}
	ctx = tenancy.WithTenant(ctx, cu.TenantID)
	ways, err := customerPackages(ctx, s.client, cu.ID, only)
	if err != nil {
		return nil, err
	}
	freezes := map[string]*ent.CustomerFreeze{}
	if cu.Status == customer.StatusFrozen {
		q := s.client.CustomerFreeze.Query().Where(customerfreeze.CustomerID(cu.ID))
		if only != nil {
			q.Where(customerfreeze.PackageName(*only))
		}
		fs, err := q.All(ctx)
		if err != nil {
			return nil, fmt.Errorf("access: freeze list of %s: %w", cu.ID, err)
		}
		for _, f := range fs {
			freezes[f.PackageID] = f
		}
	}
	byPkg := map[string]*Entitlement{}
	for _, w := range ways {
		if !cred.Reaches(w.Package.Name) {
			continue
		}
		e := byPkg[w.Package.ID]
		if e == nil {
			e = &Entitlement{Package: w.Package, Freeze: freezes[w.Package.ID]}
			byPkg[w.Package.ID] = e
		}
		e.Ways = append(e.Ways, w)
	}
	out := make([]*Entitlement, 0, len(byPkg))
	for _, e := range byPkg {
		if err := e.build(); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Package.Name < out[j].Package.Name })
	return out, nil
}

// build combines the ways' constraints (any of them) with the freeze cap.
func (e *Entitlement) build() error {
	either := make([]semver.Constraint, 0, len(e.Ways))
	for _, w := range e.Ways {
		c, err := semver.ParseConstraint(w.Constraint)
		if err != nil {
			// Constraints are validated when written; this is a bug.
			return fmt.Errorf("access: stored constraint %q of %s: %w", w.Constraint, e.Package.Name, err)
		}
		either = append(either, c)
	}
	e.constraint = semver.CreateMultiConstraint(either, false)
	if e.Freeze != nil {
		op := "<="
		if strings.HasPrefix(e.Freeze.VersionNormalized, "dev-") {
			op = "=="
		}
		capAt, err := semver.NewVersionConstraint(op, e.Freeze.VersionNormalized)
		if err != nil {
			return fmt.Errorf("access: freeze of %s: %w", e.Package.Name, err)
		}
		e.constraint = semver.CreateMultiConstraint([]semver.Constraint{e.constraint, capAt}, true)
	}
	return nil
}
