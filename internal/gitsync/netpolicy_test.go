package gitsync_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cargoman/cargoman/ent"
	"github.com/cargoman/cargoman/internal/app"
	"github.com/cargoman/cargoman/internal/apperr"
	"github.com/cargoman/cargoman/internal/packages"
	"github.com/cargoman/cargoman/internal/tasks"
	"github.com/cargoman/cargoman/internal/tenancy"
	"github.com/cargoman/cargoman/internal/testenv"
	"github.com/cargoman/cargoman/internal/testenv/sshdtest"
	"github.com/cargoman/cargoman/internal/vcs"
)

// noWorkers keeps the test server's workers from running the syncs the
// test runs itself.
func noWorkers(c *app.Config) { c.Workers = false }

// hangingServer accepts connections on 127.0.0.1 and never answers.
func hangingServer(t *testing.T) (port int, accepted *atomic.Int32) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	accepted = &atomic.Int32{}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			accepted.Add(1)
			go func() {
				defer c.Close()
				_, _ = io.Copy(io.Discard, c)
			}()
		}
	}()
	return ln.Addr().(*net.TCPAddr).Port, accepted
}

func createPackage(t *testing.T, srv *testenv.Server, name, repoURL string, credentialID *string) *ent.ComposerPackage {
	t.Helper()
	ctx := tenancy.WithTenant(context.Background(), srv.TenantID)
	pkg, _, err := srv.App.Packages.Create(ctx, createInputNamed(name, repoURL, credentialID))
	if err != nil {
		t.Fatal(err)
	}
	return pkg
}

func createInputNamed(name, repoURL string, credentialID *string) packages.CreateInput {
	in := createInput(repoURL)
	in.Name = name
	in.CredentialID = credentialID
	return in
}

// TestSyncRefusesPrivateAddressPermanently: with DENY_PRIVATE_NETWORKS a
// package pointing at the server's own network fails at once (no retry),
// with the generic message, and the target never sees a connection.
func TestSyncRefusesPrivateAddressPermanently(t *testing.T) {
	port, accepted := hangingServer(t)
	testenv.ForEach(t, func(t *testing.T, b testenv.Backend) {
		srv := testenv.StartServer(t, b, noWorkers, func(c *app.Config) { c.DenyPrivateNetworks = true })
		pkg := createPackage(t, srv, "acme/private", fmt.Sprintf("https://localhost:%d/acme/lib.git", port), nil)
		err := srv.App.Syncer.Sync(tenancy.WithTenant(context.Background(), srv.TenantID), pkg)
		if !errors.Is(err, vcs.ErrHostNotAllowed) || !tasks.IsPermanent(err) {
			t.Fatalf("Sync = %v, want a permanent ErrHostNotAllowed", err)
		}
	})
	if n := accepted.Load(); n != 0 {
		t.Fatalf("the private address saw %d connections", n)
	}
}

// TestDeleteCancelsSync deletes a package whose sync hangs on a silent
// server: the sync (and its git process) stops within seconds instead of
// holding the worker until the stall timeout.
func TestDeleteCancelsSync(t *testing.T) {
	port, accepted := hangingServer(t)
	testenv.ForEach(t, func(t *testing.T, b testenv.Backend) {
		srv := testenv.StartServer(t, b, noWorkers)
		ctx := tenancy.WithTenant(context.Background(), srv.TenantID)
		pkg, task, err := srv.App.Packages.Create(ctx, createInputNamed("acme/hanging", fmt.Sprintf("https://127.0.0.1:%d/acme/lib.git", port), nil))
		if err != nil {
			t.Fatal(err)
		}
		before := accepted.Load()
		done := make(chan error, 1)
		start := time.Now()
		go func() { done <- srv.App.Syncer.Handle(context.Background(), task) }()
		for accepted.Load() == before {
			if time.Since(start) > 10*time.Second {
				t.Fatal("the sync never reached the server")
			}
			time.Sleep(10 * time.Millisecond)
		}
		if err := srv.App.Packages.Delete(ctx, pkg.Name); err != nil {
			t.Fatal(err)
		}
		deleted := time.Now()
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("Handle = %v, want nil (nothing left to sync)", err)
			}
			t.Logf("sync stopped %s after the delete", time.Since(deleted).Round(time.Millisecond))
		case <-time.After(15 * time.Second):
			t.Fatal("the sync still runs 15 s after its package was deleted")
		}
	})
}

// TestSyncPinsSSHHostKey syncs a package from a real sshd: the first sync
// pins the server's key (shown on the package and listed under known
// hosts), a changed key fails the sync with HOST_KEY_CHANGED and no retry,
// and an admin accepting the offered fingerprint (and only that one) lets
// the next sync through.
func TestSyncPinsSSHHostKey(t *testing.T) {
	repo := makeTaggedRepo(t, 2)
	testenv.ForEach(t, func(t *testing.T, b testenv.Backend) {
		sshd := sshdtest.Start(t) // one per backend: the test changes its key
		srv := testenv.StartServer(t, b, noWorkers)
		ctx := tenancy.WithTenant(context.Background(), srv.TenantID)
		var cred struct {
			CreateCredential struct{ Credential struct{ ID string } }
		}
		srv.MustGraphQL(t, testenv.RootToken, `mutation($in: CreateCredentialInput!) { createCredential(input: $in) { credential { id } } }`,
			map[string]any{"in": map[string]any{"name": "deploy key", "kind": "ssh_key", "secret": string(sshd.ClientKey)}}, &cred)
		pkg := createPackage(t, srv, "bench/lib", sshd.URL(repo), &cred.CreateCredential.Credential.ID)
		host := vcs.HostKeyName("127.0.0.1", sshd.Port)

		if err := srv.App.Syncer.Sync(ctx, pkg); err != nil {
			t.Fatalf("first sync: %v", err)
		}
		var view struct {
			Package struct {
				SSHHost     string
				SSHHostKeys []struct{ Fingerprint, Source string }
				Versions    struct{ TotalCount int } `json:"allVersions"`
			}
		}
		srv.MustGraphQL(t, testenv.RootToken, `query { package(name: "bench/lib") { sshHost sshHostKeys { fingerprint source } allVersions { totalCount } } }`, nil, &view)
		if view.Package.SSHHost != host || len(view.Package.SSHHostKeys) != 1 ||
			view.Package.SSHHostKeys[0].Fingerprint != sshd.Fingerprint || view.Package.SSHHostKeys[0].Source != "first_use" {
			t.Fatalf("package shows %+v, want %s pinned on first use for %s", view.Package, sshd.Fingerprint, host)
		}
		if view.Package.Versions.TotalCount == 0 {
			t.Fatal("the ssh sync made no versions")
		}
		var listed []struct{ Host, Fingerprint string }
		if r := srv.Do(t, http.MethodGet, "/api/v1/known-hosts", testenv.RootToken, nil); r.Status != http.StatusOK {
			t.Fatalf("GET /api/v1/known-hosts: %d %s", r.Status, r.Body)
		} else {
			r.JSON(t, &listed)
		}
		if len(listed) != 1 || listed[0].Host != host || listed[0].Fingerprint != sshd.Fingerprint {
			t.Fatalf("known hosts %+v", listed)
		}

		sshd.RotateHostKey(t)
		err := srv.App.Syncer.Sync(ctx, pkg)
		if !errors.Is(err, vcs.ErrHostKeyChanged) || !tasks.IsPermanent(err) {
			t.Fatalf("sync after the key changed = %v, want a permanent HOST_KEY_CHANGED", err)
		}
		if e, ok := apperr.As(err); !ok || e.Code != apperr.HostKeyChanged || e.Code.HTTPStatus() != http.StatusConflict {
			t.Fatalf("error %v is not HOST_KEY_CHANGED (409)", err)
		}

		accept := "/api/v1/known-hosts/" + url.PathEscape(host) + "/accept"
		viewer, _ := srv.AdminToken(t, "viewer")
		if r := srv.Do(t, http.MethodPost, accept, viewer, map[string]string{"fingerprint": sshd.Fingerprint}); r.Status != http.StatusForbidden {
			t.Fatalf("a viewer accepting: %d %s", r.Status, r.Body)
		}
		if r := srv.Do(t, http.MethodPost, accept, testenv.RootToken, map[string]string{"fingerprint": "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}); r.Status != http.StatusBadRequest {
			t.Fatalf("accepting a fingerprint nobody offered: %d %s", r.Status, r.Body)
		}
		if err := srv.App.Syncer.Sync(ctx, pkg); !errors.Is(err, vcs.ErrHostKeyChanged) {
			t.Fatalf("sync after a refused accept = %v", err)
		}
		r := srv.Do(t, http.MethodPost, accept, testenv.RootToken, map[string]string{"fingerprint": sshd.Fingerprint})
		var accepted struct{ Fingerprint, Source string }
		r.JSON(t, &accepted)
		if r.Status != http.StatusOK || accepted.Fingerprint != sshd.Fingerprint || accepted.Source != "accepted" {
			t.Fatalf("accept: %d %s", r.Status, r.Body)
		}
		if err := srv.App.Syncer.Sync(ctx, pkg); err != nil {
			t.Fatalf("sync after the accept: %v", err)
		}
	})
}
