package access

import (
	"context"

	"github.com/cargoman/cargoman/internal/apperr"
	"github.com/cargoman/cargoman/internal/auth"
)

// PublishCheck is the one rule of customer uploads. A version a customer
// uploads reaches every customer of the package, so reading a package is
// not enough to publish it: the credential needs the upload capability
// (scope developer or admin) and the customer a direct grant of the
// package with can_publish. It returns the check of the version about to
// be stored (normalized): the customer's grants must offer it.
//
// API tokens and the root token are not customers; they pass.
func (s *Service) PublishCheck(ctx context.Context, c *auth.Caller, pkg string) (func(normalized string) error, error) {
	if !c.IsCustomer() {
		return nil, nil
	}
	if err := c.Require(auth.Upload); err != nil {
		return nil, err
	}
	name := packageName(pkg)
	e, err := s.Entitlement(ctx, c, name)
	if err != nil {
		return nil, err
	}
	if e == nil {
		return nil, apperr.NotFoundf("package %q not found", name)
	}
	if !e.CanPublish() {
		return nil, apperr.New(apperr.Forbidden, "your access to %s does not include publishing; an administrator must grant it with can_publish", name)
	}
	return func(normalized string) error {
		if !e.Allows(normalized) {
			return apperr.New(apperr.Forbidden, "your access to %s does not cover version %s", name, normalized)
		}
		return nil
	}, nil
}

// CanPublish reports whether one of the ways reaching the package is a
// direct grant with can_publish.
func (e *Entitlement) CanPublish() bool {
	for _, w := range e.Ways {
		if w.Source == SourceDirect && w.CanPublish {
			return true
		}
	}
	return false
}
