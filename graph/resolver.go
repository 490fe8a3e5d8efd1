// Package graph implements the GraphQL API, Cargoman's primary interface.
// Resolvers stay thin: ent does the data work, ent schema validators and
// hooks enforce the rules, and the @hasRole directive authorizes.
package graph

import (
	"time"

	"github.com/cargoman/cargoman/ent"
)

// Resolver holds what resolvers share.
type Resolver struct {
	client *ent.Client
	now    func() time.Time
}
