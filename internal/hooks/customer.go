package hooks

import (
	"context"
	"net/http"
	"strings"

	"github.com/cargoman/cargoman/ent"
	"github.com/cargoman/cargoman/internal/apperr"
	"github.com/cargoman/cargoman/internal/auth"
	"github.com/cargoman/cargoman/internal/httperr"
	"github.com/cargoman/cargoman/internal/jwtauth"
	"github.com/cargoman/cargoman/internal/secret"
	"github.com/cargoman/cargoman/internal/webhook"
)

// customer resolves the customer token a delivery presents instead of a
// signature; nil when it presents none (or customer tokens are not
// accepted). Only webhook-scoped tokens may call webhooks.
func (h *Handler) customer(r *http.Request) (*auth.Caller, error) {
	if h.customers == nil {
		return nil, nil
	}
	presented, err := auth.Presented(r, auth.AtWebhook)
	if err != nil || !strings.HasPrefix(presented, secret.CustomerPrefix) && !jwtauth.LooksLikeJWT(presented) {
		return nil, nil // a signed delivery; other headers are not ours
	}
	cred, err := h.customers.Resolve(r.Context(), presented)
	if err != nil {
		return nil, err
	}
	if err := cred.Require(auth.Webhook); err != nil {
		return nil, err
	}
	return cred, nil
}

// serveCustomer handles a delivery authenticated by a customer's webhook
// token: it may sync only packages the customer may install; others are
// as if no package used the repository.
func (h *Handler) serveCustomer(ctx context.Context, w http.ResponseWriter, provider webhook.Provider, d *webhook.Delivery, parseErr error, candidates []*ent.ComposerPackage, cred *auth.Caller) {
	if parseErr != nil {
		h.reject(ctx, provider, nil, parseErr.Error())
		httperr.REST(w, apperr.New(apperr.Validation, "%s", parseErr.Error()))
		return
	}
	var matched []*ent.ComposerPackage
	for _, p := range candidates {
		e, err := h.customers.Entitlement(ctx, cred, p.Name)
		if err != nil {
			h.fail(w, err)
			return
		}
		if e != nil {
			matched = append(matched, p)
		}
	}
	h.process(ctx, w, provider, d, matched)
}

// asAppErr keeps API errors and hides anything else behind INTERNAL_ERROR.
func asAppErr(err error) *apperr.Error {
	if e, ok := apperr.As(err); ok {
		return e
	}
	return apperr.New(apperr.Internal, "the token could not be checked")
}
