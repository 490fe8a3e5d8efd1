// Package graph implements the GraphQL API, Cargoman's primary interface.
// Resolvers stay thin: ent does the data work, ent schema validators and
// hooks enforce the rules, and the @hasRole directive authorizes.
package graph

import (
	"time"

	"github.com/cargoman/cargoman/ent"
	"github.com/cargoman/cargoman/internal/packages"
)

// Resolver holds what resolvers share.
type Resolver struct {
	client   *ent.Client
	packages *packages.Service
	now      func() time.Time
}

// Deps are the services the resolvers use.
type Deps struct {
	Client   *ent.Client
	Packages *packages.Service
}
