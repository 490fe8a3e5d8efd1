package graph

import (
	"context"

	"github.com/cargoman/cargoman/ent"
	"github.com/cargoman/cargoman/ent/admintoken"
	"github.com/cargoman/cargoman/ent/collection"
	"github.com/cargoman/cargoman/ent/collectiongrant"
	"github.com/cargoman/cargoman/ent/customer"
	"github.com/cargoman/cargoman/ent/customerfreeze"
	"github.com/cargoman/cargoman/ent/customertoken"
	"github.com/cargoman/cargoman/ent/packagegrant"
	"github.com/cargoman/cargoman/ent/tenant"
	"github.com/cargoman/cargoman/internal/auth"
	"github.com/cargoman/cargoman/internal/ids"
)

// nodeTables maps id prefixes to the tables node(id:) may read. CMA tokens
// are left out: only owners may see them, through adminTokens.
var nodeTables = map[string]string{
	ids.Customer:        customer.Table,
	ids.Tenant:          tenant.Table,
	ids.CustomerToken:   customertoken.Table,
	ids.PackageGrant:    packagegrant.Table,
	ids.Collection:      collection.Table,
	ids.CollectionGrant: collectiongrant.Table,
	ids.CustomerFreeze:  customerfreeze.Table,
}

// nodeType resolves an id to its table by prefix. A tenant id other than
// the caller's own reads as not found, like any row of another tenant.
func nodeType(ctx context.Context, id string) (string, error) {
	prefix := ids.Prefix(id)
	table, ok := nodeTables[prefix]
	if prefix == ids.AdminToken {
		if p := auth.FromContext(ctx); p != nil && p.Role.Covers(auth.RoleOwner) {
			return admintoken.Table, nil
		}
	}
	if !ok || (prefix == ids.Tenant && auth.FromContext(ctx).TenantID != id) {
		return "", &ent.NotFoundError{}
	}
	return table, nil
}
