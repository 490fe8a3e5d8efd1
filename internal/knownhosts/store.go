// Package knownhosts keeps each tenant's trusted ssh host keys in the
// database: pinned on first use (or checked against the keys github.com,
// gitlab.com and bitbucket.org publish), verified on every sync, and
// replaced only when an admin accepts the key a changed server offers. It
// implements vcs.HostKeys.
package knownhosts

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/cargoman/cargoman/ent"
	"github.com/cargoman/cargoman/ent/knownhost"
	"github.com/cargoman/cargoman/internal/apperr"
	"github.com/cargoman/cargoman/internal/database"
	"github.com/cargoman/cargoman/internal/vcs"
)

// Store is the tenant-scoped known_hosts of the context's tenant.
type Store struct{ client *ent.Client }

// New returns a Store over client.
func New(client *ent.Client) *Store { return &Store{client: client} }

var _ vcs.HostKeys = (*Store)(nil)

// typeRank orders key types the way OpenSSH prefers them.
func typeRank(t string) int {
	switch {
	case t == ssh.KeyAlgoED25519:
		return 0
	case strings.HasPrefix(t, "ecdsa-"):
		return 1
	case t == ssh.KeyAlgoRSA:
		return 2
	}
	return 3
}

// byType orders key types by preference.
func byType(a, b string) int { return typeRank(a) - typeRank(b) }

func sortRows(rows []*ent.KnownHost) {
	slices.SortStableFunc(rows, func(a, b *ent.KnownHost) int { return byType(a.KeyType, b.KeyType) })
}

// ForHost lists the keys pinned for host, preferred type first.
func (s *Store) ForHost(ctx context.Context, host string) ([]*ent.KnownHost, error) {
	rows, err := s.client.KnownHost.Query().Where(knownhost.Host(host)).Limit(16).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("knownhosts: keys of %s: %w", host, err)
	}
	sortRows(rows)
	return rows, nil
}

// KeyTypes lists the key types trusted for host: the pinned ones, or the
// published ones of a host seen for the first time.
func (s *Store) KeyTypes(ctx context.Context, host string) ([]string, error) {
	rows, err := s.ForHost(ctx, host)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, r := range rows {
		out = append(out, r.KeyType)
	}
	if len(out) == 0 {
		for _, p := range published {
			if p.host == host {
				out = append(out, strings.Fields(p.key)[0])
			}
		}
		slices.SortStableFunc(out, byType)
	}
	return out, nil
}

// Check pins key for host on first use (when the provider publishes its
// keys, those are pinned instead and key must be one of them), accepts the
// pinned key, and otherwise records key as the pending one and returns a
// HOST_KEY_CHANGED error wrapping vcs.ErrHostKeyChanged.
func (s *Store) Check(ctx context.Context, host string, key ssh.PublicKey) error {
	err := s.check(ctx, host, key)
	if ent.IsConstraintError(err) {
		// Another sync pinned the host meanwhile: judge against its pin.
		err = s.check(ctx, host, key)
	}
	return err
}

func (s *Store) check(ctx context.Context, host string, key ssh.PublicKey) error {
	offered := base64.StdEncoding.EncodeToString(key.Marshal())
	fp := ssh.FingerprintSHA256(key)
	var changed *ent.KnownHost
	err := database.InTx(ctx, s.client, func(c *ent.Client) error {
		rows, err := c.KnownHost.Query().Where(knownhost.Host(host)).All(ctx)
		if err != nil {
			return err
		}
		now := time.Now().UTC()
		if len(rows) == 0 {
			if rows, err = seed(ctx, c, host, now); err != nil {
				return err
			}
		}
		if len(rows) == 0 {
			return c.KnownHost.Create().SetHost(host).SetKeyType(key.Type()).SetKey(offered).SetFingerprint(fp).
				SetSource(knownhost.SourceFirstUse).SetFirstSeenAt(now).SetAcceptedAt(now).Exec(ctx)
		}
		sortRows(rows)
		changed = rows[0]
		for _, r := range rows {
			if r.KeyType == key.Type() {
				if r.Key == offered {
					changed = nil
					return nil
				}
				changed = r
			}
		}
		return c.KnownHost.UpdateOne(changed).SetPendingKeyType(key.Type()).SetPendingKey(offered).
			SetPendingFingerprint(fp).SetPendingSeenAt(now).Exec(ctx)
	})
	if err != nil {
		return fmt.Errorf("knownhosts: check %s: %w", host, err)
	}
	if changed != nil {
		return apperr.New(apperr.HostKeyChanged,
			"the ssh host key of %s changed: it now offers %s %s instead of the trusted %s; an admin who has verified the new key accepts it with acceptHostKey",
			host, key.Type(), fp, changed.Fingerprint).WithCause(vcs.ErrHostKeyChanged)
	}
	return nil
}

// seed pins the published keys of host, if it is one of the providers
// that publish theirs.
func seed(ctx context.Context, c *ent.Client, host string, now time.Time) ([]*ent.KnownHost, error) {
	var creates []*ent.KnownHostCreate
	for _, p := range published {
		if p.host != host {
			continue
		}
		f := strings.Fields(p.key)
		creates = append(creates, c.KnownHost.Create().SetHost(host).SetKeyType(f[0]).SetKey(f[1]).
			SetFingerprint(p.fingerprint).SetSource(knownhost.SourcePublished).SetFirstSeenAt(now).SetAcceptedAt(now))
	}
	if len(creates) == 0 {
		return nil, nil
	}
	return c.KnownHost.CreateBulk(creates...).Save(ctx)
}

// Accept makes the key host offers instead of its pinned one trusted,
// after an admin checked its fingerprint. fingerprint must be the pending
// key's ("SHA256:..."); anything else is refused, so an admin accepts
// exactly the key they verified.
func (s *Store) Accept(ctx context.Context, host, fingerprint string) (*ent.KnownHost, error) {
	host = strings.TrimSpace(host)
	fingerprint = strings.TrimSpace(fingerprint)
	if !strings.HasPrefix(fingerprint, "SHA256:") {
		return nil, apperr.Invalid("fingerprint", `give the SHA256 fingerprint of the offered key ("SHA256:...")`)
	}
	var accepted *ent.KnownHost
	err := database.InTx(ctx, s.client, func(c *ent.Client) error {
		rows, err := c.KnownHost.Query().Where(knownhost.Host(host)).All(ctx)
		if err != nil {
			return err
		}
		if len(rows) == 0 {
			return apperr.NotFoundf("no known host %q", host)
		}
		var row *ent.KnownHost
		for _, r := range rows {
			if r.PendingFingerprint != nil && *r.PendingFingerprint == fingerprint {
				row = r
			}
		}
		if row == nil {
			return apperr.Invalid("fingerprint", "%s is not the key %s offers: accept the fingerprint shown as pendingFingerprint after checking it with the server's operator", fingerprint, host)
		}
		// The new key replaces the pinned key of its type, if any.
		for _, r := range rows {
			if r.ID != row.ID && r.KeyType == *row.PendingKeyType {
				if err := c.KnownHost.DeleteOne(r).Exec(ctx); err != nil {
					return err
				}
			}
		}
		accepted, err = c.KnownHost.UpdateOne(row).
			SetKeyType(*row.PendingKeyType).SetKey(*row.PendingKey).SetFingerprint(*row.PendingFingerprint).
			SetSource(knownhost.SourceAccepted).SetAcceptedAt(time.Now().UTC()).
			ClearPendingKeyType().ClearPendingKey().ClearPendingFingerprint().ClearPendingSeenAt().
			Save(ctx)
		return err
	})
	var ae *apperr.Error
	if errors.As(err, &ae) {
		return nil, ae
	}
	if err != nil {
		return nil, fmt.Errorf("knownhosts: accept key of %s: %w", host, err)
	}
	return accepted, nil
}
