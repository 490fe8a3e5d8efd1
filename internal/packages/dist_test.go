package packages_test

import (
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/cargoman/cargoman/ent"
	"github.com/cargoman/cargoman/ent/composerpackage"
	"github.com/cargoman/cargoman/ent/packageversion"
	"github.com/cargoman/cargoman/internal/archives"
	"github.com/cargoman/cargoman/internal/blob"
	"github.com/cargoman/cargoman/internal/packages"
	"github.com/cargoman/cargoman/internal/testenv"
)

// TestDistOf: the one key scheme of dist archives (git versions by
// commit and monorepo directory, uploads by version id), and StoreDist
// recording a version with its archive, moving a ref (the old file goes),
// and leaving nothing behind when recording fails.
func TestDistOf(t *testing.T) {
	pkg := &ent.ComposerPackage{ID: "pkg_1", Name: "acme/lib"}
	commit := "0123456789abcdef0123456789abcdef01234567"
	tests := []struct {
		name            string
		rev, dir        string
		upload          bool
		key, prefix, id string
	}{
		{name: "git", rev: commit, key: "dists/pkg_1/" + commit + ".zip", prefix: "acme-lib-0123456"},
		{name: "monorepo child", rev: commit, dir: "packages/a", key: "dists/pkg_1/" + commit + "-packages_a.zip", prefix: "acme-lib-0123456"},
		{name: "upload", rev: "ver_0011223344556677", upload: true, key: "dists/pkg_1/ver_0011223344556677.zip", prefix: "acme-lib-44556677", id: "ver_0011223344556677"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := packages.DistOf(pkg, tc.rev, tc.dir, tc.upload)
			if d.Key != tc.key || d.Prefix != tc.prefix || d.ID != tc.id {
				t.Fatalf("DistOf = key %s prefix %s id %s; want %s %s %s", d.Key, d.Prefix, d.ID, tc.key, tc.prefix, tc.id)
			}
		})
	}

	testenv.ForEach(t, func(t *testing.T, b testenv.Backend) {
		db, ctx, tenantID := tenantDB(t, b)
		blobs, err := blob.NewFS(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		svc := packages.New(packages.Options{Client: db.Client, Archives: archives.New(db.Client, blobs, db.Dialect), Log: slog.New(slog.DiscardHandler)})
		p, err := db.Client.ComposerPackage.Create().SetTenantID(tenantID).SetName("acme/lib").SetType(composerpackage.TypeGit).Save(ctx)
		if err != nil {
			t.Fatal(err)
		}
		exists := func(key string) bool {
			_, err := blobs.Stat(ctx, key)
			return err == nil
		}
		gitDist := func(commit string) (packages.NewDist, func(io.Writer) error) {
			d := packages.DistOf(p, commit, "", false)
			ref := "b" + commit[:1]
			d.Version, d.VersionNormalized, d.Source, d.RefName, d.Reference = "dev-"+ref, "dev-"+ref, packageversion.SourceBranch, &ref, commit
			d.Stability, d.ComposerJSON, d.ReleasedAt = packageversion.StabilityDev, []byte(`{"name":"acme/lib"}`), time.Now().UTC()
			return d, func(w io.Writer) error { _, err := io.WriteString(w, "zip of "+commit); return err }
		}
		c1, c2, c3 := strings.Repeat("1", 40), strings.Repeat("2", 40), strings.Repeat("3", 40)

		d1, w1 := gitDist(c1)
		v, err := svc.StoreDist(ctx, p, d1, w1, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha1.Sum([]byte("zip of " + c1))
		if v.DistKey != d1.Key || v.Reference != c1 || v.DistShasum != hex.EncodeToString(sum[:]) || !exists(d1.Key) {
			t.Fatalf("stored %+v", v)
		}

		t.Run("ref moved", func(t *testing.T) {
			d2, w2 := gitDist(c2)
			moved, err := svc.StoreDist(ctx, p, d2, w2, v, nil)
			if err != nil {
				t.Fatal(err)
			}
			if moved.ID != v.ID || moved.DistKey != d2.Key || exists(d1.Key) || !exists(d2.Key) {
				t.Fatalf("moved %+v; old file there: %v", moved, exists(d1.Key))
			}
		})
		t.Run("recording fails", func(t *testing.T) {
			d3, w3 := gitDist(c3)
			boom := errors.New("boom")
			_, err := svc.StoreDist(ctx, p, d3, w3, nil, func(*ent.Client, *ent.PackageVersion) error { return boom })
			if !errors.Is(err, boom) {
				t.Fatalf("err = %v", err)
			}
			n, _ := db.Client.PackageVersion.Query().Where(packageversion.DistKey(d3.Key)).Count(ctx)
			if n != 0 || exists(d3.Key) {
				t.Fatalf("%d rows, file there: %v", n, exists(d3.Key))
			}
		})
	})
}
