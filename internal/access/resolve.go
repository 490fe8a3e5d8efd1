package access

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

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
	"github.com/cargoman/cargoman/internal/validate"
)

// Credential is a customer credential that Resolve accepted.
type Credential struct {
	Customer *ent.Customer
	// Token is the customer token presented; nil for a JWT.
	Token *ent.CustomerToken
	// Claims are the presented JWT's; nil for a token.
	Claims *jwtauth.Claims
	// Minter is the customer token that issued the JWT (claim mby); nil
	// for tokens and for JWTs an API token issued.
	Minter *ent.CustomerToken
	// Scope and PackageScopes are the token's or the JWT's.
	Scope         customertoken.Scope
	PackageScopes []string
}

// CanDownload reports whether the credential may read Composer metadata
// and download archives (scopes admin, developer and download).
func (c *Credential) CanDownload() bool {
	return c.Scope == customertoken.ScopeAdmin || c.Scope == customertoken.ScopeDeveloper || c.Scope == customertoken.ScopeDownload
}

// CanUpload reports whether the credential may upload packages at all
// (scopes admin and developer); PublishCheck decides which.
func (c *Credential) CanUpload() bool { return auth.ScopeCanUpload(string(c.Scope)) }

// Expired reports whether the credential's own expiry (the token's
// expires_at, the JWT's exp) has passed, for callers that keep a
// resolved credential for a while.
func (c *Credential) Expired(now time.Time) bool {
	if c.Minter != nil && c.Minter.ExpiresAt != nil && !now.Before(*c.Minter.ExpiresAt) {
		return true
	}
	switch {
	case c.Token != nil && c.Token.ExpiresAt != nil:
		return !now.Before(*c.Token.ExpiresAt)
	case c.Claims != nil && c.Claims.ExpiresAt != nil:
		return !now.Before(c.Claims.ExpiresAt.Time)
	}
	return false
}

// Reaches reports whether the credential's package scopes include the
// package (no scopes: every package). Grants decide the rest.
func (c *Credential) Reaches(packageName string) bool {
	return validate.MatchPackageScopes(c.PackageScopes, packageName)
}

func invalidCredential() error { return apperr.New(apperr.Unauthorized, "the token is not valid") }

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
func (s *Service) Resolve(ctx context.Context, presented string) (*Credential, error) {
	switch {
	case strings.HasPrefix(presented, secret.CustomerPrefix):
		return s.ResolveToken(ctx, presented)
	case jwtauth.LooksLikeJWT(presented):
		return s.ResolveJWT(ctx, presented)
	}
	return nil, invalidCredential()
}

// ResolveToken resolves a customer token with one indexed lookup of the
// secret's hash.
func (s *Service) ResolveToken(ctx context.Context, plain string) (*Credential, error) {
	if !strings.HasPrefix(plain, secret.CustomerPrefix) {
		return nil, invalidCredential()
	}
	t, err := s.client.CustomerToken.Query().
		Where(customertoken.SecretHash(secret.Hash(plain))).
		WithCustomer().
		Only(tenancy.WithSystem(ctx))
	switch {
	case ent.IsNotFound(err):
		return nil, invalidCredential()
	case err != nil:
		return nil, fmt.Errorf("access: look up customer token: %w", err)
	case !secret.Equal(plain, t.SecretHash):
		return nil, invalidCredential()
	case t.RevokedAt != nil:
		return nil, apperr.New(apperr.Unauthorized, "the token was revoked")
	case t.ExpiresAt != nil && !s.now().Before(*t.ExpiresAt):
		return nil, apperr.New(apperr.Unauthorized, "the token expired at %s", t.ExpiresAt.UTC().Format(time.RFC3339))
	}
	if err := usable(t.Edges.Customer); err != nil {
		return nil, err
	}
	return &Credential{Customer: t.Edges.Customer, Token: t, Scope: t.Scope, PackageScopes: t.PackageScopes}, nil
}

// ResolveJWT resolves a customer JWT: Verify, then the customer it names
// must exist in the tenant it names and must not be suspended, and the
// customer token that issued it (claim mby), if any, must still exist
// unrevoked and unexpired: revoking a token revokes the JWTs it issued.
func (s *Service) ResolveJWT(ctx context.Context, raw string) (*Credential, error) {
	if s.jwt == nil {
		return nil, invalidCredential()
	}
	claims, err := s.jwt.Verify(raw)
	if err != nil {
		return nil, invalidCredential()
	}
	cu, err := s.client.Customer.Query().
		Where(customer.ID(claims.CustomerID()), customer.TenantID(claims.TenantID)).
		Only(tenancy.WithSystem(ctx))
	switch {
	case ent.IsNotFound(err):
		return nil, invalidCredential()
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
	return &Credential{Customer: cu, Claims: claims, Minter: minter, Scope: customertoken.Scope(claims.Scope), PackageScopes: claims.Packages}, nil
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
// credential's scope (see CanDownload).
func (s *Service) Entitlements(ctx context.Context, cred *Credential) ([]*Entitlement, error) {
	return s.entitlements(ctx, cred, nil)
}

// Entitlement returns what the credential's customer may install of the
// package named name, or nil when it may install nothing of it.
func (s *Service) Entitlement(ctx context.Context, cred *Credential, name string) (*Entitlement, error) {
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

func (s *Service) entitlements(ctx context.Context, cred *Credential, only *string) ([]*Entitlement, error) {
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

// ResolveCustomer resolves a customer token or JWT presented to the API
// (auth.CustomerResolver): the same rules as for Composer requests, so a
// revoked, expired or suspended credential fails the same way.
func (s *Service) ResolveCustomer(ctx context.Context, presented string) (*auth.CustomerCredential, string, error) {
	c, err := s.Resolve(ctx, presented)
	if err != nil {
		return nil, "", err
	}
	out := &auth.CustomerCredential{CustomerID: c.Customer.ID, Scope: string(c.Scope), PackageScopes: c.PackageScopes}
	switch {
	case c.Token != nil:
		out.TokenID = c.Token.ID
		out.ExpiresAt = c.Token.ExpiresAt
	case c.Claims != nil:
		out.JWTID = c.Claims.ID
		out.MintedBy = c.Claims.MintedBy
		if c.Claims.ExpiresAt != nil {
			exp := c.Claims.ExpiresAt.Time
			out.ExpiresAt = &exp
		}
	}
	return out, c.Customer.TenantID, nil
}

// CredentialOf loads the customer of an API principal's customer
// credential, for the checks Composer requests make (entitlements).
func (s *Service) CredentialOf(ctx context.Context, c *auth.CustomerCredential) (*Credential, error) {
	cu, err := s.client.Customer.Get(ctx, c.CustomerID)
	if ent.IsNotFound(err) {
		return nil, invalidCredential()
	}
	if err != nil {
		return nil, fmt.Errorf("access: load customer %s: %w", c.CustomerID, err)
	}
	if err := usable(cu); err != nil {
		return nil, err
	}
	return &Credential{Customer: cu, Scope: customertoken.Scope(c.Scope), PackageScopes: c.PackageScopes}, nil
}
