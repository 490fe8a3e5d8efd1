package access

import (
	"context"
	"fmt"
	"strings"

	"github.com/cargoman/cargoman/ent"
	"github.com/cargoman/cargoman/ent/customer"
	"github.com/cargoman/cargoman/ent/customerfreeze"
	"github.com/cargoman/cargoman/internal/apperr"
	"github.com/cargoman/cargoman/internal/semver"
	"github.com/cargoman/cargoman/internal/validate"
)

// FreezeInput is one package version a frozen customer is capped at.
type FreezeInput struct {
	Package string
	Version string
}

// Freeze sets the customer's status to frozen and replaces its freeze list.
// A suspended customer must be reactivated first: freezing must not lift a
// suspension by the way.
func (s *Service) Freeze(ctx context.Context, customerID string, versions []FreezeInput) (*ent.Customer, error) {
	if len(versions) == 0 {
		return nil, apperr.Invalid("versions", "versions must list at least one package version to freeze at")
	}
	if len(versions) > validate.MaxAccessListLength {
		return nil, apperr.Invalid("versions", "versions may list at most %d packages", validate.MaxAccessListLength)
	}
	type frozen struct{ name, version, normalized string }
	list := make([]frozen, 0, len(versions))
	names := make([]string, 0, len(versions))
	seen := make(map[string]bool, len(versions))
	for _, v := range versions {
		name := packageName(v.Package)
		if err := validate.PackageName(name); err != nil {
			return nil, apperr.Invalid("versions", "%s", err)
		}
		if seen[name] {
			return nil, apperr.Invalid("versions", "package %q is listed twice", name)
		}
		seen[name] = true
		version := strings.TrimSpace(v.Version)
		norm, err := semver.Normalize(version)
		if err != nil {
			return nil, apperr.Invalid("versions", "%s: %s", name, err)
		}
		list = append(list, frozen{name, version, norm})
		names = append(names, name)
	}
	var cu *ent.Customer
	err := s.withTx(ctx, func(c *ent.Client) error {
		var err error
		if cu, err = s.lockCustomer(ctx, c, customerID); err != nil {
			return err
		}
		if cu.Status == customer.StatusSuspended {
			return apperr.Invalid("id", "customer %q is suspended; reactivate it before freezing it", customerID)
		}
		pkgs, err := resolvePackages(ctx, c, "versions", names)
		if err != nil {
			return err
		}
		if _, err := c.CustomerFreeze.Delete().Where(customerfreeze.CustomerID(customerID)).Exec(ctx); err != nil {
			return fmt.Errorf("access: clear freeze list: %w", err)
		}
		creates := make([]*ent.CustomerFreezeCreate, len(list))
		for i, f := range list {
			creates[i] = c.CustomerFreeze.Create().
				SetCustomerID(customerID).
				SetPackageID(pkgs[f.name].ID).
				SetPackageName(f.name).
				SetVersion(f.version).
				SetVersionNormalized(f.normalized)
		}
		for start := 0; start < len(creates); start += 500 {
			if err := c.CustomerFreeze.CreateBulk(creates[start:min(start+500, len(creates))]...).Exec(ctx); err != nil {
				return err
			}
		}
		cu, err = cu.Update().SetStatus(customer.StatusFrozen).Save(ctx)
		return err
	})
	if err != nil {
		return nil, err
	}
	return cu.Unwrap(), nil
}

// Reactivate makes a suspended or frozen customer active again: the
// suspension reason and the freeze list are removed.
func (s *Service) Reactivate(ctx context.Context, customerID string) (*ent.Customer, error) {
	var cu *ent.Customer
	err := s.withTx(ctx, func(c *ent.Client) error {
		var err error
		if cu, err = s.lockCustomer(ctx, c, customerID); err != nil {
			return err
		}
		if _, err := c.CustomerFreeze.Delete().Where(customerfreeze.CustomerID(customerID)).Exec(ctx); err != nil {
			return fmt.Errorf("access: clear freeze list: %w", err)
		}
		cu, err = cu.Update().SetStatus(customer.StatusActive).ClearSuspensionReason().Save(ctx)
		return err
	})
	if err != nil {
		return nil, err
	}
	return cu.Unwrap(), nil
}
