package access

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/cargoman/cargoman/ent"
	"github.com/cargoman/cargoman/ent/collection"
	"github.com/cargoman/cargoman/ent/collectiongrant"
	"github.com/cargoman/cargoman/ent/composerpackage"
	"github.com/cargoman/cargoman/ent/packagegrant"
)

// SourceDirect is the source of a direct grant; other sources are the
// slugs of collections.
const SourceDirect = "direct"

// PackageAccess is one way a customer reaches a package.
type PackageAccess struct {
	Package    *ent.ComposerPackage
	Constraint string
	// CanPublish is the direct grant's can_publish; collections never
	// let a customer publish.
	CanPublish bool
	// Source is SourceDirect or the slug of Collection.
	Source     string
	Collection *ent.Collection
	// CreatedAt is when the grant or collection grant was made.
	CreatedAt time.Time
}

// PackageName is the name of the package.
func (a *PackageAccess) PackageName() string { return a.Package.Name }

// CustomerAccess is one way a customer reaches a package, seen from the
// package.
type CustomerAccess struct {
	Customer   *ent.Customer
	Constraint string
	Source     string
	Collection *ent.Collection
	CreatedAt  time.Time
}

// DirectAccess presents a direct grant (its package edge loaded) as
// PackageAccess.
func DirectAccess(g *ent.PackageGrant) *PackageAccess {
	return &PackageAccess{Package: g.Edges.Package, Constraint: g.Constraint, CanPublish: g.CanPublish, Source: SourceDirect, CreatedAt: g.CreatedAt}
}

// CustomerPackages lists every way the customer reaches a package: direct
// grants, then the packages of its collections, sorted by package name and
// then source (direct first, then collection slugs).
func (s *Service) CustomerPackages(ctx context.Context, customerID string) ([]*PackageAccess, error) {
	return customerPackages(ctx, s.client, customerID, nil)
}

// customerPackages lists the customer's ways to packages; only would
// narrow them to one package.
func customerPackages(ctx context.Context, c *ent.Client, customerID string, only *string) ([]*PackageAccess, error) {
	direct := c.PackageGrant.Query().Where(packagegrant.CustomerID(customerID))
	colGrants := c.CollectionGrant.Query().Where(collectiongrant.CustomerID(customerID))
	pkgFilter := func(q *ent.ComposerPackageQuery) {}
	if only != nil {
		direct.Where(packagegrant.HasPackageWith(composerpackage.Name(*only)))
		colGrants.Where(collectiongrant.HasCollectionWith(collection.HasPackagesWith(composerpackage.Name(*only))))
		pkgFilter = func(q *ent.ComposerPackageQuery) { q.Where(composerpackage.Name(*only)) }
	}
	grants, err := direct.WithPackage().All(ctx)
	if err != nil {
		return nil, fmt.Errorf("access: list grants of %s: %w", customerID, err)
	}
	cgs, err := colGrants.WithCollection(func(q *ent.CollectionQuery) { q.WithPackages(pkgFilter) }).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("access: list collection grants of %s: %w", customerID, err)
	}
	out := make([]*PackageAccess, 0, len(grants))
	for _, g := range grants {
		out = append(out, DirectAccess(g))
	}
	for _, cg := range cgs {
		col := cg.Edges.Collection
		for _, p := range col.Edges.Packages {
			out = append(out, &PackageAccess{Package: p, Constraint: cg.Constraint, Source: col.Slug, Collection: col, CreatedAt: cg.CreatedAt})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Package.Name != b.Package.Name {
			return a.Package.Name < b.Package.Name
		}
		return sourceLess(a.Source, b.Source)
	})
	return out, nil
}

// sourceLess orders direct before collection slugs, slugs alphabetically.
func sourceLess(a, b string) bool {
	if a == SourceDirect || b == SourceDirect {
		return a == SourceDirect && b != SourceDirect
	}
	return a < b
}

// PackageCustomers lists every way a customer reaches the package, sorted
// by customer name (then id), direct grants before collections.
func (s *Service) PackageCustomers(ctx context.Context, packageID string) ([]*CustomerAccess, error) {
	grants, err := s.client.PackageGrant.Query().
		Where(packagegrant.PackageID(packageID)).
		WithCustomer().
		All(ctx)
	if err != nil {
		return nil, fmt.Errorf("access: list grants of package %s: %w", packageID, err)
	}
	cgs, err := s.client.CollectionGrant.Query().
		Where(collectiongrant.HasCollectionWith(collection.HasPackagesWith(composerpackage.ID(packageID)))).
		WithCustomer().
		WithCollection().
		All(ctx)
	if err != nil {
		return nil, fmt.Errorf("access: list collection grants of package %s: %w", packageID, err)
	}
	out := make([]*CustomerAccess, 0, len(grants)+len(cgs))
	for _, g := range grants {
		out = append(out, &CustomerAccess{Customer: g.Edges.Customer, Constraint: g.Constraint, Source: SourceDirect, CreatedAt: g.CreatedAt})
	}
	for _, cg := range cgs {
		out = append(out, &CustomerAccess{Customer: cg.Edges.Customer, Constraint: cg.Constraint, Source: cg.Edges.Collection.Slug,
			Collection: cg.Edges.Collection, CreatedAt: cg.CreatedAt})
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		switch {
		case a.Customer.Name != b.Customer.Name:
			return a.Customer.Name < b.Customer.Name
		case a.Customer.ID != b.Customer.ID:
			return a.Customer.ID < b.Customer.ID
		}
		return sourceLess(a.Source, b.Source)
	})
	return out, nil
}
