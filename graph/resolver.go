// Package graph implements the GraphQL API, Cargoman's primary interface.
// Resolvers stay thin: ent does the data work, ent schema validators and
// hooks enforce the rules, and the @hasRole directive authorizes.
package graph

import (
	"time"

	"github.com/cargoman/cargoman/ent"
	"github.com/cargoman/cargoman/internal/access"
	"github.com/cargoman/cargoman/internal/auth"
	"github.com/cargoman/cargoman/internal/knownhosts"
	"github.com/cargoman/cargoman/internal/packages"
	"github.com/cargoman/cargoman/internal/stats"
)

// Resolver holds what resolvers share.
type Resolver struct {
	client   *ent.Client
	packages *packages.Service
	access   *access.Service
	// adminTokens manages CMA tokens.
	adminTokens *auth.AdminTokens
	stats       *stats.Service
	// knownHosts is the tenant's trusted ssh host keys.
	knownHosts *knownhosts.Store
	now        func() time.Time
}

// Deps are the services the resolvers use.
type Deps struct {
	Client   *ent.Client
	Packages *packages.Service
	Access   *access.Service
	Stats    *stats.Service
	// AdminTokens manages CMA tokens.
	AdminTokens *auth.AdminTokens
	// KnownHosts is the store of trusted ssh host keys.
	KnownHosts *knownhosts.Store
}

func newResolver(d Deps) *Resolver {
	return &Resolver{
		client:      d.Client,
		packages:    d.Packages,
		access:      d.Access,
		adminTokens: d.AdminTokens,
		stats:       d.Stats,
		knownHosts:  d.KnownHosts,
		now:         func() time.Time { return time.Now().UTC() },
	}
}
