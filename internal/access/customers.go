package access

import (
	"context"
	"strings"

	"github.com/cargoman/cargoman/ent"
	"github.com/cargoman/cargoman/ent/customer"
	"github.com/cargoman/cargoman/internal/apperr"
	"github.com/cargoman/cargoman/internal/patch"
)

// CustomerInput describes a new customer; ent's schema validates the
// fields (name length, e-mail and external id forms).
type CustomerInput struct {
	Name       string
	Email      *string
	ExternalID *string
}

// CreateCustomer creates a customer of the context's tenant.
func (s *Service) CreateCustomer(ctx context.Context, in CustomerInput) (*ent.Customer, error) {
	c, err := s.client.Customer.Create().
		SetName(strings.TrimSpace(in.Name)).
		SetNillableEmail(trimmed(in.Email)).
		SetNillableExternalID(in.ExternalID).
		Save(ctx)
	if err != nil {
		return nil, customerWriteError(err, "", in.ExternalID)
	}
	return c, nil
}

// UpdateCustomerInput changes a customer's fields that are Set; a nil
// Email or ExternalID clears it, a nil Name is refused.
type UpdateCustomerInput struct {
	ID         string
	Name       patch.Optional[string]
	Email      patch.Optional[string]
	ExternalID patch.Optional[string]
}

// UpdateCustomer changes a customer. A customer change invalidates cached
// Composer views, so it runs in a transaction (see cachestamp).
func (s *Service) UpdateCustomer(ctx context.Context, in UpdateCustomerInput) (*ent.Customer, error) {
	if in.Name.Set && in.Name.Value == nil {
		return nil, apperr.Invalid("name", "name cannot be null")
	}
	var cu *ent.Customer
	err := s.withTx(ctx, func(c *ent.Client) (err error) {
		upd := c.Customer.UpdateOneID(in.ID)
		if in.Name.Set {
			upd.SetName(strings.TrimSpace(*in.Name.Value))
		}
		if in.Email.Set {
			if in.Email.Value == nil {
				upd.ClearEmail()
			} else {
				upd.SetEmail(strings.TrimSpace(*in.Email.Value))
			}
		}
		if in.ExternalID.Set {
			if in.ExternalID.Value == nil {
				upd.ClearExternalID()
			} else {
				upd.SetExternalID(*in.ExternalID.Value)
			}
		}
		cu, err = upd.Save(ctx)
		return err
	})
	if err != nil {
		return nil, customerWriteError(err, in.ID, in.ExternalID.Value)
	}
	return cu.Unwrap(), nil
}

// DeleteCustomer deletes a customer with its tokens and grants.
func (s *Service) DeleteCustomer(ctx context.Context, id string) error {
	err := s.withTx(ctx, func(c *ent.Client) error {
		return c.Customer.DeleteOneID(id).Exec(ctx)
	})
	return customerWriteError(err, id, nil)
}

// Suspend stops every credential of a customer at once (FORBIDDEN with
// the reason, which its Composer clients are shown); Reactivate undoes it.
// An empty reason is none.
func (s *Service) Suspend(ctx context.Context, id string, reason *string) (*ent.Customer, error) {
	var cu *ent.Customer
	err := s.withTx(ctx, func(c *ent.Client) (err error) {
		upd := c.Customer.UpdateOneID(id).SetStatus(customer.StatusSuspended)
		if r := trimmed(reason); r != nil && *r != "" {
			upd.SetSuspensionReason(*r)
		} else {
			upd.ClearSuspensionReason()
		}
		cu, err = upd.Save(ctx)
		return err
	})
	if err != nil {
		return nil, customerWriteError(err, id, nil)
	}
	return cu.Unwrap(), nil
}

// customerWriteError explains a failed customer write: an unknown id and a
// taken external id get their own messages; the rest is classified as usual.
func customerWriteError(err error, id string, externalID *string) error {
	switch {
	case err == nil:
		return nil
	case ent.IsNotFound(err):
		return customerNotFound(id)
	case ent.IsConstraintError(err) && externalID != nil:
		e := apperr.New(apperr.Conflict, "a customer with external_id %q already exists", *externalID).WithCause(err)
		e.Field = "externalID"
		return e
	}
	return err
}

func trimmed(s *string) *string {
	if s == nil {
		return nil
	}
	t := strings.TrimSpace(*s)
	return &t
}
