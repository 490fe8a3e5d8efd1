package packages

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/bmatcuk/doublestar/v4"

	"github.com/cargoman/cargoman/ent"
	"github.com/cargoman/cargoman/ent/composerpackage"
	"github.com/cargoman/cargoman/ent/packageversion"
	"github.com/cargoman/cargoman/internal/apperr"
	"github.com/cargoman/cargoman/internal/database"
	"github.com/cargoman/cargoman/internal/ids"
	"github.com/cargoman/cargoman/internal/repourl"
	"github.com/cargoman/cargoman/internal/validate"
)

// CreateInput describes a new package.
type CreateInput struct {
	Name             string
	Type             composerpackage.Type
	RepositoryURL    *string
	CredentialID     *string
	WebhookSecret    *string
	MonorepoPaths    []string
	MonorepoExcludes []string
}

// Create adds a package. A git package's first sync is queued in the same
// transaction, so it can never exist without one.
func (s *Service) Create(ctx context.Context, in CreateInput) (*ent.ComposerPackage, *ent.Task, error) {
	name := strings.TrimSpace(in.Name)
	if err := validate.PackageName(name); err != nil {
		return nil, nil, apperr.Invalid("name", "name %s", err)
	}
	repoURL, err := s.checkRepository(in.Type, in.RepositoryURL)
	if err != nil {
		return nil, nil, err
	}
	if err := checkGlobs("monorepoPaths", in.MonorepoPaths); err != nil {
		return nil, nil, err
	}
	if err := checkGlobs("monorepoExcludes", in.MonorepoExcludes); err != nil {
		return nil, nil, err
	}
	if len(in.MonorepoPaths) > 0 && in.Type == composerpackage.TypeArtifact {
		return nil, nil, apperr.Invalid("monorepoPaths", "artifact packages cannot be monorepos")
	}
	var pkg *ent.ComposerPackage
	var t *ent.Task
	err = database.InTx(ctx, s.client, func(c *ent.Client) error {
		if in.CredentialID != nil {
			if _, err := c.Credential.Get(ctx, *in.CredentialID); err != nil {
				return notFoundAs(err, "credentialID", "credential %q not found", *in.CredentialID)
			}
		}
		create := c.ComposerPackage.Create().
			SetName(name).
			SetType(in.Type).
			SetNillableRepositoryURL(repoURL).
			SetNillableCredentialID(in.CredentialID).
			SetMonorepoPaths(in.MonorepoPaths).
			SetMonorepoExcludes(in.MonorepoExcludes)
		if repoURL != nil {
			create.SetRepositoryKey(repourl.Canonical(*repoURL))
		}
		// The id is made here: the webhook secret is sealed to it.
		id := ids.New(ids.Package)
		create.SetID(id)
		if in.WebhookSecret != nil && *in.WebhookSecret != "" {
			sealed, err := s.box.Seal([]byte(*in.WebhookSecret), []byte(id))
			if err != nil {
				return fmt.Errorf("packages: seal webhook secret: %w", err)
			}
			create.SetWebhookSecret(sealed)
		}
		var err error
		if pkg, err = create.Save(ctx); err != nil {
			if ent.IsConstraintError(err) {
				e := apperr.New(apperr.Conflict, "a package named %q already exists", name)
				e.Field = "name"
				return e
			}
			return err
		}
		if pkg.Type == composerpackage.TypeArtifact {
			return s.RefreshMetadata(ctx, c, pkg)
		}
		t, _, err = QueueSync(ctx, c, pkg)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	if t != nil {
		s.wake()
	}
	return pkg, t, nil
}

// checkRepository validates the repository URL against the package type,
// by the rules sync applies (repourl.Rules), so a URL saved here is one
// sync may fetch.
func (s *Service) checkRepository(typ composerpackage.Type, raw *string) (*string, error) {
	if typ == composerpackage.TypeArtifact {
		if raw != nil && strings.TrimSpace(*raw) != "" {
			return nil, apperr.Invalid("repositoryURL", "artifact packages have no repository URL; upload versions instead")
		}
		return nil, nil
	}
	if raw == nil || strings.TrimSpace(*raw) == "" {
		return nil, apperr.Invalid("repositoryURL", "a %s package needs a repository URL", typ)
	}
	u, err := s.repositories.Parse(*raw)
	switch {
	case errors.Is(err, repourl.ErrHostNotAllowed):
		return nil, apperr.Invalid("repositoryURL", "the host %s is not allowed on this server (ALLOWED_GIT_HOSTS)", u.Host)
	case err != nil:
		return nil, apperr.Invalid("repositoryURL", "%s", err)
	case u.Password != "":
		return nil, apperr.Invalid("repositoryURL", "put secrets in a credential, not in the repository URL")
	}
	trimmed := strings.TrimSpace(*raw)
	return &trimmed, nil
}

func checkGlobs(field string, globs []string) error {
	for _, g := range globs {
		if g == "" || strings.HasPrefix(g, "/") || strings.Contains(g, "..") || !doublestar.ValidatePattern(g) {
			return apperr.Invalid(field, "%q is not a valid relative path glob (e.g. packages/*)", g)
		}
	}
	return nil
}

// Delete removes a package, its versions (and monorepo children) and
// their archives and mirror.
func (s *Service) Delete(ctx context.Context, name string) error {
	pkg, err := s.Get(ctx, name)
	if err != nil {
		return err
	}
	ids := []string{pkg.ID}
	children, err := s.client.ComposerPackage.Query().Where(composerpackage.ParentID(pkg.ID)).IDs(ctx)
	if err != nil {
		return fmt.Errorf("packages: list children of %s: %w", name, err)
	}
	ids = append(ids, children...)
	keys, err := s.client.PackageVersion.Query().
		Where(packageversion.PackageIDIn(ids...)).
		Select(packageversion.FieldDistKey).
		Strings(ctx)
	if err != nil {
		return fmt.Errorf("packages: list archives of %s: %w", name, err)
	}
	err = database.InTx(ctx, s.client, func(c *ent.Client) error {
		return c.ComposerPackage.DeleteOneID(pkg.ID).Exec(ctx)
	})
	if err != nil {
		return fmt.Errorf("packages: delete %s: %w", name, err)
	}
	// The rows are gone; now the files no other version shares. What
	// fails here is an orphan the cleanup task removes later, never a
	// dangling row.
	s.release(ctx, keys...)
	for _, id := range ids {
		if s.mirrors != "" {
			if err := os.RemoveAll(filepath.Join(s.mirrors, id+".git")); err != nil {
				s.log.Warn("delete mirror of deleted package", "package", id, "err", err)
			}
		}
	}
	return nil
}

// Sync queues a sync of the package named (see QueueSync), or returns the
// one already queued (created is then false).
func (s *Service) Sync(ctx context.Context, name string) (t *ent.Task, created bool, err error) {
	pkg, err := s.Get(ctx, name)
	if err != nil {
		return nil, false, err
	}
	t, created, err = queueNamedSync(ctx, s.client, pkg)
	if err == nil && created {
		s.wake()
	}
	return t, created, err
}

// notFoundAs turns a not-found error into a validation error on field.
func notFoundAs(err error, field, format string, args ...any) error {
	if ent.IsNotFound(err) {
		return apperr.Invalid(field, format, args...)
	}
	return err
}
