package graph

import (
	"context"
	"strings"

	"github.com/cargoman/cargoman/ent"
	"github.com/cargoman/cargoman/graph/model"
	"github.com/cargoman/cargoman/internal/apperr"
)

// customerWriteError explains a failed customer write: an unknown id and a
// taken external id get their own messages; the rest is classified as usual.
func customerWriteError(err error, id string, externalID *string) error {
	switch {
	case ent.IsNotFound(err):
		return apperr.NotFoundf("customer %q not found", id)
	case ent.IsConstraintError(err) && externalID != nil:
		e := apperr.New(apperr.Conflict, "a customer with external_id %q already exists", *externalID).WithCause(err)
		e.Field = "externalID"
		return e
	}
	return err
}

func trim(s string) string { return strings.TrimSpace(s) }

func trimPtr(s *string) *string {
	if s == nil {
		return nil
	}
	t := strings.TrimSpace(*s)
	return &t
}

// updateCustomer applies an update; a customer change invalidates cached
// Composer views, so it runs in a transaction (see cachestamp).
func updateCustomer(ctx context.Context, tc *ent.Client, input model.UpdateCustomerInput) (*ent.Customer, error) {
	upd := tc.Customer.UpdateOneID(input.ID)
	if v, set := input.Name.ValueOK(); set {
		if v == nil {
			return nil, apperr.Invalid("name", "name cannot be null")
		}
		upd.SetName(trim(*v))
	}
	if v, set := input.Email.ValueOK(); set {
		if v == nil {
			upd.ClearEmail()
		} else {
			upd.SetEmail(trim(*v))
		}
	}
	if externalID, set := input.ExternalID.ValueOK(); set {
		if externalID == nil {
			upd.ClearExternalID()
		} else {
			upd.SetExternalID(*externalID)
		}
	}
	return upd.Save(ctx)
}
