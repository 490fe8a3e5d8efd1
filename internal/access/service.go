// Package access holds the rules of customer access: customer tokens and
// JWTs, direct package grants, collections and collection grants, and the
// freeze list of frozen customers. GraphQL resolvers call it to manage
// access; the Composer endpoints call it to resolve a presented credential
// (Resolve) and to learn what the customer may install (Entitlements).
//
// What a customer may install is computed, never copied: its direct grants
// plus the packages of the collections it holds, each way with its own
// Composer constraint; a version is allowed when any way allows it. While
// the customer is frozen, each package on its freeze list is further capped
// at the listed version. A suspended customer may install nothing.
package access

import (
	"github.com/cargoman/cargoman/internal/database"

	"context"
	"fmt"
	"strings"
	"time"

	"entgo.io/ent/dialect"

	"github.com/cargoman/cargoman/ent"
	"github.com/cargoman/cargoman/ent/composerpackage"
	"github.com/cargoman/cargoman/ent/customer"
	"github.com/cargoman/cargoman/internal/apperr"
	"github.com/cargoman/cargoman/internal/jwtauth"
	"github.com/cargoman/cargoman/internal/validate"
)

// Service carries out customer-access operations.
type Service struct {
	client  *ent.Client
	dialect string
	// jwt signs and verifies customer JWTs; nil without JWT_SECRET.
	jwt *jwtauth.Authority
	now func() time.Time
}

// Options configure a Service.
type Options struct {
	Client *ent.Client
	// Dialect is the database's (dialect.SQLite or dialect.Postgres).
	Dialect string
	// JWT is nil when JWT_SECRET is not configured.
	JWT *jwtauth.Authority
	// Now defaults to time.Now.
	Now func() time.Time
}

// New returns a Service.
func New(o Options) *Service {
	now := o.Now
	if now == nil {
		now = time.Now
	}
	return &Service{client: o.Client, dialect: o.Dialect, jwt: o.JWT, now: func() time.Time { return now().UTC() }}
}

// withTx runs fn in a transaction; fn's error rolls everything back.
func (s *Service) withTx(ctx context.Context, fn func(c *ent.Client) error) error {
	return database.InTx(ctx, s.client, fn)
}

// lockCustomer loads a customer inside a transaction, locking its row on
// PostgreSQL so that concurrent changes of the same customer's access run
// one after the other (SQLite transactions take the write lock up front).
func (s *Service) lockCustomer(ctx context.Context, c *ent.Client, id string) (*ent.Customer, error) {
	q := c.Customer.Query().Where(customer.ID(id))
	if s.dialect == dialect.Postgres {
		q.ForUpdate()
	}
	cu, err := q.Only(ctx)
	if ent.IsNotFound(err) {
		return nil, customerNotFound(id)
	}
	return cu, err
}

// getCustomer loads a customer of the context's tenant.
func getCustomer(ctx context.Context, c *ent.Client, id string) (*ent.Customer, error) {
	cu, err := c.Customer.Get(ctx, id)
	if ent.IsNotFound(err) {
		return nil, customerNotFound(id)
	}
	return cu, err
}

func customerNotFound(id string) error { return apperr.NotFoundf("customer %q not found", id) }

// packageName normalises a package name as the packages service does.
func packageName(name string) string { return strings.ToLower(strings.TrimSpace(name)) }

// resolvePackages maps package names to packages. Unknown names are a
// VALIDATION_ERROR on field naming all of them.
func resolvePackages(ctx context.Context, c *ent.Client, field string, names []string) (map[string]*ent.ComposerPackage, error) {
	out := make(map[string]*ent.ComposerPackage, len(names))
	if len(names) == 0 {
		return out, nil
	}
	// Chunked so that no statement exceeds the drivers' parameter limits.
	for start := 0; start < len(names); start += 1000 {
		chunk := names[start:min(start+1000, len(names))]
		ps, err := c.ComposerPackage.Query().Where(composerpackage.NameIn(chunk...)).All(ctx)
		if err != nil {
			return nil, fmt.Errorf("access: look up packages: %w", err)
		}
		for _, p := range ps {
			out[p.Name] = p
		}
	}
	var unknown []string
	for _, n := range names {
		if out[n] == nil {
			unknown = append(unknown, fmt.Sprintf("%q", n))
		}
	}
	switch {
	case len(unknown) == 1:
		return nil, apperr.Invalid(field, "unknown package %s", unknown[0])
	case len(unknown) > 10:
		return nil, apperr.Invalid(field, "unknown packages %s and %d more", strings.Join(unknown[:10], ", "), len(unknown)-10)
	case len(unknown) > 1:
		return nil, apperr.Invalid(field, "unknown packages %s", strings.Join(unknown, ", "))
	}
	return out, nil
}

// packageNames checks a list of package names (collections): each a valid
// name, at most once, at most MaxAccessListLength of them.
func packageNames(field string, in []string) ([]string, error) {
	if len(in) > validate.MaxAccessListLength {
		return nil, apperr.Invalid(field, "%s may list at most %d packages", field, validate.MaxAccessListLength)
	}
	out := make([]string, 0, len(in))
	seen := make(map[string]bool, len(in))
	for _, raw := range in {
		n := packageName(raw)
		if err := validate.PackageName(n); err != nil {
			return nil, apperr.Invalid(field, "%s", err)
		}
		if seen[n] {
			return nil, apperr.Invalid(field, "package %q is listed twice", n)
		}
		seen[n] = true
		out = append(out, n)
	}
	return out, nil
}

// checkConstraint checks a grant's constraint ("*" when nil); the error
// is composer's message.
func checkConstraint(c *string) (string, error) {
	v := "*"
	if c != nil {
		v = strings.TrimSpace(*c)
	}
	if err := validate.Constraint(v); err != nil {
		return "", err
	}
	return v, nil
}
