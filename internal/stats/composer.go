package stats

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/cargoman/cargoman/ent"
	"github.com/cargoman/cargoman/ent/packageversion"
	"github.com/cargoman/cargoman/internal/access"
)

// MaxNotifyLookups bounds the database lookups one notify-batch may cause
// (a package's entitlement, a version). A Composer run notifies each
// package once, far fewer than this; a body stuffed with made-up names
// stops costing queries here, and the rest of it is ignored.
const MaxNotifyLookups = 2000

// Entitled returns what the notifying credential may install of the
// package named name, nil when nothing (access.Service.Entitlement).
type Entitled func(ctx context.Context, name string) (*access.Entitlement, error)

// Notification counts the entries of one notify-batch request.
type Notification struct {
	r          *Recorder
	customerID string
	entitled   Entitled
	lookups    int
	// packages and versions cache lookups: nil entries mean "ignore".
	packages map[string]*access.Entitlement
	versions map[[2]string]*ent.PackageVersion
	// counted are the version ids this request has counted.
	counted map[string]bool
}

// NotifyBatch starts counting a notify-batch of customerID's; entitled
// resolves package names for the request's credential. On a nil Recorder
// it returns nil, whose Add counts nothing.
func (r *Recorder) NotifyBatch(customerID string, entitled Entitled) *Notification {
	if r == nil {
		return nil
	}
	return &Notification{
		r: r, customerID: customerID, entitled: entitled,
		packages: map[string]*access.Entitlement{}, versions: map[[2]string]*ent.PackageVersion{}, counted: map[string]bool{},
	}
}

// Add counts one install of version (normalized, 1.2.0.0, as Composer
// sends it; the form shown, 1.2.0, is accepted too) of the package named
// name, when the credential is entitled to the package and the version
// exists and is one the customer may install. Anything else is ignored
// without error, as Packagist does: Composer only warns about a failed
// notification, and it should not learn which packages exist. Errors are
// database failures.
func (n *Notification) Add(ctx context.Context, name, version string) error {
	if n == nil {
		return nil
	}
	name = strings.ToLower(strings.TrimSpace(name))
	e, seen := n.packages[name]
	if !seen {
		if !n.spend() {
			return nil
		}
		var err error
		if e, err = n.entitled(ctx, name); err != nil {
			return fmt.Errorf("stats: entitlement to %s: %w", name, err)
		}
		n.packages[name] = e
	}
	if e == nil {
		return nil
	}
	vk := [2]string{e.Package.ID, strings.TrimSpace(version)}
	v, seen := n.versions[vk]
	if !seen {
		if !n.spend() {
			return nil
		}
		var err error
		if v, err = findVersion(ctx, n.r.client, e.Package.ID, vk[1]); err != nil {
			return err
		}
		if v != nil && !e.Allows(v.VersionNormalized) {
			v = nil
		}
		n.versions[vk] = v
	}
	// A request counts each version once, however often it names it.
	if v != nil && !n.counted[v.ID] {
		n.counted[v.ID] = true
		n.r.Install(event(e.Package, v, n.customerID))
	}
	return nil
}

func (n *Notification) spend() bool {
	if n.lookups >= MaxNotifyLookups {
		return false
	}
	n.lookups++
	return true
}

// findVersion finds a version of a package by its normalized form, or
// failing that by the form shown; nil when there is none.
func findVersion(ctx context.Context, c *ent.Client, packageID, version string) (*ent.PackageVersion, error) {
	if version == "" {
		return nil, nil
	}
	vs, err := c.PackageVersion.Query().
		Where(
			packageversion.PackageID(packageID),
			packageversion.Or(packageversion.VersionNormalized(version), packageversion.Version(version)),
		).
		All(ctx)
	if err != nil {
		return nil, fmt.Errorf("stats: find version %q: %w", version, err)
	}
	var shown *ent.PackageVersion
	for _, v := range vs {
		if v.VersionNormalized == version {
			return v, nil
		}
		shown = v
	}
	return shown, nil
}

// Dist counts a fetch of a version's archive (version shown and
// normalized) by customerID, for GET requests that ask for the whole file:
// HEAD requests and Range requests (resuming a transfer already counted)
// are not downloads.
func (r *Recorder) Dist(req *http.Request, customerID string, pkg *ent.ComposerPackage, version, normalized string) {
	if r == nil || req.Method != http.MethodGet || req.Header.Get("Range") != "" {
		return
	}
	r.Download(Event{
		TenantID: pkg.TenantID, PackageID: pkg.ID, PackageName: pkg.Name,
		Version: version, VersionNormalized: normalized, CustomerID: customerID,
	})
}

func event(p *ent.ComposerPackage, v *ent.PackageVersion, customerID string) Event {
	return Event{
		TenantID: p.TenantID, PackageID: p.ID, PackageName: p.Name,
		Version: v.Version, VersionNormalized: v.VersionNormalized, CustomerID: customerID,
	}
}
