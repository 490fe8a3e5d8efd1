package auth

import (
	"strings"

	"github.com/cargoman/cargoman/ent/customertoken"
	"github.com/cargoman/cargoman/internal/apperr"
)

// Capability is something a customer credential may do. Scopes are names
// for sets of capabilities; this file is the one place that says which.
type Capability int

// Capabilities of customer credentials.
const (
	// Download reads Composer metadata and downloads archives.
	Download Capability = iota + 1
	// Upload publishes versions (access.PublishCheck adds what the grant
	// must allow).
	Upload
	// ManageSelf manages the customer's own tokens, JWTs and grants list.
	ManageSelf
	// Webhook triggers syncs in place of a webhook signature.
	Webhook
)

func (c Capability) String() string {
	switch c {
	case Download:
		return "download packages"
	case Upload:
		return "upload"
	case ManageSelf:
		return "manage its customer"
	case Webhook:
		return "call webhooks"
	}
	return "do this"
}

// scopeCapabilities is the scope → capability table.
var scopeCapabilities = map[customertoken.Scope][]Capability{
	customertoken.ScopeAdmin:     {Download, Upload, ManageSelf},
	customertoken.ScopeDeveloper: {Download, Upload},
	customertoken.ScopeDownload:  {Download},
	customertoken.ScopeWebhook:   {Webhook},
}

// ScopeAllows reports whether a customer credential of scope has cap.
func ScopeAllows(scope customertoken.Scope, capability Capability) bool {
	for _, c := range scopeCapabilities[scope] {
		if c == capability {
			return true
		}
	}
	return false
}

// ScopesWith lists the scopes that have cap, narrowest first, for
// messages that say what is needed.
func ScopesWith(capability Capability) []customertoken.Scope {
	var out []customertoken.Scope
	for _, s := range []customertoken.Scope{customertoken.ScopeWebhook, customertoken.ScopeDownload, customertoken.ScopeDeveloper, customertoken.ScopeAdmin} {
		if ScopeAllows(s, capability) {
			out = append(out, s)
		}
	}
	return out
}

// Can reports whether c has cap: a customer credential by its scope; API
// tokens are not customers and have none of these (their Role decides).
func (c *Caller) Can(capability Capability) bool {
	return c.IsCustomer() && ScopeAllows(c.Scope, capability)
}

// Require refuses a customer credential without cap with FORBIDDEN,
// naming the scopes that have it.
func (c *Caller) Require(capability Capability) error {
	if c.Can(capability) {
		return nil
	}
	names := make([]string, 0, 4)
	for _, s := range ScopesWith(capability) {
		names = append(names, string(s))
	}
	list := strings.Join(names, " or ")
	if n := len(names); n > 2 {
		list = strings.Join(names[:n-1], ", ") + " or " + names[n-1]
	}
	return apperr.New(apperr.Forbidden, "a %s-scoped customer token cannot %s; that needs scope %s", c.Scope, capability, list)
}
