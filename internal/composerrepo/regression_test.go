package composerrepo_test

import (
	"context"
	"encoding/json"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cargoman/cargoman/ent"
	"github.com/cargoman/cargoman/ent/customertoken"
	"github.com/cargoman/cargoman/internal/tenancy"
	"github.com/cargoman/cargoman/internal/testenv"
)

type revFixture struct {
	s          *testenv.Server
	customerID string
	a, b       string // download tokens
	aID        string
}

func revSetup(t *testing.T, b testenv.Backend, opts ...testenv.Option) *revFixture {
	s := testenv.StartServer(t, b, opts...)
	do(t, s, http.MethodPost, "/api/v1/packages", map[string]any{"name": "acme/art", "type": "artifact"}, http.StatusCreated)
	for _, v := range []string{"1.0.0", "2.0.0"} {
		z := testenv.Zip(t, map[string]string{"composer.json": testenv.ComposerJSON("acme/art", `"version":"`+v+`"`), "src/A.php": "<?php // " + v})
		if r := s.UploadZip(t, root, "acme/art", z); r.Status != http.StatusCreated {
			t.Fatalf("upload %s: %d %s", v, r.Status, r.Body)
		}
	}
	var cu struct{ ID string }
	if err := json.Unmarshal(do(t, s, http.MethodPost, "/api/v1/customers", map[string]any{"name": "Acme"}, http.StatusCreated), &cu); err != nil {
		t.Fatal(err)
	}
	base := "/api/v1/customers/" + cu.ID
	do(t, s, http.MethodPost, base+"/packages", map[string]any{"package": "acme/art", "constraint": "*"}, http.StatusCreated)
	tok := func() (string, string) {
		var out struct {
			PlainToken string `json:"plain_token"`
			Token      struct{ ID string }
		}
		if err := json.Unmarshal(do(t, s, http.MethodPost, base+"/tokens", map[string]any{"name": "t", "scope": "download"}, http.StatusCreated), &out); err != nil {
			t.Fatal(err)
		}
		return out.PlainToken, out.Token.ID
	}
	f := &revFixture{s: s, customerID: cu.ID}
	f.a, f.aID = tok()
	f.b, _ = tok()
	return f
}

func versionsOf(t *testing.T, s *testenv.Server, token string) []string {
	t.Helper()
	r := s.Raw(t, http.MethodGet, "/p2/acme/art.json", token, nil, nil)
	if r.Status != http.StatusOK {
		return []string{"HTTP " + http.StatusText(r.Status)}
	}
	return versionsIn(t, r.Body, "acme/art")
}

// A request whose credential was resolved before a freeze finishes after
// it: what it computes from the pre-freeze customer must not be cached for
// the requests after the freeze (regression test).
func TestFreezeDuringInFlightRequest(t *testing.T) {
	testenv.ForEach(t, func(t *testing.T, b testenv.Backend) {
		f := revSetup(t, b)
		var armed atomic.Bool
		reached, release := make(chan struct{}), make(chan struct{})
		f.s.DB.Client.CustomerToken.Intercept(ent.InterceptFunc(func(next ent.Querier) ent.Querier {
			return ent.QuerierFunc(func(ctx context.Context, q ent.Query) (ent.Value, error) {
				v, err := next.Query(ctx, q)
				if armed.CompareAndSwap(true, false) {
					close(reached)
					<-release
				}
				return v, err
			})
		}))
		armed.Store(true)
		done := make(chan []string)
		go func() { done <- versionsOf(t, f.s, f.a) }() // in flight: token resolved pre-freeze
		<-reached
		do(t, f.s, http.MethodPost, "/api/v1/customers/"+f.customerID+"/freeze",
			map[string]any{"versions": []any{map[string]string{"package": "acme/art", "version": "1.0.0"}}}, http.StatusOK)
		close(release)
		t.Logf("in-flight request: %v", <-done)
		// Fresh requests after the freeze committed and was refreshed:
		for _, tok := range []string{f.b, f.a} {
			if got := versionsOf(t, f.s, tok); len(got) != 1 || got[0] != "1.0.0" {
				t.Errorf("after the freeze, p2 offers %v (want [1.0.0])", got)
			}
		}
	})
}

// When the stamp bump fails (here: the caller's context ends right after
// the UPDATE, as on a client disconnect), the revocation must fail with
// it, so that a retry revokes and invalidates (regression test).
func TestRevokeAndItsBumpCommitTogether(t *testing.T) {
	testenv.ForEach(t, func(t *testing.T, b testenv.Backend) {
		f := revSetup(t, b)
		if got := versionsOf(t, f.s, f.a); len(got) != 2 {
			t.Fatalf("warm-up: %v", got)
		}
		ctx, cancel := context.WithCancel(tenancy.WithTenant(context.Background(), f.s.TenantID))
		var armed atomic.Bool
		armed.Store(true)
		f.s.DB.Client.CustomerToken.Use(func(next ent.Mutator) ent.Mutator {
			return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
				v, err := next.Mutate(ctx, m)
				if armed.CompareAndSwap(true, false) {
					cancel() // the client went away right after the UPDATE
				}
				return v, err
			})
		})
		_, err := f.s.App.Access.RevokeToken(ctx, f.customerID, f.aID)
		t.Logf("revoke: err=%v", err)
		tok, _ := f.s.DB.Client.CustomerToken.Query().Where(customertoken.ID(f.aID)).Only(tenancy.WithSystem(context.Background()))
		t.Logf("stored revoked_at=%v", tok.RevokedAt)
		// retry, as an operator would after an error
		_, err = f.s.App.Access.RevokeToken(tenancy.WithTenant(context.Background(), f.s.TenantID), f.customerID, f.aID)
		t.Logf("retry: err=%v", err)
		_ = f.s.App.Stamps.Refresh(context.Background())
		time.Sleep(1500 * time.Millisecond) // a poll too
		if got := versionsOf(t, f.s, f.a); len(got) == 2 {
			t.Errorf("revoked token (revoked_at=%v) still served p2: %v", tok.RevokedAt, got)
		}
	})
}
