// Package archives owns the life of dist archives: storing one for a
// version and deleting it once no version refers to it. Archives built from
// git are keyed by commit, so several versions (a tag and a branch on one
// commit) share one file; whoever drops a version must not delete a file
// another version still serves. Every writer (git sync, uploads) and every
// releaser (package deletion, cleanup) goes through this package so the
// rule lives in one place.
//
// The protocol, safe against a sync writing the key while it is released:
// a writer stores the file, then, in one transaction holding the key's lock
// (database.LockKey), records its version and checks the file is still
// there, writing it again if a releaser removed it meanwhile. A releaser
// runs after its version rows are deleted and committed, and in one
// transaction holding the same lock checks that no version of any package,
// tenant or state (yanked and removed ones included: lock files name them)
// refers to the key before deleting the file. A crash between the row
// delete and the release leaves at worst an orphan file that Sweep
// removes, never a version without its file.
package archives

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/cargoman/cargoman/ent"
	"github.com/cargoman/cargoman/ent/packageversion"
	"github.com/cargoman/cargoman/internal/blob"
	"github.com/cargoman/cargoman/internal/database"
	"github.com/cargoman/cargoman/internal/tenancy"
)

// Prefix is where dist archives live in the blob store.
const Prefix = "dists/"

// maxAttempts bounds how often Store rewrites a file that a concurrent
// release keeps removing before it can be recorded.
const maxAttempts = 3

// errGone says the file vanished between writing and recording it.
var errGone = errors.New("archives: stored file was released before it was recorded")

// Store stores and releases dist archives.
type Store struct {
	client  *ent.Client
	blobs   blob.Store
	dialect string
}

// New returns a Store over blobs for the database client of dialect dia.
func New(client *ent.Client, blobs blob.Store, dia string) *Store {
	return &Store{client: client, blobs: blobs, dialect: dia}
}

// Open opens the archive stored under key.
func (s *Store) Open(ctx context.Context, key string) (blob.Object, error) {
	return s.blobs.Open(ctx, key)
}

// Store writes what write produces under key, then calls record with a
// client bound to a transaction that holds the key's lock, so record can
// create or update the version that refers to key. When record succeeds
// and the file is still there, the transaction commits; when a concurrent
// release removed the file meanwhile, everything is done again. write may
// be called more than once and must produce the same content each time.
// On error nothing refers to key; the caller releases it if it may be an
// orphan.
func (s *Store) Store(ctx context.Context, key string, write func(io.Writer) error, record func(tx *ent.Client, info blob.Info) error) (blob.Info, error) {
	for range maxAttempts {
		info, err := s.put(ctx, key, write)
		if err != nil {
			return blob.Info{}, err
		}
		err = database.InTx(ctx, s.client, func(tx *ent.Client) error {
			if err := database.LockKey(ctx, tx, s.dialect, key); err != nil {
				return err
			}
			if err := record(tx, info); err != nil {
				return err
			}
			if _, err := s.blobs.Stat(ctx, key); errors.Is(err, blob.ErrNotFound) {
				return errGone
			} else if err != nil {
				return fmt.Errorf("archives: check %s: %w", key, err)
			}
			return nil
		})
		if errors.Is(err, errGone) {
			continue
		}
		return info, err
	}
	return blob.Info{}, fmt.Errorf("archives: %s was released %d times while being stored", key, maxAttempts)
}

// put streams write's output into the blob store.
func (s *Store) put(ctx context.Context, key string, write func(io.Writer) error) (blob.Info, error) {
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(write(pw)) }()
	info, err := s.blobs.Put(ctx, key, pr)
	pr.CloseWithError(err) // stops write if Put gave up early
	if err != nil {
		return blob.Info{}, fmt.Errorf("archives: store %s: %w", key, err)
	}
	return info, nil
}

// Release deletes the files of keys that no version refers to anymore. Call
// it after the transaction that deleted or changed the versions commits.
// It returns how many files it deleted; one key failing does not stop the
// others.
func (s *Store) Release(ctx context.Context, keys ...string) (int, error) {
	deleted := 0
	var errs []error
	seen := map[string]bool{}
	for _, key := range keys {
		if key == "" || seen[key] {
			continue
		}
		seen[key] = true
		gone, err := s.release(ctx, key)
		if err != nil {
			errs = append(errs, err)
		}
		if gone {
			deleted++
		}
	}
	return deleted, errors.Join(errs...)
}

// release deletes key's file if no version refers to it, under the key's
// lock.
func (s *Store) release(ctx context.Context, key string) (deleted bool, err error) {
	// References are looked up across every tenant: the same file may serve
	// versions of other tenants.
	sys := tenancy.WithSystem(ctx)
	err = database.InTx(sys, s.client, func(tx *ent.Client) error {
		if err := database.LockKey(sys, tx, s.dialect, key); err != nil {
			return err
		}
		used, err := tx.PackageVersion.Query().Where(packageversion.DistKey(key)).Exist(sys)
		if err != nil {
			return fmt.Errorf("archives: look up versions of %s: %w", key, err)
		}
		if used {
			return nil
		}
		if err := s.blobs.Delete(sys, key); err != nil {
			return fmt.Errorf("archives: delete %s: %w", key, err)
		}
		deleted = true
		return nil
	})
	return deleted, err
}

// Sweep releases every archive file older than cutoff: those no version
// refers to (a crash between a row delete and its release, a sync that
// failed after storing) are deleted. The age bound spares files a sync is
// writing right now the work of being written twice.
func (s *Store) Sweep(ctx context.Context, cutoff time.Time) (int, error) {
	var candidates []string
	err := s.blobs.List(ctx, Prefix, func(key string, info blob.Info) error {
		if info.ModTime.Before(cutoff) && strings.HasSuffix(key, ".zip") {
			candidates = append(candidates, key)
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("archives: list %s: %w", Prefix, err)
	}
	// A cheap look-up first, so only likely orphans take the key lock (on
	// SQLite, the database's write lock).
	sys := tenancy.WithSystem(ctx)
	var orphans []string
	for batch := range slices.Chunk(candidates, sweepBatch) {
		used, err := s.client.PackageVersion.Query().
			Where(packageversion.DistKeyIn(batch...)).
			Unique(true).
			Select(packageversion.FieldDistKey).
			Strings(sys)
		if err != nil {
			return 0, fmt.Errorf("archives: look up versions of archives: %w", err)
		}
		inUse := make(map[string]bool, len(used))
		for _, key := range used {
			inUse[key] = true
		}
		for _, key := range batch {
			if !inUse[key] {
				orphans = append(orphans, key)
			}
		}
	}
	return s.Release(ctx, orphans...)
}

// sweepBatch is how many keys one look-up of Sweep checks.
const sweepBatch = 500
