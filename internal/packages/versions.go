package packages

import (
	"context"
	"time"

	"github.com/cargoman/cargoman/ent"
	"github.com/cargoman/cargoman/internal/database"
)

// changeVersion applies change to one version and re-renders the
// package's metadata, in one transaction.
func (s *Service) changeVersion(ctx context.Context, pkgName, version string, change func(*ent.PackageVersionUpdateOne)) (*ent.PackageVersion, error) {
	pkg, err := s.Get(ctx, pkgName)
	if err != nil {
		return nil, err
	}
	v, err := findVersion(ctx, s.client, pkg, version)
	if err != nil {
		return nil, err
	}
	err = database.InTx(ctx, s.client, func(tc *ent.Client) error {
		upd := tc.PackageVersion.UpdateOne(v)
		change(upd)
		if v, err = upd.Save(ctx); err != nil {
			return err
		}
		return s.RefreshMetadata(ctx, tc, pkg)
	})
	return v, err
}

// Yank takes a version out of Composer metadata; its archive stays
// downloadable so existing lock files still install.
func (s *Service) Yank(ctx context.Context, pkgName, version string) (*ent.PackageVersion, error) {
	now := time.Now().UTC().Truncate(time.Microsecond)
	return s.changeVersion(ctx, pkgName, version, func(u *ent.PackageVersionUpdateOne) { u.SetYankedAt(now) })
}

// Unyank puts a yanked version back.
func (s *Service) Unyank(ctx context.Context, pkgName, version string) (*ent.PackageVersion, error) {
	return s.changeVersion(ctx, pkgName, version, func(u *ent.PackageVersionUpdateOne) { u.ClearYankedAt() })
}

// DefaultDeprecationMessage is used when none is given.
const DefaultDeprecationMessage = "This version is deprecated; please upgrade."

// Deprecate flags a version. Composer shows its users an abandonment
// warning, the protocol's only per-version notice.
func (s *Service) Deprecate(ctx context.Context, pkgName, version string, message *string) (*ent.PackageVersion, error) {
	msg := DefaultDeprecationMessage
	if message != nil && *message != "" {
		msg = *message
	}
	return s.changeVersion(ctx, pkgName, version, func(u *ent.PackageVersionUpdateOne) {
		u.SetDeprecated(true).SetDeprecationMessage(msg)
	})
}

// Undeprecate lifts a deprecation.
func (s *Service) Undeprecate(ctx context.Context, pkgName, version string) (*ent.PackageVersion, error) {
	return s.changeVersion(ctx, pkgName, version, func(u *ent.PackageVersionUpdateOne) {
		u.SetDeprecated(false).ClearDeprecationMessage()
	})
}
