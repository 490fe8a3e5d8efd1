package graph

import (
	"strings"

	"github.com/cargoman/cargoman/ent"
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
