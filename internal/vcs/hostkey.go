package vcs

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/cargoman/cargoman/internal/netpolicy"
)

// HostKeys is where ssh host keys are pinned. Sync asks it before every ssh
// connection; the ssh client is then told to accept that key and no other.
type HostKeys interface {
	// KeyTypes lists the key types ("ssh-ed25519", ...) pinned for host
	// (a HostKeyName), so the server is asked for one of them first.
	KeyTypes(ctx context.Context, host string) ([]string, error)
	// Check is given the key the server offered. It returns nil when the
	// key is pinned for host or was pinned now (first use), and an error
	// wrapping ErrHostKeyChanged when host has another key pinned.
	Check(ctx context.Context, host string, key ssh.PublicKey) error
}

// hostKeyAlgorithms are the signature algorithms that prove a key of type t.
func hostKeyAlgorithms(t string) []string {
	if t == ssh.KeyAlgoRSA {
		return []string{ssh.KeyAlgoRSASHA512, ssh.KeyAlgoRSASHA256}
	}
	return []string{t}
}

// probeAlgorithms asks for the pinned key types first, then the usual ones
// (no SHA-1 RSA, no DSA).
func probeAlgorithms(pinned []string) []string {
	var out []string
	seen := map[string]bool{}
	add := func(algos ...string) {
		for _, a := range algos {
			if !seen[a] {
				seen[a] = true
				out = append(out, a)
			}
		}
	}
	for _, t := range pinned {
		add(hostKeyAlgorithms(t)...)
	}
	add(ssh.KeyAlgoED25519, ssh.KeyAlgoECDSA256, ssh.KeyAlgoECDSA384, ssh.KeyAlgoECDSA521,
		ssh.KeyAlgoRSASHA512, ssh.KeyAlgoRSASHA256)
	return out
}

var errProbed = errors.New("host key captured")

// probeHostKey connects to the ssh server at target through the policy and
// returns the host key it offers, ending the handshake right there (no
// authentication is attempted).
func probeHostKey(ctx context.Context, pol *netpolicy.Policy, target string, pinned []string, timeout time.Duration) (ssh.PublicKey, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	conn, err := pol.DialContext(ctx, target)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { _ = conn.Close() })
	defer stop()
	var got ssh.PublicKey
	cfg := &ssh.ClientConfig{
		User:              "git",
		HostKeyAlgorithms: probeAlgorithms(pinned),
		HostKeyCallback: func(_ string, _ net.Addr, key ssh.PublicKey) error {
			got = key
			return errProbed
		},
	}
	_, _, _, err = ssh.NewClientConn(conn, target, cfg)
	if got != nil {
		return got, nil
	}
	if ctx.Err() != nil {
		return nil, fmt.Errorf("no host key within %s: %w", timeout, ErrStalled)
	}
	return nil, err
}

// pinnedAlias is the only name in a session's known_hosts; ssh looks the
// server up under it (HostKeyAlias) whatever address it connects to.
const pinnedAlias = "cargoman-pinned-host"

// sshHostKeyOptions checks the server's key against the store and returns
// the ssh options that make ssh accept exactly that key, through a gate
// forwarding to the server.
func (s *session) sshHostKeyOptions(ctx context.Context, opts Options) ([]string, error) {
	if opts.HostKeys == nil {
		return nil, fmt.Errorf("vcs: ssh remote %s without a host key store: %w", s.rem.display, ErrInvalidArgument)
	}
	name := HostKeyName(s.rem.host, s.rem.port)
	pinned, err := opts.HostKeys.KeyTypes(ctx, name)
	if err != nil {
		return nil, fmt.Errorf("vcs: host keys of %s: %w", name, err)
	}
	probeStall := min(opts.StallTimeout, 30*time.Second)
	key, err := probeHostKey(ctx, opts.Network, s.rem.target(), pinned, probeStall)
	switch {
	case errors.Is(err, netpolicy.ErrRefused):
		return nil, &Error{Op: "fetch", Target: s.rem.display, Kind: ErrHostNotAllowed, Err: err}
	case ctx.Err() != nil:
		return nil, &Error{Op: "fetch", Target: s.rem.display, Err: ctx.Err()}
	case errors.Is(err, ErrStalled):
		return nil, &Error{Op: "fetch", Target: s.rem.display, Kind: ErrStalled, Err: err, stall: probeStall}
	case err != nil:
		return nil, &Error{Op: "fetch", Target: s.rem.display, Kind: ErrUnreachable,
			Stderr: "ssh handshake with " + s.rem.target() + ": " + err.Error(), Err: err}
	}
	if err := opts.HostKeys.Check(ctx, name, key); err != nil {
		return nil, err
	}
	known := filepath.Join(s.tmp, "known_hosts")
	line := pinnedAlias + " " + key.Type() + " " + base64.StdEncoding.EncodeToString(key.Marshal()) + "\n"
	if err := os.WriteFile(known, []byte(line), 0o600); err != nil {
		return nil, fmt.Errorf("vcs: write known_hosts: %w", err)
	}
	gate, err := opts.Network.Forward(s.rem.target(), opts.StallTimeout)
	if err != nil {
		return nil, err
	}
	s.gate = gate
	return []string{
		"-o", "HostKeyAlias=" + pinnedAlias,
		"-o", "Hostname=127.0.0.1",
		"-o", fmt.Sprintf("Port=%d", gate.Port()),
		"-o", "StrictHostKeyChecking=yes",
		"-o", "UserKnownHostsFile=" + sshOptPath(known),
		"-o", "GlobalKnownHostsFile=" + os.DevNull,
		"-o", "HostKeyAlgorithms=" + strings.Join(hostKeyAlgorithms(key.Type()), ","),
		"-o", "CheckHostIP=no",
		"-o", "UpdateHostKeys=no",
		"-o", "ProxyCommand=none",
		"-o", "ServerAliveInterval=15",
		"-o", "ServerAliveCountMax=4",
	}, nil
}
