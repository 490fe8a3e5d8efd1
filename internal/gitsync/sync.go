// Package gitsync turns git repositories into package versions: it mirrors
// the repository, reads composer.json at every tag and branch, builds one
// dist archive per version and records the result. It is the handler of
// package_sync tasks. Sync is incremental: refs whose commit did not change
// are not read again.
package gitsync

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/cargoman/cargoman/ent"
	"github.com/cargoman/cargoman/ent/composerpackage"
	"github.com/cargoman/cargoman/ent/packageversion"
	"github.com/cargoman/cargoman/ent/skippedref"
	"github.com/cargoman/cargoman/internal/composerjson"
	"github.com/cargoman/cargoman/internal/database"
	"github.com/cargoman/cargoman/internal/packages"
	"github.com/cargoman/cargoman/internal/readme"
	"github.com/cargoman/cargoman/internal/repourl"
	"github.com/cargoman/cargoman/internal/secretbox"
	"github.com/cargoman/cargoman/internal/tasks"
	"github.com/cargoman/cargoman/internal/tenancy"
	"github.com/cargoman/cargoman/internal/vcs"
)

// Syncer runs package syncs.
type Syncer struct {
	client   *ent.Client
	packages *packages.Service
	box      *secretbox.Box
	mirrors  string
	repos    repourl.Rules
	tempDir  string
	hostKeys vcs.HostKeys
	stall    time.Duration
	watch    time.Duration
	log      *slog.Logger
}

// Options configure a Syncer.
type Options struct {
	Client     *ent.Client
	Packages   *packages.Service
	Box        *secretbox.Box
	MirrorsDir string
	// Repositories are the repository URLs sync may fetch, the rules
	// packages.Service checks them by when they are saved; their Network
	// is the policy repositories are reached with (nil: any address).
	Repositories repourl.Rules
	// TempDir receives git's temporary directories (DATA_DIR/tmp/<instance>).
	TempDir string
	// HostKeys pins ssh host keys; ssh repositories fail without it.
	HostKeys vcs.HostKeys
	// StallTimeout cuts a transfer the remote stopped feeding; zero means
	// netpolicy.DefaultStall.
	StallTimeout time.Duration
	// DeleteCheckInterval is how often a running sync checks that its
	// package still exists; zero means a second.
	DeleteCheckInterval time.Duration
	Log                 *slog.Logger
}

// New returns a Syncer.
func New(o Options) *Syncer {
	if o.DeleteCheckInterval <= 0 {
		o.DeleteCheckInterval = time.Second
	}
	return &Syncer{client: o.Client, packages: o.Packages, box: o.Box,
		mirrors: o.MirrorsDir, repos: o.Repositories, tempDir: o.TempDir, hostKeys: o.HostKeys,
		stall: o.StallTimeout, watch: o.DeleteCheckInterval, log: o.Log}
}

// errPackageDeleted ends a sync whose package was deleted meanwhile.
var errPackageDeleted = errors.New("the package was deleted")

// Handle is the package_sync task handler; the task key is the package id.
func (s *Syncer) Handle(ctx context.Context, t *ent.Task) error {
	ctx = tenancy.WithTenant(ctx, t.TenantID)
	pkg, err := s.client.ComposerPackage.Get(ctx, t.Key)
	if ent.IsNotFound(err) {
		return nil // deleted since the task was queued: nothing to do
	}
	if err != nil {
		return fmt.Errorf("gitsync: load package %s: %w", t.Key, err)
	}
	syncCtx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	go s.cancelOnDelete(syncCtx, cancel, pkg.ID)
	syncErr := s.Sync(syncCtx, pkg)
	if errors.Is(context.Cause(syncCtx), errPackageDeleted) {
		s.log.Info("sync stopped: the package was deleted", "package", pkg.Name)
		return nil
	}
	// synced_at is the last success: a failed attempt records only when it
	// ran and why it failed, so the package keeps its last good sync time.
	now := time.Now().UTC()
	upd := s.client.ComposerPackage.UpdateOneID(pkg.ID).SetLastAttemptAt(now)
	if syncErr != nil {
		upd.SetSyncError(syncErr.Error())
	} else {
		upd.SetSyncedAt(now).ClearSyncError()
	}
	if err := upd.Exec(ctx); err != nil && !ent.IsNotFound(err) {
		return errors.Join(syncErr, fmt.Errorf("gitsync: record sync result: %w", err))
	}
	return syncErr
}

// cancelOnDelete cancels a running sync once its package is gone, checking
// the database so that a delete on any instance stops the git process here.
func (s *Syncer) cancelOnDelete(ctx context.Context, cancel context.CancelCauseFunc, id string) {
	tick := time.NewTicker(s.watch)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			exists, err := s.client.ComposerPackage.Query().Where(composerpackage.ID(id)).Exist(ctx)
			if err == nil && !exists {
				cancel(errPackageDeleted)
				return
			}
		}
	}
}

// Sync brings the versions of pkg up to date with its repository.
func (s *Syncer) Sync(ctx context.Context, pkg *ent.ComposerPackage) error {
	if pkg.RepositoryURL == nil {
		return tasks.Permanent(fmt.Errorf("package %s has no repository", pkg.Name))
	}
	auth, err := s.auth(ctx, pkg)
	if err != nil {
		return err
	}
	repo, err := vcs.Sync(ctx, filepath.Join(s.mirrors, pkg.ID+".git"), *pkg.RepositoryURL, auth, vcs.Options{
		AllowLocal: s.repos.AllowLocal, AllowInsecureHTTP: s.repos.AllowInsecureHTTP, Network: s.repos.Network,
		TempDir: s.tempDir, HostKeys: s.hostKeys, StallTimeout: s.stall,
	})
	if err != nil {
		return syncError(err)
	}
	refs, err := repo.Refs(ctx)
	if err != nil {
		return err
	}
	defaultBranch, err := repo.DefaultBranch(ctx)
	if err != nil {
		s.log.Warn("no default branch", "package", pkg.Name, "err", err)
	}
	reader, err := repo.NewReader(ctx)
	if err != nil {
		return err
	}
	defer reader.Close()
	r := &run{Syncer: s, repo: repo, reader: reader, defaultBranch: defaultBranch}
	if len(pkg.MonorepoPaths) > 0 {
		return r.monorepo(ctx, pkg, refs)
	}
	located := make([]locatedRef, len(refs))
	for i, ref := range refs {
		located[i] = locatedRef{Ref: ref}
	}
	return r.target(ctx, pkg, located)
}

// syncError marks the failures a retry cannot cure as permanent, so the
// task fails at once with the reason on the package: a host the network
// policy refuses, a changed ssh host key (until an admin accepts it), a
// URL that is not allowed at all, credentials the remote refuses and a
// repository it does not have (both need the package or its credential
// changed first).
func syncError(err error) error {
	for _, permanent := range []error{vcs.ErrHostNotAllowed, vcs.ErrHostKeyChanged, vcs.ErrUnsupportedURL, vcs.ErrLocalNotAllowed,
		vcs.ErrAuthFailed, vcs.ErrRepoNotFound} {
		if errors.Is(err, permanent) {
			return tasks.Permanent(err)
		}
	}
	return err
}

// auth decrypts the package's credential.
func (s *Syncer) auth(ctx context.Context, pkg *ent.ComposerPackage) (vcs.Auth, error) {
	if pkg.CredentialID == nil {
		return vcs.Auth{}, nil
	}
	c, err := s.client.Credential.Get(ctx, *pkg.CredentialID)
	if err != nil {
		return vcs.Auth{}, fmt.Errorf("gitsync: load credential of %s: %w", pkg.Name, err)
	}
	plain, err := s.box.Open(c.Secret, []byte(c.ID))
	if err != nil {
		return vcs.Auth{}, tasks.Permanent(fmt.Errorf("credential %s cannot be decrypted (was the server key changed?)", c.Name))
	}
	if c.Kind == "ssh_key" {
		return vcs.Auth{SSHKey: plain}, nil
	}
	a := vcs.Auth{Token: string(plain), Username: "x-access-token"}
	if c.Username != nil && *c.Username != "" {
		a.Username = *c.Username
	}
	return a, nil
}

// run is one sync of one repository.
type run struct {
	*Syncer
	repo          *vcs.Repo
	reader        *vcs.BlobReader
	defaultBranch string
}

// locatedRef is a ref and the directory of the package in it ("" for the
// repository root; a monorepo child's directory otherwise).
type locatedRef struct {
	vcs.Ref
	Dir string
}

func refKey(kind, name string) string { return kind + "/" + name }

// job is a ref that needs a (new) version.
type job struct {
	ref      locatedRef
	rel      release
	manifest *composerjson.Manifest
	raw      []byte
	existing *ent.PackageVersion
}

// target syncs one package (a plain package or a monorepo child) from refs.
func (r *run) target(ctx context.Context, pkg *ent.ComposerPackage, refs []locatedRef) error {
	versions, err := r.client.PackageVersion.Query().
		Where(packageversion.PackageID(pkg.ID), packageversion.SourceNEQ(packageversion.SourceUpload)).
		All(ctx)
	if err != nil {
		return fmt.Errorf("gitsync: load versions of %s: %w", pkg.Name, err)
	}
	byRef := map[string]*ent.PackageVersion{}
	for _, v := range versions {
		if v.RefName != nil {
			byRef[refKey(string(v.Source), *v.RefName)] = v
		}
	}
	skipped, err := r.client.SkippedRef.Query().Where(skippedref.PackageID(pkg.ID)).All(ctx)
	if err != nil {
		return fmt.Errorf("gitsync: load skipped refs of %s: %w", pkg.Name, err)
	}
	skippedByRef := map[string]*ent.SkippedRef{}
	for _, sk := range skipped {
		skippedByRef[refKey(string(sk.RefKind), sk.RefName)] = sk
	}

	seen := map[string]bool{}
	var jobs []job
	var skips []skip
	for _, ref := range refs {
		key := refKey(ref.Kind.String(), ref.Name)
		seen[key] = true
		v := byRef[key]
		if v != nil && v.Reference == ref.Commit && v.RemovedAt == nil {
			continue // unchanged
		}
		if sk := skippedByRef[key]; sk != nil && sk.Reference == ref.Commit {
			continue // unchanged, still skipped
		}
		j, reason := r.prepare(ctx, pkg, ref)
		if reason != "" {
			skips = append(skips, skip{ref: ref, reason: reason})
			continue
		}
		j.existing = v
		jobs = append(jobs, j)
	}
	tasks.Progress(ctx, fmt.Sprintf("%d refs, %d to build", len(refs), len(jobs)))

	if err := r.build(ctx, pkg, jobs, skippedByRef); err != nil {
		return err
	}
	if len(jobs) == 0 && len(skips) == 0 && !r.lostRefs(seen, byRef, skippedByRef) && r.sameDefault(pkg, byRef) {
		return nil // nothing changed: documents, README and flags stand
	}
	return r.finish(ctx, pkg, refs, seen, byRef, skippedByRef, skips)
}

// lostRefs reports whether a version or skipped ref lost its ref upstream.
func (r *run) lostRefs(seen map[string]bool, byRef map[string]*ent.PackageVersion, skippedByRef map[string]*ent.SkippedRef) bool {
	for key, v := range byRef {
		if !seen[key] && v.RemovedAt == nil {
			return true
		}
	}
	for key := range skippedByRef {
		if !seen[key] {
			return true
		}
	}
	return false
}

// sameDefault reports whether the default branch is what the package and
// its versions already record.
func (r *run) sameDefault(pkg *ent.ComposerPackage, byRef map[string]*ent.PackageVersion) bool {
	if pkg.DefaultBranch == nil || *pkg.DefaultBranch != r.defaultBranch {
		return false
	}
	for _, v := range byRef {
		isDefault := v.Source == packageversion.SourceBranch && v.RefName != nil && *v.RefName == r.defaultBranch && v.RemovedAt == nil
		if v.DefaultBranch != isDefault {
			return false
		}
	}
	return true
}

// skip is a ref that does not become a version.
type skip struct {
	ref    locatedRef
	reason string
}

// prepare reads and checks composer.json at ref. A non-empty reason means
// the ref is skipped.
func (r *run) prepare(ctx context.Context, pkg *ent.ComposerPackage, ref locatedRef) (job, string) {
	rel, err := refVersion(ref.Ref)
	if err != nil {
		return job{}, err.Error()
	}
	raw, found, err := r.reader.Read(ref.Commit, path.Join(ref.Dir, "composer.json"))
	if err != nil {
		return job{}, fmt.Sprintf("could not read composer.json: %v", err)
	}
	if !found {
		return job{}, "no composer.json"
	}
	m, err := composerjson.Parse(raw)
	if err != nil {
		return job{}, "invalid composer.json: " + err.Error()
	}
	if err := checkManifest(pkg.Name, ref.Ref, rel, m); err != nil {
		return job{}, err.Error()
	}
	return job{ref: ref, rel: rel, manifest: m, raw: raw}, ""
}

// build archives the jobs in parallel and records each version as soon as
// its archive is stored: a version row never exists without its archive.
func (r *run) build(ctx context.Context, pkg *ent.ComposerPackage, jobs []job, skippedByRef map[string]*ent.SkippedRef) error {
	workers := min(runtime.GOMAXPROCS(0), max(len(jobs), 1))
	ch := make(chan job)
	var mu sync.Mutex
	var errs []error
	done := 0
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range ch {
				err := r.buildOne(ctx, pkg, j, skippedByRef[refKey(j.ref.Kind.String(), j.ref.Name)])
				mu.Lock()
				done++
				if err != nil {
					errs = append(errs, fmt.Errorf("%s %s: %w", j.ref.Kind.String(), j.ref.Name, err))
				}
				n := done
				mu.Unlock()
				tasks.Progress(ctx, fmt.Sprintf("%d/%d versions built", n, len(jobs)))
			}
		}()
	}
	for _, j := range jobs {
		if ctx.Err() != nil {
			break
		}
		ch <- j
	}
	close(ch)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return err
	}
	return errors.Join(errs...)
}

func (r *run) buildOne(ctx context.Context, pkg *ent.ComposerPackage, j job, skipped *ent.SkippedRef) error {
	d := packages.DistOf(pkg, j.ref.Commit, j.ref.Dir, false)
	d.Version, d.VersionNormalized = j.rel.pretty, j.rel.normalized
	d.Source = packageversion.SourceTag
	if j.ref.Kind == vcs.Branch {
		d.Source = packageversion.SourceBranch
	}
	refName := j.ref.Name
	d.RefName, d.Reference = &refName, j.ref.Commit
	d.Stability = packageversion.Stability(j.rel.stability.String())
	d.ComposerJSON, d.ReleasedAt = j.raw, j.ref.Time.UTC()
	d.DefaultBranch = j.ref.Kind == vcs.Branch && j.ref.Name == r.defaultBranch
	write := func(w io.Writer) error {
		_, err := r.repo.Archive(ctx, j.ref.Commit, j.ref.Dir, d.Prefix, j.manifest.Archive().Exclude, w)
		return err
	}
	_, err := r.packages.StoreDist(ctx, pkg, d, write, j.existing, func(c *ent.Client, _ *ent.PackageVersion) error {
		if skipped == nil {
			return nil
		}
		if err := c.SkippedRef.DeleteOneID(skipped.ID).Exec(ctx); err != nil && !ent.IsNotFound(err) {
			return err
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("build archive: %w", err)
	}
	return nil
}

// finish records skipped refs, marks versions whose ref disappeared as
// removed, updates README and description from the default branch, and
// re-renders the metadata, in one transaction.
func (r *run) finish(ctx context.Context, pkg *ent.ComposerPackage, refs []locatedRef, seen map[string]bool,
	byRef map[string]*ent.PackageVersion, skippedByRef map[string]*ent.SkippedRef, skips []skip) error {
	desc, readmeMD, readmeHTML := r.describe(ctx, pkg, refs)
	now := time.Now().UTC().Truncate(time.Microsecond)
	return database.InTx(ctx, r.client, func(c *ent.Client) error {
		for _, sk := range skips {
			kind := skippedref.RefKind(sk.ref.Kind.String())
			if old := skippedByRef[refKey(string(kind), sk.ref.Name)]; old != nil {
				if err := c.SkippedRef.UpdateOne(old).SetReference(sk.ref.Commit).SetReason(sk.reason).Exec(ctx); err != nil {
					return err
				}
			} else if err := c.SkippedRef.Create().SetTenantID(pkg.TenantID).SetPackageID(pkg.ID).
				SetRefKind(kind).SetRefName(sk.ref.Name).SetReference(sk.ref.Commit).SetReason(sk.reason).Exec(ctx); err != nil {
				return err
			}
			// A version whose ref now fails leaves the metadata.
			if v := byRef[refKey(string(kind), sk.ref.Name)]; v != nil && v.RemovedAt == nil {
				if err := c.PackageVersion.UpdateOne(v).SetRemovedAt(now).Exec(ctx); err != nil {
					return err
				}
			}
		}
		for key, v := range byRef {
			if !seen[key] && v.RemovedAt == nil {
				if err := c.PackageVersion.UpdateOne(v).SetRemovedAt(now).SetDefaultBranch(false).Exec(ctx); err != nil {
					return err
				}
			}
		}
		for key, sk := range skippedByRef {
			if !seen[key] {
				if err := c.SkippedRef.DeleteOne(sk).Exec(ctx); err != nil && !ent.IsNotFound(err) {
					return err
				}
			}
		}
		// The default branch may have changed without any ref moving.
		if err := c.PackageVersion.Update().
			Where(packageversion.PackageID(pkg.ID), packageversion.SourceEQ(packageversion.SourceBranch),
				packageversion.RefNameNEQ(r.defaultBranch), packageversion.DefaultBranch(true)).
			SetDefaultBranch(false).Exec(ctx); err != nil {
			return err
		}
		if err := c.PackageVersion.Update().
			Where(packageversion.PackageID(pkg.ID), packageversion.SourceEQ(packageversion.SourceBranch),
				packageversion.RefName(r.defaultBranch), packageversion.RemovedAtIsNil()).
			SetDefaultBranch(true).Exec(ctx); err != nil {
			return err
		}
		upd := c.ComposerPackage.UpdateOneID(pkg.ID).SetDefaultBranch(r.defaultBranch)
		if desc != nil {
			upd.SetDescription(*desc)
		}
		if readmeMD != nil {
			upd.SetReadme(*readmeMD).SetReadmeHTML(*readmeHTML)
		}
		updated, err := upd.Save(ctx)
		if err != nil {
			return err
		}
		return r.packages.RefreshMetadata(ctx, c, updated)
	})
}

// describe reads description and README at the default branch. The README
// is the file composer.json's "readme" names, else the usual README file.
func (r *run) describe(ctx context.Context, pkg *ent.ComposerPackage, refs []locatedRef) (desc, md, html *string) {
	for _, ref := range refs {
		if ref.Kind != vcs.Branch || ref.Name != r.defaultBranch {
			continue
		}
		var readmeName string
		if raw, ok, err := r.reader.Read(ref.Commit, path.Join(ref.Dir, "composer.json")); err == nil && ok {
			if m, err := composerjson.Parse(raw); err == nil {
				if d := m.Description(); d != "" {
					desc = &d
				}
				readmeName = m.Readme()
			}
		}
		raw, name := r.readmeFile(ctx, pkg, ref, readmeName)
		if raw == nil {
			return desc, nil, nil
		}
		rendered, err := readme.RenderFile(name, raw)
		if err != nil {
			r.log.Warn("render README", "package", pkg.Name, "err", err)
			return desc, nil, nil
		}
		text := string(raw)
		return desc, &text, &rendered
	}
	return desc, nil, nil
}

// readmeFile reads the README at ref: the named file when composer.json
// names one, else the file readme.Find picks among the package's files.
func (r *run) readmeFile(ctx context.Context, pkg *ent.ComposerPackage, ref locatedRef, named string) ([]byte, string) {
	if named != "" && !strings.Contains(named, "..") {
		if raw, ok, err := r.reader.Read(ref.Commit, path.Join(ref.Dir, named)); err == nil && ok {
			return raw, named
		}
	}
	files, err := r.repo.ListFiles(ctx, ref.Commit, func(p string) bool {
		dir, _ := path.Split(p)
		return strings.TrimSuffix(dir, "/") == ref.Dir
	})
	if err != nil {
		r.log.Warn("list files for README", "package", pkg.Name, "err", err)
		return nil, ""
	}
	names := make([]string, 0, len(files))
	for _, f := range files {
		names = append(names, path.Base(f))
	}
	name, ok := readme.Find(names)
	if !ok {
		return nil, ""
	}
	raw, ok, err := r.reader.Read(ref.Commit, path.Join(ref.Dir, name))
	if err != nil || !ok {
		return nil, ""
	}
	return raw, name
}
