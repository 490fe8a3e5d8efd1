package access

import (
	"context"
	"fmt"
	"strings"

	"github.com/cargoman/cargoman/ent"
	"github.com/cargoman/cargoman/ent/collection"
	"github.com/cargoman/cargoman/internal/apperr"
	"github.com/cargoman/cargoman/internal/patch"
)

// Collection returns the collection with slug.
func (s *Service) Collection(ctx context.Context, slug string) (*ent.Collection, error) {
	return getCollection(ctx, s.client, slug)
}

// CollectionInput describes a new collection.
type CollectionInput struct {
	Slug     string
	Name     string
	Packages []string
}

// CreateCollection creates a collection of packages.
func (s *Service) CreateCollection(ctx context.Context, in CollectionInput) (*ent.Collection, error) {
	names, err := packageNames("packages", in.Packages)
	if err != nil {
		return nil, err
	}
	slug := strings.TrimSpace(in.Slug)
	var col *ent.Collection
	err = s.withTx(ctx, func(c *ent.Client) error {
		pkgs, err := resolvePackages(ctx, c, "packages", names)
		if err != nil {
			return err
		}
		create := c.Collection.Create().SetSlug(slug).SetName(strings.TrimSpace(in.Name))
		for _, n := range names {
			create.AddPackageIDs(pkgs[n].ID)
		}
		col, err = create.Save(ctx)
		if ent.IsConstraintError(err) {
			e := apperr.New(apperr.Conflict, "a collection with slug %q already exists", slug).WithCause(err)
			e.Field = "slug"
			return e
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return col.Unwrap(), nil
}

// UpdateCollectionInput changes a collection; Packages replaces its list.
type UpdateCollectionInput struct {
	Slug     string
	Name     patch.Optional[string]
	Packages patch.Optional[[]string]
}

// UpdateCollection changes the fields of in that are set.
func (s *Service) UpdateCollection(ctx context.Context, in UpdateCollectionInput) (*ent.Collection, error) {
	if in.Name.Set && in.Name.Value == nil {
		return nil, apperr.Invalid("name", "name cannot be null")
	}
	var names []string
	if in.Packages.Set {
		var list []string
		if in.Packages.Value != nil {
			list = *in.Packages.Value
		}
		var err error
		if names, err = packageNames("packages", list); err != nil {
			return nil, err
		}
	}
	var col *ent.Collection
	err := s.withTx(ctx, func(c *ent.Client) error {
		var err error
		if col, err = getCollection(ctx, c, in.Slug); err != nil {
			return err
		}
		upd := col.Update()
		if in.Name.Set {
			upd.SetName(strings.TrimSpace(*in.Name.Value))
		}
		if in.Packages.Set {
			pkgs, err := resolvePackages(ctx, c, "packages", names)
			if err != nil {
				return err
			}
			upd.ClearPackages()
			for _, n := range names {
				upd.AddPackageIDs(pkgs[n].ID)
			}
		}
		col, err = upd.Save(ctx)
		return err
	})
	if err != nil {
		return nil, err
	}
	return col.Unwrap(), nil
}

// DeleteCollection deletes a collection; its grants go with it.
func (s *Service) DeleteCollection(ctx context.Context, slug string) error {
	var n int
	err := s.withTx(ctx, func(c *ent.Client) (err error) {
		n, err = c.Collection.Delete().Where(collection.Slug(slug)).Exec(ctx)
		return err
	})
	if err != nil {
		return fmt.Errorf("access: delete collection %s: %w", slug, err)
	}
	if n == 0 {
		return apperr.NotFoundf("collection %q not found", slug)
	}
	return nil
}
