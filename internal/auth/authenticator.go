package auth

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/cargoman/cargoman/ent"
	"github.com/cargoman/cargoman/ent/admintoken"
	"github.com/cargoman/cargoman/internal/secret"
	"github.com/cargoman/cargoman/internal/tenancy"
)

// Authenticator resolves secrets presented to the API into callers.
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
// default tenant; usage records when tokens were last used.
func NewAuthenticator(client *ent.Client, defaults Defaults, usage *UsageRecorder) *Authenticator {
	return &Authenticator{client: client, defaults: defaults, usage: usage, now: time.Now}
}

// AcceptCustomers lets customers use their own tokens and JWTs on the API,
// where fields admit them (their own tokens and grants, uploads).
func (a *Authenticator) AcceptCustomers(r CustomerResolver) { a.customers = r }

// errMissing means no credential was presented at all.
var errMissing = errors.New("no credential")

// Authenticate returns the caller of a presented secret. Unknown, revoked
// and expired secrets all fail with UNAUTHORIZED.
func (a *Authenticator) Authenticate(ctx context.Context, token string) (*Caller, error) {
	if token == "" {
		return nil, errMissing
	}
	if root := a.defaults.RootHash(); root != "" && secret.Equal(token, root) {
		return &Caller{Kind: KindRoot, Role: RoleOwner, TenantID: a.defaults.TenantID()}, nil
	}
	if !strings.HasPrefix(token, secret.AdminPrefix) {
		if a.customers == nil {
			return nil, InvalidToken()
		}
		c, err := a.customers.Resolve(ctx, token)
		if err != nil {
			return nil, err
		}
		if c.Token != nil {
			a.usage.TouchCustomerToken(c.Token.ID)
		}
		return c, nil
	}
	t, err := VerifyToken(tenancy.WithSystem(ctx), token, a.now(), "admin token",
		func(ctx context.Context, hash string) (*ent.AdminToken, error) {
			return a.client.AdminToken.Query().Where(admintoken.SecretHash(hash)).Only(ctx)
		},
		func(t *ent.AdminToken) Stored {
			return Stored{SecretHash: t.SecretHash, RevokedAt: t.RevokedAt, ExpiresAt: t.ExpiresAt}
		})
	if err != nil {
		return nil, err
	}
	a.usage.Touch(t.ID)
	return &Caller{Kind: KindAdminToken, Role: roleOf(t.Level), TenantID: t.TenantID, AdminTokenID: t.ID}, nil
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
			token, err := Presented(r, AtAPI)
			if err == nil {
				var c *Caller
				c, err = a.Authenticate(r.Context(), token)
				if err == nil {
					ctx := tenancy.WithTenant(WithCaller(r.Context(), c), c.TenantID)
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
