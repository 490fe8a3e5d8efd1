package auth

import (
	"context"
	"fmt"
	"time"

	"github.com/cargoman/cargoman/ent"
	"github.com/cargoman/cargoman/internal/apperr"
	"github.com/cargoman/cargoman/internal/secret"
)

// Stored is what verifying a presented secret needs of a stored token
// (CMA tokens and customer tokens alike).
type Stored struct {
	SecretHash string
	RevokedAt  *time.Time
	ExpiresAt  *time.Time
}

// VerifyToken is the one token verifier: it looks the token up by the
// hash of the presented secret (one indexed lookup; ent's not-found is an
// unknown token), compares in constant time, and refuses revoked and
// expired tokens. Every refusal is UNAUTHORIZED. what names the token
// kind in wrapped lookup errors.
func VerifyToken[T any](ctx context.Context, presented string, now time.Time, what string,
	lookup func(ctx context.Context, hash string) (T, error), stored func(T) Stored) (T, error) {
	var zero T
	t, err := lookup(ctx, secret.Hash(presented))
	switch {
	case ent.IsNotFound(err):
		return zero, InvalidToken()
	case err != nil:
		return zero, fmt.Errorf("auth: look up %s: %w", what, err)
	}
	s := stored(t)
	switch {
	case !secret.Equal(presented, s.SecretHash):
		return zero, InvalidToken()
	case s.RevokedAt != nil:
		return zero, apperr.New(apperr.Unauthorized, "the token was revoked")
	case s.ExpiresAt != nil && !now.Before(*s.ExpiresAt):
		return zero, apperr.New(apperr.Unauthorized, "the token expired at %s", s.ExpiresAt.UTC().Format(time.RFC3339))
	}
	return t, nil
}

// InvalidToken is the refusal of an unknown or malformed credential: it
// says no more, so that probing learns nothing.
func InvalidToken() error { return apperr.New(apperr.Unauthorized, "the token is not valid") }
