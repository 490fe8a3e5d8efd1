package vcs

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"golang.org/x/crypto/ssh"

	"github.com/cargoman/cargoman/internal/repourl"
	"github.com/cargoman/cargoman/internal/shellword"
	"github.com/cargoman/cargoman/internal/testenv/sshdtest"
)

// memHostKeys pins keys in memory: trust on first use, then only that key.
type memHostKeys struct {
	mu   sync.Mutex
	keys map[string]ssh.PublicKey
}

func (m *memHostKeys) KeyTypes(_ context.Context, host string) ([]string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if k := m.keys[host]; k != nil {
		return []string{k.Type()}, nil
	}
	return nil, nil
}

func (m *memHostKeys) Check(_ context.Context, host string, key ssh.PublicKey) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.keys == nil {
		m.keys = map[string]ssh.PublicKey{}
	}
	old := m.keys[host]
	if old == nil {
		m.keys[host] = key
		return nil
	}
	if string(old.Marshal()) != string(key.Marshal()) {
		return fmt.Errorf("%s offered %s: %w", host, ssh.FingerprintSHA256(key), ErrHostKeyChanged)
	}
	return nil
}

func (m *memHostKeys) fingerprint(host string) string {
	m.mu.Lock()
	defer m.mu.Unlock()
	if k := m.keys[host]; k != nil {
		return ssh.FingerprintSHA256(k)
	}
	return ""
}

// TestSSHHostKeyPinning syncs from a real sshd: the first sync pins its
// host key, the next ones verify it, and a server with another key is
// refused with ErrHostKeyChanged before git talks to it.
func TestSSHHostKeyPinning(t *testing.T) {
	f := getFixture(t)
	f.mirror(t)
	srv := sshdtest.Start(t)
	url := srv.URL(f.mirrorDir)
	store := &memHostKeys{}
	auth := Auth{SSHKey: srv.ClientKey}
	dir := filepath.Join(t.TempDir(), "m")
	name := HostKeyName("127.0.0.1", srv.Port)

	for i, step := range []string{"clone", "fetch"} {
		repo, err := Sync(t.Context(), dir, url, auth, Options{HostKeys: store})
		if err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		if refs, err := repo.Refs(t.Context()); err != nil || len(refs) != 7 {
			t.Fatalf("%s: Refs: %d, %v", step, len(refs), err)
		}
		if got := store.fingerprint(name); got != srv.Fingerprint {
			t.Fatalf("sync %d pinned %q, server key is %s", i, got, srv.Fingerprint)
		}
	}

	srv.RotateHostKey(t)
	_, err := Sync(t.Context(), dir, url, auth, Options{HostKeys: store})
	if !errors.Is(err, ErrHostKeyChanged) {
		t.Fatalf("sync after the host key changed = %v, want ErrHostKeyChanged", err)
	}

	// A fresh store pins the current key on first use (that ssh is then
	// held to the probed key is TestSyncSSHCommand's check of its
	// arguments).
	if _, err := Sync(t.Context(), filepath.Join(t.TempDir(), "m2"), url, auth, Options{HostKeys: &memHostKeys{}}); err != nil {
		t.Fatalf("fresh store: %v", err)
	}
	if _, err := Sync(t.Context(), dir, url, auth, Options{}); !errors.Is(err, ErrInvalidArgument) {
		t.Fatalf("ssh without a host key store = %v, want ErrInvalidArgument", err)
	}
}

// TestSyncSSHCommand checks how ssh is called: strict host key checking
// against the session's own known_hosts, a private key file that only the
// session can read and that is gone afterwards, never accept-new.
func TestSyncSSHCommand(t *testing.T) {
	srv := sshdtest.Start(t)
	rem, err := parseRemote(fmt.Sprintf("ssh://git@127.0.0.1:%d/acme/lib.git", srv.Port), repourl.Rules{})
	if err != nil {
		t.Fatal(err)
	}
	s, err := newSession(t.Context(), rem, Auth{SSHKey: srv.ClientKey}, Options{HostKeys: &memHostKeys{}}.withDefaults())
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(filepath.Join(s.tmp, "id"))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v, mode %v", err, fi.Mode())
	}
	var sshCmd string
	for _, kv := range s.run.env {
		if v, ok := strings.CutPrefix(kv, "GIT_SSH_COMMAND="); ok {
			sshCmd = v
		}
	}
	for _, want := range []string{"IdentitiesOnly=yes", "StrictHostKeyChecking=yes", "UserKnownHostsFile=" + filepath.Join(s.tmp, "known_hosts"),
		"HostKeyAlias=" + pinnedAlias, "Hostname=127.0.0.1", fmt.Sprintf("Port=%d", s.gate.Port()),
		"-i " + shellword.Quote(filepath.Join(s.tmp, "id")), "BatchMode=yes", "ServerAliveInterval="} {
		if !strings.Contains(sshCmd, want) {
			t.Errorf("GIT_SSH_COMMAND %q lacks %q", sshCmd, want)
		}
	}
	if strings.Contains(sshCmd, "accept-new") {
		t.Errorf("GIT_SSH_COMMAND %q accepts new host keys", sshCmd)
	}
	known, err := os.ReadFile(filepath.Join(s.tmp, "known_hosts"))
	if err != nil || string(known) != pinnedAlias+" "+srv.HostKey+"\n" {
		t.Errorf("known_hosts = %q, %v; want the server's key", known, err)
	}
	s.close()
	if _, err := os.Stat(s.tmp); !os.IsNotExist(err) {
		t.Errorf("session directory with the key survives close: %v", err)
	}
}
