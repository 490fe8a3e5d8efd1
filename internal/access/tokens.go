package access

import (
	"context"
	"fmt"
	"time"

	"github.com/cargoman/cargoman/ent"
	"github.com/cargoman/cargoman/ent/customertoken"
	"github.com/cargoman/cargoman/internal/apperr"
	"github.com/cargoman/cargoman/internal/jwtauth"
	"github.com/cargoman/cargoman/internal/secret"
	"github.com/cargoman/cargoman/internal/validate"
)

// LegacyTokenName is the name of every legacy token.
const LegacyTokenName = "Legacy token"

// TokenInput describes a new customer token.
type TokenInput struct {
	CustomerID    string
	Name          string
	Scope         customertoken.Scope
	PackageScopes []string
	ExpiresAt     *time.Time
	// MintedBy is the customer token whose credential creates this one
	// (auth.Caller.MinterID); "" when an API token does.
	MintedBy string
}

// checkPackageScopes validates package scopes as field.
func checkPackageScopes(field string, scopes []string) ([]string, error) {
	if scopes == nil {
		scopes = []string{}
	}
	if err := validate.PackageScopes(scopes); err != nil {
		return nil, apperr.Invalid(field, "%s: %s", field, err)
	}
	return scopes, nil
}

// CreateToken creates a customer token and returns it with its secret,
// which is not kept.
func (s *Service) CreateToken(ctx context.Context, in TokenInput) (*ent.CustomerToken, string, error) {
	if in.ExpiresAt != nil && !in.ExpiresAt.After(s.now()) {
		return nil, "", apperr.Invalid("expiresAt", "expiresAt must be in the future")
	}
	scopes, err := checkPackageScopes("packageScopes", in.PackageScopes)
	if err != nil {
		return nil, "", err
	}
	if _, err := getCustomer(ctx, s.client, in.CustomerID); err != nil {
		return nil, "", err
	}
	plain, err := secret.New(secret.CustomerPrefix)
	if err != nil {
		return nil, "", err
	}
	var expires *time.Time
	if in.ExpiresAt != nil {
		e := in.ExpiresAt.UTC()
		expires = &e
	}
	create := s.client.CustomerToken.Create().
		SetCustomerID(in.CustomerID).
		SetName(in.Name).
		SetScope(in.Scope).
		SetPackageScopes(scopes).
		SetSecretHash(secret.Hash(plain)).
		SetPrefix(secret.Visible(plain)).
		SetNillableExpiresAt(expires)
	if in.MintedBy != "" {
		create.SetMintedBy(in.MintedBy)
	}
	t, err := create.Save(ctx)
	if err != nil {
		return nil, "", err
	}
	return t, plain, nil
}

// Token returns a token of a customer. A token of another customer is not
// found, like an unknown one.
func (s *Service) Token(ctx context.Context, customerID, id string) (*ent.CustomerToken, error) {
	t, err := s.client.CustomerToken.Query().
		Where(customertoken.ID(id), customertoken.CustomerID(customerID)).
		Only(ctx)
	if ent.IsNotFound(err) {
		if _, cerr := getCustomer(ctx, s.client, customerID); cerr != nil {
			return nil, cerr
		}
		return nil, apperr.NotFoundf("customer %q has no token %q", customerID, id)
	}
	return t, err
}

// RevokeToken makes a token stop working at once, with every token it
// minted, transitively, in one transaction (JWTs it issued check their
// minter when presented); revoking it again changes nothing.
func (s *Service) RevokeToken(ctx context.Context, customerID, id string) (*ent.CustomerToken, error) {
	t, err := s.Token(ctx, customerID, id)
	if err != nil {
		return nil, err
	}
	if t.RevokedAt != nil {
		return t, nil
	}
	err = s.withTx(ctx, func(c *ent.Client) (err error) {
		now := s.now()
		if t, err = c.CustomerToken.UpdateOneID(t.ID).SetRevokedAt(now).Save(ctx); err != nil {
			return err
		}
		return revokeMinted(ctx, c, t.ID, now)
	})
	if err != nil {
		return nil, err
	}
	return t.Unwrap(), nil
}

// RotateToken gives a token a new secret, keeping everything else; the old
// secret's hash is overwritten, so the old secret stops working at once.
// Revoked and expired tokens cannot be rotated.
func (s *Service) RotateToken(ctx context.Context, customerID, id string) (*ent.CustomerToken, string, error) {
	t, err := s.Token(ctx, customerID, id)
	if err != nil {
		return nil, "", err
	}
	switch {
	case t.RevokedAt != nil:
		return nil, "", apperr.Invalid("id", "token %q was revoked; create a new one instead", id)
	case t.ExpiresAt != nil && !t.ExpiresAt.After(s.now()):
		return nil, "", apperr.Invalid("id", "token %q has expired; create a new one instead", id)
	}
	plain, err := secret.New(secret.CustomerPrefix)
	if err != nil {
		return nil, "", err
	}
	// Conditional on the token still being unrevoked, so a concurrent
	// revoke cannot be undone by a rotation.
	var n int
	err = s.withTx(ctx, func(c *ent.Client) (err error) {
		n, err = c.CustomerToken.Update().
			Where(customertoken.ID(t.ID), customertoken.RevokedAtIsNil()).
			SetSecretHash(secret.Hash(plain)).
			SetPrefix(secret.Visible(plain)).
			Save(ctx)
		return err
	})
	if err != nil {
		return nil, "", err
	}
	if n == 0 {
		return nil, "", apperr.Invalid("id", "token %q was revoked; create a new one instead", id)
	}
	t, err = s.client.CustomerToken.Get(ctx, t.ID)
	if err != nil {
		return nil, "", err
	}
	return t, plain, nil
}

// RegenerateLegacyToken creates the customer's legacy token (scope admin,
// all packages, no expiry), deleting the one it had.
func (s *Service) RegenerateLegacyToken(ctx context.Context, customerID string) (*ent.CustomerToken, string, error) {
	plain, err := secret.New(secret.CustomerPrefix)
	if err != nil {
		return nil, "", err
	}
	var t *ent.CustomerToken
	err = s.withTx(ctx, func(c *ent.Client) error {
		if _, err := s.lockCustomer(ctx, c, customerID); err != nil {
			return err
		}
		old, err := c.CustomerToken.Query().
			Where(customertoken.CustomerID(customerID), customertoken.Legacy(true)).
			IDs(ctx)
		if err != nil {
			return fmt.Errorf("access: find legacy token: %w", err)
		}
		for _, id := range old {
			if err := revokeMinted(ctx, c, id, s.now()); err != nil {
				return err
			}
			if err := c.CustomerToken.DeleteOneID(id).Exec(ctx); err != nil {
				return fmt.Errorf("access: delete legacy token: %w", err)
			}
		}
		t, err = c.CustomerToken.Create().
			SetCustomerID(customerID).
			SetName(LegacyTokenName).
			SetScope(customertoken.ScopeAdmin).
			SetPackageScopes([]string{}).
			SetSecretHash(secret.Hash(plain)).
			SetPrefix(secret.Visible(plain)).
			SetLegacy(true).
			Save(ctx)
		return err
	})
	if err != nil {
		return nil, "", err
	}
	return t.Unwrap(), plain, nil
}

// DeleteLegacyToken deletes the customer's legacy token and returns its id.
func (s *Service) DeleteLegacyToken(ctx context.Context, customerID string) (string, error) {
	var id string
	err := s.withTx(ctx, func(c *ent.Client) error {
		if _, err := s.lockCustomer(ctx, c, customerID); err != nil {
			return err
		}
		t, err := c.CustomerToken.Query().
			Where(customertoken.CustomerID(customerID), customertoken.Legacy(true)).
			Only(ctx)
		if ent.IsNotFound(err) {
			return apperr.NotFoundf("customer %q has no legacy token", customerID)
		}
		if err != nil {
			return err
		}
		id = t.ID
		if err := revokeMinted(ctx, c, t.ID, s.now()); err != nil {
			return err
		}
		return c.CustomerToken.DeleteOne(t).Exec(ctx)
	})
	return id, err
}

// JWTInput asks for a customer JWT.
type JWTInput struct {
	CustomerID    string
	TTL           time.Duration
	Scope         customertoken.Scope
	PackageScopes []string
	// MintedBy is the customer token whose credential asks (claim mby);
	// the JWT works only while that token does. "" for API tokens.
	MintedBy string
}

// IssueJWT signs a JWT for the customer. Without JWT_SECRET it answers
// FEATURE_NOT_AVAILABLE.
func (s *Service) IssueJWT(ctx context.Context, in JWTInput) (string, time.Time, error) {
	if s.jwt == nil {
		return "", time.Time{}, apperr.New(apperr.FeatureNotAvailable, "JWT_SECRET is not configured")
	}
	if in.TTL < jwtauth.MinTTL || in.TTL > jwtauth.MaxTTL {
		return "", time.Time{}, apperr.Invalid("ttlSeconds", "ttlSeconds must be between %d and %d (30 days)",
			int(jwtauth.MinTTL.Seconds()), int(jwtauth.MaxTTL.Seconds()))
	}
	scopes, err := checkPackageScopes("packageScopes", in.PackageScopes)
	if err != nil {
		return "", time.Time{}, err
	}
	cu, err := getCustomer(ctx, s.client, in.CustomerID)
	if err != nil {
		return "", time.Time{}, err
	}
	token, claims, err := s.jwt.Issue(jwtauth.Grant{
		CustomerID: cu.ID,
		TenantID:   cu.TenantID,
		Scope:      string(in.Scope),
		Packages:   scopes,
		TTL:        in.TTL,
		MintedBy:   in.MintedBy,
	})
	if err != nil {
		return "", time.Time{}, err
	}
	return token, claims.ExpiresAt.UTC(), nil
}

// revokeMinted revokes, at now, every token minted by the token id and by
// the tokens they minted, transitively; c must be a transaction's client
// so that the chain is revoked whole or not at all. Tokens already revoked
// keep their time but are still followed.
func revokeMinted(ctx context.Context, c *ent.Client, id string, now time.Time) error {
	seen := map[string]bool{id: true}
	for frontier := []string{id}; len(frontier) > 0; {
		children, err := c.CustomerToken.Query().Where(customertoken.MintedByIn(frontier...)).IDs(ctx)
		if err != nil {
			return fmt.Errorf("access: find tokens minted by %s: %w", id, err)
		}
		frontier = frontier[:0]
		for _, child := range children {
			if !seen[child] {
				seen[child] = true
				frontier = append(frontier, child)
			}
		}
		if len(frontier) == 0 {
			return nil
		}
		if _, err := c.CustomerToken.Update().
			Where(customertoken.IDIn(frontier...), customertoken.RevokedAtIsNil()).
			SetRevokedAt(now).
			Save(ctx); err != nil {
			return fmt.Errorf("access: revoke tokens minted by %s: %w", id, err)
		}
	}
	return nil
}
