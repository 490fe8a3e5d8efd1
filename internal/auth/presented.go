package auth

import (
	"net/http"
	"strings"

	"github.com/cargoman/cargoman/internal/apperr"
	"github.com/cargoman/cargoman/internal/secret"
)

// Where names the endpoint family a credential is presented to: they read
// the same headers, and differ only where documented.
type Where int

// Endpoint families.
const (
	// AtAPI is GraphQL and REST.
	AtAPI Where = iota + 1
	// AtComposer is packages.json, p2, dists and notify-batch.
	AtComposer
	// AtWebhook is /api/webhooks/{provider}: a customer's webhook token
	// may also come as ?token= in the webhook URL or as GitLab's
	// X-Gitlab-Token, since providers cannot send other headers.
	AtWebhook
)

// basicUser is the only HTTP Basic user name credentials are accepted
// under, as Composer's auth.json http-basic entries name it.
const basicUser = "token"

// Presented returns the secret a request presents, "" when it presents
// none. It is the one reader of credentials in requests:
//
//   - "Authorization: Bearer <secret>", the scheme in any case;
//   - HTTP Basic with user "token" and the secret as password;
//   - "X-Api-Key: <secret>";
//   - at webhooks only, a customer token in X-Gitlab-Token or ?token=.
//
// An Authorization header of another scheme, Basic of another user, or
// an empty secret is UNAUTHORIZED.
func Presented(r *http.Request, where Where) (string, error) {
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, rest, _ := strings.Cut(h, " ")
		switch {
		case strings.EqualFold(scheme, "Bearer"):
			if v := strings.TrimSpace(rest); v != "" {
				return v, nil
			}
		case strings.EqualFold(scheme, "Basic"):
			user, pass, ok := r.BasicAuth()
			if ok && user == basicUser && pass != "" {
				return pass, nil
			}
			return "", apperr.New(apperr.Unauthorized, "HTTP Basic credentials must have user %q and the token as password", basicUser)
		}
		return "", apperr.New(apperr.Unauthorized, "the Authorization header must be \"Bearer <token>\" or HTTP Basic with user %q", basicUser)
	}
	if v := strings.TrimSpace(r.Header.Get("X-Api-Key")); v != "" {
		return v, nil
	}
	if where != AtWebhook {
		return "", nil
	}
	// X-Gitlab-Token otherwise carries the package's webhook secret,
	// which is the signature check's, not a credential.
	if v := r.Header.Get("X-Gitlab-Token"); strings.HasPrefix(v, secret.CustomerPrefix) {
		return v, nil
	}
	return r.URL.Query().Get("token"), nil
}
