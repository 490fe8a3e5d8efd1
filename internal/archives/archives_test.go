package archives_test

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cargoman/cargoman/ent"
	"github.com/cargoman/cargoman/ent/composerpackage"
	"github.com/cargoman/cargoman/ent/packageversion"
	"github.com/cargoman/cargoman/internal/archives"
	"github.com/cargoman/cargoman/internal/blob"
	"github.com/cargoman/cargoman/internal/maintenance"
	"github.com/cargoman/cargoman/internal/tenancy"
	"github.com/cargoman/cargoman/internal/testenv"
)

// shared is a server with acme/lib synced from a repository whose tag
// 1.0.0 and branch main point at one commit, so both versions share one
// archive file, and a customer token that may download 1.0.0.
type shared struct {
	s        *testenv.Server
	repo     *testenv.GitRepo
	token    string
	commit   string
	key      string // the archive both versions use
	shasum   string // its SHA-1
	packages *ent.PackageVersionClient
}

func do(t *testing.T, s *testenv.Server, method, path string, body any, want int) []byte {
	t.Helper()
	resp := s.Do(t, method, path, testenv.RootToken, body)
	if resp.Status != want {
		t.Fatalf("%s %s: %d %s", method, path, resp.Status, resp.Body)
	}
	return resp.Body
}

func setupShared(t *testing.T, b testenv.Backend) *shared {
	s := testenv.StartServer(t, b)
	repo := testenv.NewGitRepo(t)
	commit := repo.Commit("1.0.0", map[string]string{
		"composer.json": testenv.ComposerJSON("acme/lib", ""),
		"src/Lib.php":   "<?php // 1.0",
	})
	repo.Git("tag", "1.0.0")
	do(t, s, http.MethodPost, "/api/v1/packages", map[string]any{"name": "acme/lib", "repository_url": repo.Dir, "type": "git"}, http.StatusCreated)
	f := &shared{s: s, repo: repo, commit: commit, packages: s.DB.Client.PackageVersion}
	tag, branch := f.waitVersions(t, func(tag, branch *ent.PackageVersion) bool { return tag != nil && branch != nil })
	if tag.DistKey != branch.DistKey || tag.Reference != commit {
		t.Fatalf("tag and branch on one commit should share an archive: %s vs %s", tag.DistKey, branch.DistKey)
	}
	f.key, f.shasum = tag.DistKey, tag.DistShasum

	var cu struct{ ID string }
	if err := json.Unmarshal(do(t, s, http.MethodPost, "/api/v1/customers", map[string]any{"name": "Acme Corp"}, http.StatusCreated), &cu); err != nil {
		t.Fatal(err)
	}
	do(t, s, http.MethodPost, "/api/v1/customers/"+cu.ID+"/packages", map[string]any{"package": "acme/lib", "constraint": "^1.0"}, http.StatusCreated)
	var tok struct {
		PlainToken string `json:"plain_token"`
	}
	if err := json.Unmarshal(do(t, s, http.MethodPost, "/api/v1/customers/"+cu.ID+"/tokens", map[string]any{"name": "ci", "scope": "download"}, http.StatusCreated), &tok); err != nil {
		t.Fatal(err)
	}
	f.token = tok.PlainToken
	f.assertDownloads(t)
	return f
}

// versions returns acme/lib's 1.0.0 and dev-main rows (nil when absent).
func (f *shared) versions(t *testing.T) (tag, branch *ent.PackageVersion) {
	t.Helper()
	vs, err := f.packages.Query().
		Where(packageversion.HasPackageWith(composerpackage.Name("acme/lib"))).
		All(tenancy.WithSystem(context.Background()))
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range vs {
		switch v.Version {
		case "1.0.0":
			tag = v
		case "dev-main":
			branch = v
		}
	}
	return tag, branch
}

// waitVersions polls until ok holds for acme/lib's 1.0.0 and dev-main and
// no sync is pending.
func (f *shared) waitVersions(t *testing.T, ok func(tag, branch *ent.PackageVersion) bool) (tag, branch *ent.PackageVersion) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		tag, branch = f.versions(t)
		var p struct {
			CurrentTask *struct{} `json:"current_task"`
			SyncError   *string   `json:"sync_error"`
		}
		if err := json.Unmarshal(do(t, f.s, http.MethodGet, "/api/v1/packages/acme/lib", nil, http.StatusOK), &p); err != nil {
			t.Fatal(err)
		}
		if p.SyncError != nil {
			t.Fatalf("sync error: %s", *p.SyncError)
		}
		if ok(tag, branch) && p.CurrentTask == nil {
			return tag, branch
		}
		if time.Now().After(deadline) {
			t.Fatalf("acme/lib did not reach the expected versions: 1.0.0=%v dev-main=%v", tag, branch)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (f *shared) sync(t *testing.T) {
	t.Helper()
	do(t, f.s, http.MethodPost, "/api/v1/packages/acme/lib/sync", nil, http.StatusAccepted)
}

// assertDownloads fetches 1.0.0 through the Composer dist route as a
// customer and checks the archive's SHA-1 against the recorded one.
func (f *shared) assertDownloads(t *testing.T) {
	t.Helper()
	r := f.s.Raw(t, http.MethodGet, "/dists/acme/lib/1.0.0.0/"+f.commit+".zip", f.token, nil, nil)
	if r.Status != http.StatusOK {
		t.Fatalf("download 1.0.0: %d %s", r.Status, r.Body)
	}
	sum := sha1.Sum(r.Body)
	if got := hex.EncodeToString(sum[:]); got != f.shasum {
		t.Fatalf("1.0.0 archive SHA-1 = %s, want %s", got, f.shasum)
	}
}

// cleanup runs the cleanup task handler now, sweeping orphans of any age.
func (f *shared) cleanup(t *testing.T) {
	t.Helper()
	blobs, err := blob.NewFS(filepath.Join(f.s.DataDir, "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	store := archives.New(f.s.DB.Client, blobs, f.s.DB.Dialect)
	h := maintenance.New(maintenance.Options{Client: f.s.DB.Client, Queue: f.s.App.Pool.Queue(), Archives: store,
		Retention: maintenance.Retention{RemovedVersions: 24 * time.Hour, FinishedTasks: 24 * time.Hour, OrphanGrace: time.Nanosecond}, Log: slog.New(slog.DiscardHandler)})
	if err := h.Cleanup(context.Background(), &ent.Task{TenantID: f.s.TenantID}); err != nil {
		t.Fatalf("cleanup: %v", err)
	}
}

// removeBranch deletes main upstream, syncs (dev-main is marked removed)
// and ages the removal past retention.
func (f *shared) removeBranch(t *testing.T) {
	t.Helper()
	f.repo.Git("checkout", "-q", "-b", "work")
	f.repo.Commit("work", map[string]string{"src/Work.php": "<?php"})
	f.repo.Git("branch", "-D", "main")
	f.sync(t)
	_, branch := f.waitVersions(t, func(_, branch *ent.PackageVersion) bool { return branch != nil && branch.RemovedAt != nil })
	old := time.Now().Add(-60 * 24 * time.Hour)
	if err := f.packages.UpdateOne(branch).SetRemovedAt(old).Exec(tenancy.WithSystem(context.Background())); err != nil {
		t.Fatal(err)
	}
}

// TestSharedBlobSurvivesCleanup: cleanup deletes the removed branch
// version but not the archive the (yanked) tag 1.0.0 still serves.
func TestSharedBlobSurvivesCleanup(t *testing.T) {
	testenv.ForEach(t, func(t *testing.T, b testenv.Backend) {
		f := setupShared(t, b)
		f.removeBranch(t)
		// Yanked versions stay installable from lock files.
		do(t, f.s, http.MethodPost, "/api/v1/packages/acme/lib/yank/1.0.0", nil, http.StatusOK)
		f.cleanup(t)
		if tag, branch := f.versions(t); branch != nil || tag == nil {
			t.Fatalf("cleanup should delete dev-main and keep 1.0.0: 1.0.0=%v dev-main=%v", tag, branch)
		}
		f.assertDownloads(t)

		// Once the last version using it goes, so does the file.
		do(t, f.s, http.MethodDelete, "/api/v1/packages/acme/lib", nil, http.StatusNoContent)
		fs, err := blob.NewFS(filepath.Join(f.s.DataDir, "blobs"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := fs.Stat(context.Background(), f.key); !errors.Is(err, blob.ErrNotFound) {
			t.Fatalf("archive of the deleted package: %v, want it gone", err)
		}
	})
}

// TestSharedBlobSurvivesVersionDelete: whatever drops a version that
// shares 1.0.0's archive (its branch moving on, a package of another
// tenant deleted) leaves 1.0.0 downloadable.
func TestSharedBlobSurvivesVersionDelete(t *testing.T) {
	for _, tc := range []struct {
		name string
		drop func(t *testing.T, f *shared)
	}{
		{"branch moves to a new commit", func(t *testing.T, f *shared) {
			moved := f.repo.Commit("next", map[string]string{"src/Next.php": "<?php"})
			f.sync(t)
			_, branch := f.waitVersions(t, func(_, branch *ent.PackageVersion) bool { return branch != nil && branch.Reference == moved })
			if branch.DistKey == f.key {
				t.Fatalf("dev-main kept the old archive %s", branch.DistKey)
			}
		}},
		{"package of another tenant sharing the archive is deleted", func(t *testing.T, f *shared) {
			sys := tenancy.WithSystem(context.Background())
			c := f.s.DB.Client
			other, err := c.Tenant.Create().SetSlug("other").SetName("Other").Save(sys)
			if err != nil {
				t.Fatal(err)
			}
			pkg, err := c.ComposerPackage.Create().SetTenantID(other.ID).SetName("acme/lib").SetType(composerpackage.TypeArtifact).Save(sys)
			if err != nil {
				t.Fatal(err)
			}
			tag, _ := f.versions(t)
			if err := c.PackageVersion.Create().SetTenantID(other.ID).SetPackageID(pkg.ID).SetVersion("1.0.0").SetVersionNormalized("1.0.0.0").
				SetSource(packageversion.SourceUpload).SetReference(f.shasum).SetStability(packageversion.StabilityStable).
				SetComposerJSON(tag.ComposerJSON).SetDistKey(f.key).SetDistShasum(f.shasum).SetDistSize(tag.DistSize).Exec(sys); err != nil {
				t.Fatal(err)
			}
			if err := f.s.App.Packages.Delete(tenancy.WithTenant(context.Background(), other.ID), "acme/lib"); err != nil {
				t.Fatalf("delete the other tenant's package: %v", err)
			}
		}},
		{"removed branch version is cleaned up", func(t *testing.T, f *shared) {
			f.removeBranch(t)
			f.cleanup(t)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			testenv.ForEach(t, func(t *testing.T, b testenv.Backend) {
				f := setupShared(t, b)
				tc.drop(t, f)
				f.assertDownloads(t)
			})
		})
	}
}

// flakyFS is a blob store that runs hook once, right after a Put of key
// completes: the moment a concurrent release can slip in before the
// writer records its version.
type flakyFS struct {
	blob.Store
	key  string
	once sync.Once
	hook func()
}

func (f *flakyFS) Put(ctx context.Context, key string, r io.Reader) (blob.Info, error) {
	info, err := f.Store.Put(ctx, key, r)
	if err == nil && key == f.key {
		f.once.Do(f.hook)
	}
	return info, err
}

// fixture is a database with one tenant and package, and an archive store.
type fixture struct {
	c       *ent.Client
	ctx     context.Context
	pkgID   string
	blobs   blob.Store
	dialect string
}

func newFixture(t *testing.T, b testenv.Backend) *fixture {
	db := b.Open(t)
	sys := tenancy.WithSystem(context.Background())
	tn, err := db.Client.Tenant.Create().SetSlug("t").SetName("T").Save(sys)
	if err != nil {
		t.Fatal(err)
	}
	pkg, err := db.Client.ComposerPackage.Create().SetTenantID(tn.ID).SetName("acme/lib").SetType(composerpackage.TypeArtifact).Save(sys)
	if err != nil {
		t.Fatal(err)
	}
	fs, err := blob.NewFS(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{c: db.Client, ctx: tenancy.WithTenant(context.Background(), tn.ID), pkgID: pkg.ID, blobs: fs, dialect: db.Dialect}
}

// record returns a Store record func adding version v with key.
func (f *fixture) record(v, key string) func(tx *ent.Client, info blob.Info) error {
	return func(tx *ent.Client, info blob.Info) error {
		return tx.PackageVersion.Create().SetPackageID(f.pkgID).SetVersion(v).SetVersionNormalized(v + ".0").
			SetSource(packageversion.SourceUpload).SetReference(info.SHA1).SetStability(packageversion.StabilityStable).
			SetComposerJSON("{}").SetDistKey(key).SetDistShasum(info.SHA1).SetDistSize(info.Size).Exec(f.ctx)
	}
}

func content(s string) func(io.Writer) error {
	return func(w io.Writer) error { _, err := io.WriteString(w, s); return err }
}

// TestStoreSurvivesConcurrentRelease: a release that removes the file
// between a writer's Put and its record (nothing referred to it yet) does
// not leave the writer's version without its file.
func TestStoreSurvivesConcurrentRelease(t *testing.T) {
	testenv.ForEach(t, func(t *testing.T, b testenv.Backend) {
		f := newFixture(t, b)
		const key = "dists/pkg_x/abc.zip"
		var store *archives.Store
		released := 0
		flaky := &flakyFS{Store: f.blobs, key: key, hook: func() {
			n, err := store.Release(f.ctx, key)
			if err != nil {
				t.Errorf("release: %v", err)
			}
			released += n
		}}
		store = archives.New(f.c, flaky, f.dialect)
		if _, err := store.Store(f.ctx, key, content("zip"), f.record("1.0.0", key)); err != nil {
			t.Fatalf("store: %v", err)
		}
		if released != 1 {
			t.Fatalf("the release between Put and record deleted %d files, want 1 (the race was not exercised)", released)
		}
		if _, err := f.blobs.Stat(f.ctx, key); err != nil {
			t.Fatalf("recorded version lost its file: %v", err)
		}

		// Free-running: writers of new versions sharing one key race
		// releasers; every recorded version keeps its file.
		const shared = "dists/pkg_x/shared.zip"
		plain := archives.New(f.c, f.blobs, f.dialect)
		var wg sync.WaitGroup
		for i := range 8 {
			wg.Add(2)
			go func() {
				defer wg.Done()
				if _, err := plain.Store(f.ctx, shared, content("shared"), f.record(fmt.Sprintf("2.%d.0", i), shared)); err != nil {
					t.Errorf("store: %v", err)
				}
			}()
			go func() {
				defer wg.Done()
				if _, err := plain.Release(f.ctx, shared); err != nil {
					t.Errorf("release: %v", err)
				}
			}()
		}
		wg.Wait()
		if _, err := f.blobs.Stat(f.ctx, shared); err != nil {
			t.Fatalf("shared file of recorded versions: %v", err)
		}
	})
}

// TestSweepRemovesOrphans: the cleanup sweep deletes archives no version
// refers to and keeps those one does, whatever the tenant or state.
func TestSweepRemovesOrphans(t *testing.T) {
	testenv.ForEach(t, func(t *testing.T, b testenv.Backend) {
		f := newFixture(t, b)
		store := archives.New(f.c, f.blobs, f.dialect)
		used := "dists/pkg_x/used.zip"
		if _, err := store.Store(f.ctx, used, content("used"), f.record("1.0.0", used)); err != nil {
			t.Fatal(err)
		}
		// A yanked and removed version still holds its file.
		if err := f.c.PackageVersion.Update().SetYankedAt(time.Now()).SetRemovedAt(time.Now()).Exec(f.ctx); err != nil {
			t.Fatal(err)
		}
		orphans := []string{"dists/pkg_x/orphan.zip", "dists/pkg_y/crashed-sync.zip"}
		for _, k := range orphans {
			if _, err := f.blobs.Put(f.ctx, k, strings.NewReader("orphan")); err != nil {
				t.Fatal(err)
			}
		}
		// Too young to sweep: nothing goes.
		if n, err := store.Sweep(f.ctx, time.Now().Add(-time.Hour)); err != nil || n != 0 {
			t.Fatalf("sweep of young files: %d, %v", n, err)
		}
		n, err := store.Sweep(f.ctx, time.Now().Add(time.Second))
		if err != nil || n != len(orphans) {
			t.Fatalf("sweep deleted %d (%v), want %d", n, err, len(orphans))
		}
		for _, k := range orphans {
			if _, err := f.blobs.Stat(f.ctx, k); !errors.Is(err, blob.ErrNotFound) {
				t.Errorf("orphan %s: %v, want it gone", k, err)
			}
		}
		if _, err := f.blobs.Stat(f.ctx, used); err != nil {
			t.Errorf("used archive: %v", err)
		}
	})
}
