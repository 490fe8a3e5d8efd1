package graph

import (
	"context"
	"fmt"

	"github.com/cargoman/cargoman/ent"
	"github.com/cargoman/cargoman/ent/task"
	"github.com/cargoman/cargoman/internal/apperr"
	"github.com/cargoman/cargoman/internal/tasks"
	"github.com/cargoman/cargoman/internal/tenancy"
)

// enqueueTask validates the arguments of a task kind and queues it.
func (r *Resolver) enqueueTask(ctx context.Context, kind task.Kind, args map[string]any) (*ent.Task, bool, error) {
	tenantID, _ := tenancy.FromContext(ctx)
	spec := tasks.Spec{TenantID: tenantID, Kind: kind, Key: tenantID}
	switch kind {
	case task.KindPackageSync:
		name, ok := args["package"].(string)
		if !ok || name == "" || len(args) != 1 {
			return nil, false, apperr.Invalid("args", `package_sync takes {"package": "vendor/name"}`)
		}
		return r.packages.Sync(ctx, name)
	case task.KindSyncAll, task.KindCleanup:
		if len(args) != 0 {
			return nil, false, apperr.Invalid("args", "%s takes no arguments", kind)
		}
	default:
		return nil, false, apperr.Invalid("kind", "unknown task kind %q", kind)
	}
	t, created, err := r.packages.Enqueue(ctx, spec)
	if err != nil {
		return nil, false, fmt.Errorf("graph: enqueue %s: %w", kind, err)
	}
	return t, created, nil
}
