// Package tenancy carries the tenant of a request through its context. Every
// tenant-owned ent entity filters and stamps rows with it (see ent/schema's
// TenantMixin), so no resolver has to remember to scope a query. A context
// with neither a tenant nor the system marker reads and writes nothing.
package tenancy

import (
	"context"
	"errors"
)

// ErrNoTenant is returned when tenant-owned data is touched from a context
// that has no tenant: failing closed beats leaking rows across tenants.
var ErrNoTenant = errors.New("tenancy: no tenant in context")

type tenantKey struct{}
type systemKey struct{}

// WithTenant returns ctx scoped to tenantID.
func WithTenant(ctx context.Context, tenantID string) context.Context {
	return context.WithValue(ctx, tenantKey{}, tenantID)
}

// FromContext returns the tenant of ctx.
func FromContext(ctx context.Context) (string, bool) {
	id, ok := ctx.Value(tenantKey{}).(string)
	return id, ok && id != ""
}

// WithSystem marks ctx as system work (migrations, bootstrap, workers that
// span tenants): tenant filters do not apply. Use sparingly.
func WithSystem(ctx context.Context) context.Context {
	return context.WithValue(ctx, systemKey{}, true)
}

// IsSystem reports whether ctx was marked by WithSystem.
func IsSystem(ctx context.Context) bool {
	v, _ := ctx.Value(systemKey{}).(bool)
	return v
}
