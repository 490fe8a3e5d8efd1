package packages

import (
	"context"
	"fmt"
	"strings"

	"github.com/cargoman/cargoman/ent"
	"github.com/cargoman/cargoman/internal/apperr"
	"github.com/cargoman/cargoman/internal/database"
	"github.com/cargoman/cargoman/internal/patch"
	"github.com/cargoman/cargoman/internal/repourl"
	"github.com/cargoman/cargoman/internal/validate"
)

// UpdateInput changes the fields that are Set.
type UpdateInput struct {
	Name                 string
	RepositoryURL        patch.Optional[string]
	CredentialID         patch.Optional[string]
	WebhookSecret        patch.Optional[string]
	Abandoned            patch.Optional[bool]
	AbandonedReplacement patch.Optional[string]
	MonorepoPaths        patch.Optional[[]string]
	MonorepoExcludes     patch.Optional[[]string]
}

// Update changes a package. Changes that alter what Composer sees
// (abandoned) re-render its metadata in the same transaction.
func (s *Service) Update(ctx context.Context, in UpdateInput) (*ent.ComposerPackage, error) {
	pkg, err := s.Get(ctx, in.Name)
	if err != nil {
		return nil, err
	}
	err = database.InTx(ctx, s.client, func(c *ent.Client) error {
		upd := c.ComposerPackage.UpdateOne(pkg)
		if in.RepositoryURL.Set {
			u, err := s.checkRepository(pkg.Type, in.RepositoryURL.Value)
			if err != nil {
				return err
			}
			if u == nil {
				upd.ClearRepositoryURL().ClearRepositoryKey()
			} else {
				upd.SetRepositoryURL(*u).SetRepositoryKey(repourl.Canonical(*u))
			}
		}
		if in.CredentialID.Set {
			if in.CredentialID.Value == nil {
				upd.ClearCredentialID()
			} else {
				if _, err := c.Credential.Get(ctx, *in.CredentialID.Value); err != nil {
					return notFoundAs(err, "credentialID", "credential %q not found", *in.CredentialID.Value)
				}
				upd.SetCredentialID(*in.CredentialID.Value)
			}
		}
		if in.WebhookSecret.Set {
			if in.WebhookSecret.Value == nil || *in.WebhookSecret.Value == "" {
				upd.ClearWebhookSecret()
			} else {
				sealed, err := s.box.Seal([]byte(*in.WebhookSecret.Value), []byte(pkg.ID))
				if err != nil {
					return fmt.Errorf("packages: seal webhook secret: %w", err)
				}
				upd.SetWebhookSecret(sealed)
			}
		}
		if in.Abandoned.Set {
			abandoned := in.Abandoned.Value != nil && *in.Abandoned.Value
			upd.SetAbandoned(abandoned)
			if !abandoned {
				upd.ClearAbandonedReplacement()
			}
		}
		if in.AbandonedReplacement.Set {
			if r := in.AbandonedReplacement.Value; r != nil && strings.TrimSpace(*r) != "" {
				if err := validate.PackageName(strings.TrimSpace(*r)); err != nil {
					return apperr.Invalid("abandonedReplacement", "abandonedReplacement %s", err)
				}
				upd.SetAbandonedReplacement(strings.TrimSpace(*r)).SetAbandoned(true)
			} else {
				upd.ClearAbandonedReplacement()
			}
		}
		if in.MonorepoPaths.Set {
			paths := deref(in.MonorepoPaths.Value)
			if err := checkGlobs("monorepoPaths", paths); err != nil {
				return err
			}
			upd.SetMonorepoPaths(paths)
		}
		if in.MonorepoExcludes.Set {
			ex := deref(in.MonorepoExcludes.Value)
			if err := checkGlobs("monorepoExcludes", ex); err != nil {
				return err
			}
			upd.SetMonorepoExcludes(ex)
		}
		var err error
		if pkg, err = upd.Save(ctx); err != nil {
			return err
		}
		return s.RefreshMetadata(ctx, c, pkg)
	})
	return pkg, err
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
