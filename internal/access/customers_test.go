package access_test

import (
	"context"
	"strings"
	"testing"

	"github.com/cargoman/cargoman/ent"
	"github.com/cargoman/cargoman/ent/customer"
	"github.com/cargoman/cargoman/ent/customertoken"
	"github.com/cargoman/cargoman/internal/access"
	"github.com/cargoman/cargoman/internal/apperr"
	"github.com/cargoman/cargoman/internal/patch"
	"github.com/cargoman/cargoman/internal/tenancy"
	"github.com/cargoman/cargoman/internal/testenv"
)

func set(v string) patch.Optional[string] { return patch.Optional[string]{Set: true, Value: &v} }

func TestCustomerLifecycle(t *testing.T) {
	testenv.ForEach(t, func(t *testing.T, b testenv.Backend) {
		f := setup(t, b, "acme/lib")
		svc, ctx := f.svc, f.ctx

		c, err := svc.CreateCustomer(ctx, access.CustomerInput{Name: "  Globex  ", Email: ptr(" ops@globex.test "), ExternalID: ptr("crm-1")})
		if err != nil {
			t.Fatal(err)
		}
		if c.Name != "Globex" || c.Email == nil || *c.Email != "ops@globex.test" || c.Status != customer.StatusActive || c.TenantID != f.s.TenantID {
			t.Fatalf("created %+v", c)
		}

		t.Run("create refusals", func(t *testing.T) {
			for _, tc := range []struct {
				name  string
				in    access.CustomerInput
				code  apperr.Code
				field string
			}{
				{"taken external id", access.CustomerInput{Name: "Other", ExternalID: ptr("crm-1")}, apperr.Conflict, "externalID"},
			} {
				t.Run(tc.name, func(t *testing.T) {
					_, err := svc.CreateCustomer(ctx, tc.in)
					e, ok := apperr.As(err)
					if !ok || e.Code != tc.code || (tc.field != "" && e.Field != tc.field) {
						t.Fatalf("%v, want %s on %q", err, tc.code, tc.field)
					}
				})
			}
		})

		t.Run("schema validation", func(t *testing.T) {
			// The schema's validators decide, whitespace trimmed first;
			// the API edge classifies their errors as VALIDATION_ERROR.
			if _, err := svc.CreateCustomer(ctx, access.CustomerInput{Name: "   "}); !ent.IsValidationError(err) {
				t.Fatalf("blank name: %v", err)
			}
		})

		t.Run("update", func(t *testing.T) {
			other, err := svc.CreateCustomer(ctx, access.CustomerInput{Name: "Other", ExternalID: ptr("crm-2")})
			if err != nil {
				t.Fatal(err)
			}
			for _, tc := range []struct {
				name  string
				in    access.UpdateCustomerInput
				code  apperr.Code
				check func(t *testing.T)
			}{
				{name: "rename, keep the rest", in: access.UpdateCustomerInput{ID: c.ID, Name: set(" Globex Corp ")}, check: func(t *testing.T) {
					got, _ := f.s.DB.Client.Customer.Get(ctx, c.ID)
					if got.Name != "Globex Corp" || got.Email == nil || got.ExternalID == nil || *got.ExternalID != "crm-1" {
						t.Fatalf("after rename %+v", got)
					}
				}},
				{name: "clear e-mail", in: access.UpdateCustomerInput{ID: c.ID, Email: patch.Optional[string]{Set: true}}, check: func(t *testing.T) {
					if got, _ := f.s.DB.Client.Customer.Get(ctx, c.ID); got.Email != nil {
						t.Fatalf("e-mail not cleared: %v", *got.Email)
					}
				}},
				{name: "null name", in: access.UpdateCustomerInput{ID: c.ID, Name: patch.Optional[string]{Set: true}}, code: apperr.Validation},
				{name: "taken external id", in: access.UpdateCustomerInput{ID: other.ID, ExternalID: set("crm-1")}, code: apperr.Conflict},
				{name: "unknown customer", in: access.UpdateCustomerInput{ID: "cus_nope", Name: set("x")}, code: apperr.NotFound},
			} {
				t.Run(tc.name, func(t *testing.T) {
					_, err := svc.UpdateCustomer(ctx, tc.in)
					if tc.code == "" && err != nil {
						t.Fatal(err)
					}
					if tc.code != "" && !isCode(err, tc.code) {
						t.Fatalf("%v, want %s", err, tc.code)
					}
					if tc.check != nil {
						tc.check(t)
					}
				})
			}
		})

		t.Run("suspend and reactivate", func(t *testing.T) {
			if _, err := svc.GrantPackage(ctx, c.ID, access.GrantInput{Package: "acme/lib"}); err != nil {
				t.Fatal(err)
			}
			_, plain, err := svc.CreateToken(ctx, access.TokenInput{CustomerID: c.ID, Name: "ci", Scope: customertoken.ScopeDownload})
			if err != nil {
				t.Fatal(err)
			}
			for _, tc := range []struct {
				name, reason, message string
			}{
				{"with a reason", "  unpaid invoice ", "access is suspended: unpaid invoice"},
				{"without a reason", "", "access is suspended"},
			} {
				t.Run(tc.name, func(t *testing.T) {
					cu, err := svc.Suspend(ctx, c.ID, &tc.reason)
					if err != nil || cu.Status != customer.StatusSuspended {
						t.Fatalf("suspend: %+v %v", cu, err)
					}
					if (tc.reason == "") != (cu.SuspensionReason == nil) {
						t.Fatalf("reason %v", cu.SuspensionReason)
					}
					_, err = svc.Resolve(context.Background(), plain)
					if e, ok := apperr.As(err); !ok || e.Code != apperr.Forbidden || e.Message != tc.message {
						t.Fatalf("suspended customer's token: %v, want FORBIDDEN %q", err, tc.message)
					}
				})
			}
			cu, err := svc.Reactivate(ctx, c.ID)
			if err != nil || cu.Status != customer.StatusActive || cu.SuspensionReason != nil {
				t.Fatalf("reactivate: %+v %v", cu, err)
			}
			caller, err := svc.Resolve(context.Background(), plain)
			if err != nil {
				t.Fatal(err)
			}
			if e, err := svc.Entitlement(ctx, caller, "acme/lib"); err != nil || e == nil {
				t.Fatalf("reactivated customer's entitlement: %v %v", e, err)
			}
			if _, err := svc.Suspend(ctx, "cus_nope", nil); !isCode(err, apperr.NotFound) {
				t.Fatalf("suspend unknown: %v", err)
			}
		})

		t.Run("delete", func(t *testing.T) {
			_, plain, err := svc.CreateToken(ctx, access.TokenInput{CustomerID: c.ID, Name: "gone", Scope: customertoken.ScopeDownload})
			if err != nil {
				t.Fatal(err)
			}
			if err := svc.DeleteCustomer(ctx, c.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := svc.Resolve(context.Background(), plain); !isCode(err, apperr.Unauthorized) {
				t.Fatalf("deleted customer's token: %v", err)
			}
			if err := svc.DeleteCustomer(ctx, c.ID); !isCode(err, apperr.NotFound) || !strings.Contains(err.Error(), c.ID) {
				t.Fatalf("delete again: %v", err)
			}
			// Another tenant cannot delete it either: the tenant's
			// customers are the only ones it sees.
			if err := svc.DeleteCustomer(tenancy.WithTenant(context.Background(), "ten_other"), f.c.ID); !isCode(err, apperr.NotFound) {
				t.Fatalf("delete from another tenant: %v", err)
			}
		})
	})
}
