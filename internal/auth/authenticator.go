package auth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/cargoman/cargoman/ent"
	"github.com/cargoman/cargoman/ent/admintoken"
	"github.com/cargoman/cargoman/internal/apperr"
	"github.com/cargoman/cargoman/internal/secret"
	"github.com/cargoman/cargoman/internal/tenancy"
)

// Authenticator resolves presented secrets into principals.
type Authenticator struct {
	client *ent.Client
	// defaults are the root token's hash and the default tenant.
	defaults Defaults
	usage    *UsageRecorder
	// customers resolves customer tokens and JWTs; nil refuses them.
	customers CustomerResolver
	now       func() time.Time
}

// Defaults are what the root token needs, read at every request since
// they change when the database is replaced under a running instance
// (bootstrap.Current).
type Defaults interface {
	// RootHash is the hash of the root ADMIN_TOKEN.
	RootHash() string
	// TenantID is the tenant of the root token in single-tenant mode.
	TenantID() string
}

// NewAuthenticator returns an Authenticator for the root token and the
// default tenant; usage records when CMA tokens were last used.
func NewAuthenticator(client *ent.Client, defaults Defaults, usage *UsageRecorder) *Authenticator {
	return &Authenticator{client: client, defaults: defaults, usage: usage, now: time.Now}
}

// AcceptCustomers lets customers use their own tokens and JWTs on the API,
// where fields admit them (their own tokens and grants, uploads).
func (a *Authenticator) AcceptCustomers(r CustomerResolver) { a.customers = r }

// errMissing means no credential was presented at all.
var errMissing = errors.New("no credential")

// Credential extracts the secret from "Authorization: Bearer <token>" or
// "X-Api-Key: <token>". It returns "" when neither header is present.
func Credential(r *http.Request) (string, error) {
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, token, ok := strings.Cut(h, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
			return "", apperr.New(apperr.Unauthorized, "the Authorization header must be \"Bearer <token>\"")
		}
		return strings.TrimSpace(token), nil
	}
	return strings.TrimSpace(r.Header.Get("X-Api-Key")), nil
}

// Authenticate returns the principal of a presented secret. Unknown, revoked
// and expired secrets all fail with UNAUTHORIZED.
func (a *Authenticator) Authenticate(ctx context.Context, token string) (*Principal, error) {
	if token == "" {
		return nil, errMissing
	}
	if root := a.defaults.RootHash(); root != "" && secret.Equal(token, root) {
		return &Principal{Kind: KindRoot, Role: RoleOwner, TenantID: a.defaults.TenantID()}, nil
	}
	if !strings.HasPrefix(token, secret.AdminPrefix) {
		if a.customers == nil {
			return nil, apperr.New(apperr.Unauthorized, "the token is not valid")
		}
		c, tenantID, err := a.customers.ResolveCustomer(ctx, token)
		if err != nil {
			return nil, err
		}
		if c.TokenID != "" {
			a.usage.TouchCustomerToken(c.TokenID)
		}
		return &Principal{Kind: KindCustomer, TenantID: tenantID, Customer: c}, nil
	}
	hash := secret.Hash(token)
	t, err := a.client.AdminToken.Query().
		Where(admintoken.SecretHash(hash)).
		Only(tenancy.WithSystem(ctx))
	switch {
	case ent.IsNotFound(err):
		return nil, apperr.New(apperr.Unauthorized, "the token is not valid")
	case err != nil:
		return nil, fmt.Errorf("auth: look up admin token: %w", err)
	case !secret.Equal(token, t.SecretHash):
		return nil, apperr.New(apperr.Unauthorized, "the token is not valid")
	case t.RevokedAt != nil:
		return nil, apperr.New(apperr.Unauthorized, "the token was revoked")
	case t.ExpiresAt != nil && !a.now().Before(*t.ExpiresAt):
		return nil, apperr.New(apperr.Unauthorized, "the token expired at %s", t.ExpiresAt.UTC().Format(time.RFC3339))
	}
	a.usage.Touch(t.ID)
	return &Principal{Kind: KindAdminToken, Role: roleOf(t.Level), TenantID: t.TenantID, TokenID: t.ID}, nil
}

func roleOf(l admintoken.Level) Role {
	switch l {
	case admintoken.LevelOwner:
		return RoleOwner
	case admintoken.LevelAdmin:
		return RoleAdmin
	default:
		return RoleViewer
	}
}

// Middleware authenticates each request. A request without a credential
// goes on anonymously (field rules then answer UNAUTHORIZED where needed);
// a request with a bad one is answered by reject and goes no further.
func (a *Authenticator) Middleware(reject func(http.ResponseWriter, *http.Request, error)) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			token, err := Credential(r)
			if err == nil {
				var p *Principal
				p, err = a.Authenticate(r.Context(), token)
				if err == nil {
					ctx := tenancy.WithTenant(WithPrincipal(r.Context(), p), p.TenantID)
					next.ServeHTTP(w, r.WithContext(ctx))
					return
				}
			}
			if errors.Is(err, errMissing) {
				next.ServeHTTP(w, r)
				return
			}
			reject(w, r, err)
		})
	}
}
