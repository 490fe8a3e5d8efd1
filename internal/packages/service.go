// Package packages holds the rules of the package lifecycle: adding,
// changing and deleting packages, yanking and deprecating versions,
// uploading artifacts, validating, and re-rendering Composer metadata
// whenever versions change. GraphQL resolvers call it; so does sync.
package packages

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/cargoman/cargoman/ent"
	"github.com/cargoman/cargoman/ent/composerpackage"
	"github.com/cargoman/cargoman/ent/packageversion"
	"github.com/cargoman/cargoman/internal/apperr"
	"github.com/cargoman/cargoman/internal/archives"
	"github.com/cargoman/cargoman/internal/repourl"
	"github.com/cargoman/cargoman/internal/scratch"
	"github.com/cargoman/cargoman/internal/secretbox"
	"github.com/cargoman/cargoman/internal/semver"
	"github.com/cargoman/cargoman/internal/tasks"
)

// Service carries out package operations.
type Service struct {
	client   *ent.Client
	archives *archives.Store
	box      *secretbox.Box
	// repositories are the repository URLs packages may use: the rules
	// sync fetches by.
	repositories repourl.Rules
	// mirrors is the directory of git mirrors, removed with their package.
	mirrors string
	// waker starts workers on newly queued tasks without waiting for a poll.
	waker tasks.Waker
	// scratch receives uploads that must be spooled to disk; nil: the
	// system's temporary directory.
	scratch *scratch.Dir
	log     *slog.Logger
}

// Options configure a Service.
type Options struct {
	Client   *ent.Client
	Archives *archives.Store
	Box      *secretbox.Box
	// Repositories are the repository URLs packages may use; gitsync
	// must be given the same rules.
	Repositories repourl.Rules
	MirrorsDir   string
	Waker        tasks.Waker
	// Scratch receives uploads that must be spooled to disk.
	Scratch *scratch.Dir
	Log     *slog.Logger
}

// New returns a Service.
func New(o Options) *Service {
	return &Service{
		client: o.Client, archives: o.Archives, box: o.Box,
		repositories: o.Repositories, mirrors: o.MirrorsDir, waker: o.Waker, scratch: o.Scratch, log: o.Log,
	}
}

// Enqueue queues a task (or returns the identical one already queued) and
// wakes the workers.
func (s *Service) Enqueue(ctx context.Context, spec tasks.Spec) (*ent.Task, bool, error) {
	t, created, err := tasks.Enqueue(ctx, s.client, spec)
	if err == nil && created {
		s.wake()
	}
	return t, created, err
}

func (s *Service) wake() {
	if s.waker != nil {
		s.waker.Wake()
	}
}

// release gives up archives of versions that are gone; failures only
// leave orphans for the cleanup sweep, so they are logged.
func (s *Service) release(ctx context.Context, keys ...string) {
	if _, err := s.archives.Release(context.WithoutCancel(ctx), keys...); err != nil {
		s.log.Warn("release archives", "keys", len(keys), "err", err)
	}
}

// Get returns the package called name.
func (s *Service) Get(ctx context.Context, name string) (*ent.ComposerPackage, error) {
	return getPackage(ctx, s.client, name)
}

func getPackage(ctx context.Context, c *ent.Client, name string) (*ent.ComposerPackage, error) {
	p, err := c.ComposerPackage.Query().Where(composerpackage.Name(strings.ToLower(strings.TrimSpace(name)))).Only(ctx)
	if ent.IsNotFound(err) {
		return nil, apperr.NotFoundf("package %q not found", name)
	}
	if err != nil {
		return nil, fmt.Errorf("packages: load %s: %w", name, err)
	}
	return p, nil
}

// Version finds a version of a package by its version as shown (1.2.0,
// dev-main), its normalized form (1.2.0.0) or its tag name (v1.2.0).
func (s *Service) Version(ctx context.Context, pkgName, version string) (*ent.PackageVersion, error) {
	p, err := s.Get(ctx, pkgName)
	if err != nil {
		return nil, err
	}
	return findVersion(ctx, s.client, p, version)
}

func findVersion(ctx context.Context, c *ent.Client, p *ent.ComposerPackage, version string) (*ent.PackageVersion, error) {
	v := strings.TrimSpace(version)
	preds := packageversion.Or(packageversion.Version(v), packageversion.RefName(v))
	if n, err := semver.Normalize(v); err == nil {
		preds = packageversion.Or(preds, packageversion.VersionNormalized(n))
	}
	vs, err := c.PackageVersion.Query().
		Where(packageversion.PackageID(p.ID), preds).
		All(ctx)
	if err != nil {
		return nil, fmt.Errorf("packages: find version %s of %s: %w", v, p.Name, err)
	}
	if len(vs) == 0 {
		return nil, apperr.NotFoundf("package %s has no version %q", p.Name, v)
	}
	// An exact match of the shown version wins over a normalized one.
	for _, pv := range vs {
		if pv.Version == v {
			return pv, nil
		}
	}
	return vs[0], nil
}
