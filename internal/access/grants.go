package access

import (
	"context"
	"fmt"

	"github.com/cargoman/cargoman/ent"
	"github.com/cargoman/cargoman/ent/collection"
	"github.com/cargoman/cargoman/ent/collectiongrant"
	"github.com/cargoman/cargoman/ent/composerpackage"
	"github.com/cargoman/cargoman/ent/packagegrant"
	"github.com/cargoman/cargoman/internal/apperr"
	"github.com/cargoman/cargoman/internal/validate"
)

// GrantInput is one package and the versions granted of it.
type GrantInput struct {
	Package string
	// Constraint defaults to "*".
	Constraint *string
	// CanPublish lets the customer upload versions of the package (see
	// PublishCheck); off unless asked for.
	CanPublish bool
}

// grantTerms are what a direct grant says beyond its package.
type grantTerms struct {
	constraint string
	canPublish bool
}

// SetPackages replaces the customer's direct grants with grants. Grants of
// packages that stay keep their id and creation time; collection grants
// are not touched.
func (s *Service) SetPackages(ctx context.Context, customerID string, grants []GrantInput) (*ent.Customer, error) {
	if len(grants) > validate.MaxAccessListLength {
		return nil, apperr.Invalid("packages", "packages may list at most %d packages", validate.MaxAccessListLength)
	}
	want := make(map[string]grantTerms, len(grants))
	names := make([]string, 0, len(grants))
	for _, g := range grants {
		name := packageName(g.Package)
		if err := validate.PackageName(name); err != nil {
			return nil, apperr.Invalid("packages", "%s", err)
		}
		if _, dup := want[name]; dup {
			return nil, apperr.Invalid("packages", "package %q is listed twice", name)
		}
		c, err := checkConstraint(g.Constraint)
		if err != nil {
			return nil, apperr.Invalid("packages", "%s: %s", name, err)
		}
		want[name] = grantTerms{constraint: c, canPublish: g.CanPublish}
		names = append(names, name)
	}
	var cu *ent.Customer
	err := s.withTx(ctx, func(c *ent.Client) error {
		var err error
		if cu, err = s.lockCustomer(ctx, c, customerID); err != nil {
			return err
		}
		pkgs, err := resolvePackages(ctx, c, "packages", names)
		if err != nil {
			return err
		}
		existing, err := c.PackageGrant.Query().Where(packagegrant.CustomerID(customerID)).WithPackage().All(ctx)
		if err != nil {
			return fmt.Errorf("access: list grants: %w", err)
		}
		var drop []string
		for _, g := range existing {
			name := g.Edges.Package.Name
			terms, keep := want[name]
			switch {
			case !keep:
				drop = append(drop, g.ID)
			case terms.constraint != g.Constraint || terms.canPublish != g.CanPublish:
				if err := g.Update().SetConstraint(terms.constraint).SetCanPublish(terms.canPublish).Exec(ctx); err != nil {
					return err
				}
			}
			delete(want, name)
		}
		if len(drop) > 0 {
			if _, err := c.PackageGrant.Delete().Where(packagegrant.IDIn(drop...)).Exec(ctx); err != nil {
				return fmt.Errorf("access: delete grants: %w", err)
			}
		}
		creates := make([]*ent.PackageGrantCreate, 0, len(want))
		for _, name := range names {
			if terms, ok := want[name]; ok {
				creates = append(creates, c.PackageGrant.Create().
					SetCustomerID(customerID).SetPackageID(pkgs[name].ID).
					SetConstraint(terms.constraint).SetCanPublish(terms.canPublish))
			}
		}
		for start := 0; start < len(creates); start += 500 {
			if err := c.PackageGrant.CreateBulk(creates[start:min(start+500, len(creates))]...).Exec(ctx); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return cu.Unwrap(), nil
}

// GrantPackage grants a package to the customer, or changes the constraint
// and publishing right of its grant.
func (s *Service) GrantPackage(ctx context.Context, customerID string, in GrantInput) (*ent.PackageGrant, error) {
	cons, err := checkConstraint(in.Constraint)
	if err != nil {
		return nil, apperr.Invalid("constraint", "%s", err)
	}
	name := packageName(in.Package)
	var g *ent.PackageGrant
	err = s.withTx(ctx, func(c *ent.Client) error {
		if _, err := s.lockCustomer(ctx, c, customerID); err != nil {
			return err
		}
		pkgs, err := resolvePackages(ctx, c, "package", []string{name})
		if err != nil {
			return err
		}
		p := pkgs[name]
		g, err = c.PackageGrant.Query().
			Where(packagegrant.CustomerID(customerID), packagegrant.PackageID(p.ID)).
			Only(ctx)
		switch {
		case ent.IsNotFound(err):
			g, err = c.PackageGrant.Create().
				SetCustomerID(customerID).SetPackageID(p.ID).SetConstraint(cons).SetCanPublish(in.CanPublish).
				Save(ctx)
		case err == nil && (g.Constraint != cons || g.CanPublish != in.CanPublish):
			g, err = g.Update().SetConstraint(cons).SetCanPublish(in.CanPublish).Save(ctx)
		}
		if err != nil {
			return err
		}
		g.Edges.Package = p
		return nil
	})
	if err != nil {
		return nil, err
	}
	g.Edges.Package.Unwrap()
	return g.Unwrap(), nil
}

// RevokePackage removes the customer's direct grant of a package.
func (s *Service) RevokePackage(ctx context.Context, customerID, pkg string) (*ent.Customer, string, error) {
	name := packageName(pkg)
	cu, err := getCustomer(ctx, s.client, customerID)
	if err != nil {
		return nil, "", err
	}
	var n int
	err = s.withTx(ctx, func(c *ent.Client) (err error) {
		n, err = c.PackageGrant.Delete().
			Where(packagegrant.CustomerID(customerID), packagegrant.HasPackageWith(composerpackage.Name(name))).
			Exec(ctx)
		return err
	})
	if err != nil {
		return nil, "", fmt.Errorf("access: revoke %s: %w", name, err)
	}
	if n == 0 {
		return nil, "", apperr.NotFoundf("customer %q has no direct grant of package %q", customerID, name)
	}
	return cu, name, nil
}

// getCollection loads a collection by slug.
func getCollection(ctx context.Context, c *ent.Client, slug string) (*ent.Collection, error) {
	col, err := c.Collection.Query().Where(collection.Slug(slug)).Only(ctx)
	if ent.IsNotFound(err) {
		return nil, apperr.NotFoundf("collection %q not found", slug)
	}
	return col, err
}

// GrantCollection grants a collection to the customer, or changes the
// constraint of its grant.
func (s *Service) GrantCollection(ctx context.Context, customerID, slug string, cons *string) (*ent.CollectionGrant, error) {
	constr, err := checkConstraint(cons)
	if err != nil {
		return nil, apperr.Invalid("constraint", "%s", err)
	}
	var g *ent.CollectionGrant
	err = s.withTx(ctx, func(c *ent.Client) error {
		if _, err := s.lockCustomer(ctx, c, customerID); err != nil {
			return err
		}
		col, err := c.Collection.Query().Where(collection.Slug(slug)).Only(ctx)
		if ent.IsNotFound(err) {
			return apperr.Invalid("collection", "unknown collection %q", slug)
		}
		if err != nil {
			return err
		}
		g, err = c.CollectionGrant.Query().
			Where(collectiongrant.CustomerID(customerID), collectiongrant.CollectionID(col.ID)).
			Only(ctx)
		switch {
		case ent.IsNotFound(err):
			g, err = c.CollectionGrant.Create().
				SetCustomerID(customerID).SetCollectionID(col.ID).SetConstraint(constr).
				Save(ctx)
		case err == nil && g.Constraint != constr:
			g, err = g.Update().SetConstraint(constr).Save(ctx)
		}
		if err != nil {
			return err
		}
		g.Edges.Collection = col
		return nil
	})
	if err != nil {
		return nil, err
	}
	g.Edges.Collection.Unwrap()
	return g.Unwrap(), nil
}

// RevokeCollection removes the customer's grant of a collection.
func (s *Service) RevokeCollection(ctx context.Context, customerID, slug string) (*ent.Customer, error) {
	cu, err := getCustomer(ctx, s.client, customerID)
	if err != nil {
		return nil, err
	}
	col, err := getCollection(ctx, s.client, slug)
	if err != nil {
		return nil, err
	}
	var n int
	err = s.withTx(ctx, func(c *ent.Client) (err error) {
		n, err = c.CollectionGrant.Delete().
			Where(collectiongrant.CustomerID(customerID), collectiongrant.CollectionID(col.ID)).
			Exec(ctx)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("access: revoke collection %s: %w", slug, err)
	}
	if n == 0 {
		return nil, apperr.NotFoundf("customer %q does not hold collection %q", customerID, slug)
	}
	return cu, nil
}
