package composerrepo

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/cargoman/cargoman/ent"
	"github.com/cargoman/cargoman/internal/access"
	"github.com/cargoman/cargoman/internal/auth"
	"github.com/cargoman/cargoman/internal/cachestamp"
	"github.com/cargoman/cargoman/internal/composer"
	"github.com/cargoman/cargoman/internal/origin"
	"github.com/cargoman/cargoman/internal/packages"
	"github.com/cargoman/cargoman/internal/tenancy"
)

// Cache sizes, in entries.
const (
	credentialsCached  = 16384
	entitlementsCached = 65536
	documentsCached    = 4096
	packagesCached     = 2048
)

// views caches what the Composer endpoints compute from the database:
// resolved credentials, entitlements, rendered packages and finished
// documents. Every entry records the tenant stamp it was computed under
// and is used only while that stamp is current, so a change of grants,
// freezes, customer states, tokens or package metadata reaches every
// instance within one stamp poll, and this one at once (see cachestamp).
type views struct {
	stamps *cachestamp.Stamps
	creds  *stampCache[[sha256.Size]byte, *caller]
	// ents are entitlements by customer and package; nil: the customer
	// may install nothing of it.
	ents *stampCache[string, *access.Entitlement]
	docs *stampCache[string, *view]
	// pkgs are a package's rendered entries, stamped with its
	// metadata_updated_at; every customer's view of it is filtered from
	// them.
	pkgs *stampCache[string, *rendered]
	// dists are archives by package, normalized version and reference;
	// nil: no such archive.
	dists *stampCache[string, *packages.Dist]
}

// basesPerView bounds the bases a view keeps finished documents for: a
// server is reached by a few names, and random Host headers must not grow
// the cache.
const basesPerView = 4

// view is a customer's view of a document, cached once for every base
// URL: dist URLs are absolute (Composer needs them so) and name the base
// of each request (internal/origin), so the finished documents are made
// per base, the few recent ones kept.
type view struct {
	found bool
	// fixed is the document when it names no base (packages.json).
	fixed *document
	// tmpl and modified make the document of a base.
	tmpl     *composer.Template
	modified time.Time
	// bases are the finished documents of recent bases, newest last;
	// replaced, never modified.
	bases atomic.Pointer[[]based]
}

type based struct {
	origin origin.Origin
	doc    *document
}

// documentFor is the finished document for requests with base o.
func (v *view) documentFor(o origin.Origin) *document {
	if v.fixed != nil {
		return v.fixed
	}
	old := v.bases.Load()
	if old != nil {
		for _, b := range *old {
			if b.origin == o {
				return b.doc
			}
		}
	}
	d := finish(v.tmpl.With(o.String()), v.modified)
	var next []based
	if old != nil {
		next = append(next, (*old)[max(0, len(*old)-basesPerView+1):]...)
	}
	next = append(next, based{origin: o, doc: d})
	// A lost race only drops another base's document: it is made again
	// on its next request.
	v.bases.CompareAndSwap(old, &next)
	return d
}

// document is a finished response body: gzip-compressed when large enough
// to gain from it, since Composer always accepts gzip.
type document struct {
	data     []byte
	gzipped  bool
	tag      string    // hex of the body's SHA-256, first 16 bytes
	modified time.Time // Last-Modified; zero when it has none (see settle)
	// Header values, for a response compressed (gz) or not (plain).
	gz, plain    headerValues
	lastModified []string
}

// headerValues are a document's response headers, built once.
type headerValues struct {
	contentType, cacheControl, vary, etag, encoding []string
}

// rendered are a package's entries as of one metadata_updated_at.
type rendered struct {
	at          time.Time
	tagged, dev []composer.Entry
}

func newViews(o Options) *views {
	return &views{
		stamps: o.Stamps,
		creds:  newStampCache[[sha256.Size]byte, *caller](credentialsCached),
		ents:   newStampCache[string, *access.Entitlement](entitlementsCached),
		docs:   newStampCache[string, *view](documentsCached),
		pkgs:   newStampCache[string, *rendered](packagesCached),
		dists:  newStampCache[string, *packages.Dist](documentsCached),
	}
}

// caller is a request's resolved credential and the stamp it was
// resolved under: what is computed from it (its customer's status, say)
// is as of that stamp, so it is cached only while that stamp is current.
type caller struct {
	*auth.Caller
	stamp int64
}

// credential resolves a presented secret, from the cache while the
// customer's tenant stamp is unchanged and the credential has not
// expired. Rejections are not cached: they stay a database lookup.
func (h *Repo) credential(ctx context.Context, presented string) (*caller, error) {
	key := sha256.Sum256([]byte(presented))
	if c, _, ok := h.views.creds.peek(key); ok && h.current(c) && !c.Expired(time.Now()) {
		return c, nil // callers are never modified, so one serves every request
	}
	// The stamps are read before the database, so that a change committed
	// meanwhile invalidates what is computed here; lookups started before
	// a refresh are not shared with requests after it (Seq).
	before := h.views.stamps.Snapshot()
	return h.views.creds.load(key, string(key[:])+"\x00"+strconv.FormatUint(before.Seq(), 10), func() (*caller, int64, bool, error) {
		ctx := context.WithoutCancel(ctx)
		cred, err := h.o.Access.Resolve(ctx, presented)
		if err != nil {
			return nil, 0, false, err
		}
		c := &caller{Caller: cred, stamp: before.Of(cred.Customer.TenantID).Value}
		return c, c.stamp, true, nil
	})
}

// current reports whether the stamp a caller was resolved under is still
// the tenant's: only then may what is computed from it be cached.
func (h *Repo) current(c *caller) bool {
	return c.stamp == h.views.stamps.Of(c.Customer.TenantID).Value
}

// entitlement is what cred's customer may install of a package (nil:
// nothing), from the cache while the tenant's stamp is unchanged.
func (h *Repo) entitlementOf(ctx context.Context, cred *caller, name string) (*access.Entitlement, error) {
	if !cred.Reaches(name) {
		return nil, nil
	}
	stamp := cred.stamp
	key := cred.Customer.ID + "\x00" + name
	if e, ok := h.views.ents.get(key, stamp); ok {
		return e, nil
	}
	return h.views.ents.load(key, key+"\x00"+strconv.FormatInt(stamp, 10), func() (*access.Entitlement, int64, bool, error) {
		ctx := tenancy.WithTenant(context.WithoutCancel(ctx), cred.Customer.TenantID)
		e, err := h.o.Access.Entitlement(ctx, cred.Caller, name)
		if err != nil {
			return nil, 0, false, err
		}
		if e != nil {
			// The README is not needed here; keep cached entitlements
			// small.
			pkg := *e.Package
			pkg.Readme, pkg.ReadmeHTML = nil, nil
			e.Package = &pkg
			for _, w := range e.Ways {
				w.Package = &pkg
			}
		}
		return e, stamp, h.current(cred), nil
	})
}

// p2Document is cred's customer's view of a package's p2 document (name
// may end in ~dev); found is false when it may not see the package.
func (h *Repo) p2Document(ctx context.Context, cred *caller, name string) (*view, error) {
	base, dev := strings.CutSuffix(name, "~dev")
	if !cred.Reaches(base) {
		return &view{}, nil
	}
	st := h.views.stamps.Of(cred.Customer.TenantID)
	st.Value = cred.stamp
	key := "p2\x00" + cred.Customer.ID + "\x00" + name
	if d, ok := h.views.docs.get(key, st.Value); ok {
		return d, nil
	}
	return h.views.docs.load(key, key+"\x00"+strconv.FormatInt(st.Value, 10), func() (*view, int64, bool, error) {
		ctx := tenancy.WithTenant(context.WithoutCancel(ctx), cred.Customer.TenantID)
		e, err := h.entitlementOf(ctx, cred, base)
		if err != nil {
			return nil, 0, false, err
		}
		d := &view{}
		if e != nil {
			rd, err := h.entries(ctx, e.Package)
			if err != nil {
				return nil, 0, false, err
			}
			all := rd.tagged
			if dev {
				all = rd.dev
			}
			offered := make([]composer.Entry, 0, len(all))
			for _, en := range all {
				if e.Allows(en.Normalized) {
					offered = append(offered, en)
				}
			}
			d = &view{found: true, tmpl: composer.NewTemplate(e.Package.Name, offered), modified: lastModified(rd.at, st.AccessChangedAt)}
		}
		return d, st.Value, h.current(cred), nil
	})
}

// packagesDocument is the packages.json of cred: its available packages
// depend on the customer's grants and the credential's package scopes.
func (h *Repo) packagesDocument(ctx context.Context, cred *caller, build func([]string) ([]byte, error)) (*view, error) {
	st := h.views.stamps.Of(cred.Customer.TenantID)
	st.Value = cred.stamp
	key := "packages\x00" + cred.Customer.ID + "\x00" + strings.Join(cred.PackageScopes, ",")
	if d, ok := h.views.docs.get(key, st.Value); ok {
		return d, nil
	}
	return h.views.docs.load(key, key+"\x00"+strconv.FormatInt(st.Value, 10), func() (*view, int64, bool, error) {
		ctx := tenancy.WithTenant(context.WithoutCancel(ctx), cred.Customer.TenantID)
		es, err := h.o.Access.Entitlements(ctx, cred.Caller)
		if err != nil {
			return nil, 0, false, err
		}
		names := make([]string, 0, len(es))
		for _, e := range es {
			names = append(names, e.Package.Name)
		}
		body, err := build(names)
		if err != nil {
			return nil, 0, false, err
		}
		return &view{found: true, fixed: finish(body, time.Time{})}, st.Value, h.current(cred), nil
	})
}

// distOf finds a package's archive by normalized version and reference
// (nil: none), from the cache while the tenant's stamp is unchanged:
// every change of versions re-renders metadata, which bumps it.
func (h *Repo) distOf(ctx context.Context, pkg *ent.ComposerPackage, normalized, reference string) (*packages.Dist, error) {
	stamp := h.views.stamps.Of(pkg.TenantID).Value
	key := pkg.ID + "\x00" + normalized + "\x00" + reference
	if d, ok := h.views.dists.get(key, stamp); ok {
		return d, nil
	}
	return h.views.dists.load(key, key+"\x00"+strconv.FormatInt(stamp, 10), func() (*packages.Dist, int64, bool, error) {
		ctx := tenancy.WithTenant(context.WithoutCancel(ctx), pkg.TenantID)
		d, err := h.o.Packages.FindDist(ctx, pkg, normalized, reference)
		return d, stamp, err == nil, err
	})
}

// entries returns the package's rendered entries, from the cache while
// its metadata_updated_at is unchanged.
func (h *Repo) entries(ctx context.Context, pkg *ent.ComposerPackage) (*rendered, error) {
	var at time.Time
	var stamp int64 // at in nanoseconds; 0 for a package never rendered
	if pkg.MetadataUpdatedAt != nil {
		at, stamp = *pkg.MetadataUpdatedAt, pkg.MetadataUpdatedAt.UnixNano()
	}
	if rd, ok := h.views.pkgs.get(pkg.ID, stamp); ok {
		return rd, nil
	}
	tagged, dev, err := h.o.Packages.Entries(ctx, pkg)
	if err != nil {
		return nil, err
	}
	rd := &rendered{at: at, tagged: tagged, dev: dev}
	// A request holding an older package row must not replace a newer
	// rendering.
	if _, old, ok := h.views.pkgs.peek(pkg.ID); !ok || old <= stamp {
		h.views.pkgs.add(pkg.ID, rd, stamp)
	}
	return rd, nil
}

// finish hashes and, when worth it, compresses a body once for every
// request that will be served it.
func finish(body []byte, modified time.Time) *document {
	sum := sha256.Sum256(body)
	d := &document{data: body, tag: hex.EncodeToString(sum[:16]), modified: modified}
	d.plain = headerValues{
		contentType:  []string{"application/json"},
		cacheControl: []string{"private, no-cache"},
		vary:         []string{"Accept-Encoding, Authorization"},
		etag:         []string{`"` + d.tag + `"`},
	}
	d.gz = d.plain
	d.gz.etag = []string{`"` + d.tag + `-gzip"`}
	d.gz.encoding = []string{"gzip"}
	if !modified.IsZero() {
		d.lastModified = []string{modified.UTC().Format(http.TimeFormat)}
	}
	if len(body) > minGzip {
		var b bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
		_, _ = zw.Write(body)
		_ = zw.Close()
		d.data, d.gzipped = b.Bytes(), true
	}
	return d
}

// lastModified is a document's Last-Modified: the later of its package's
// metadata change and its tenant's last access change, rounded up to the
// whole second HTTP dates carry. Composer revalidates with
// If-Modified-Since only, so the time must move whenever the body may
// have: every change that alters a body moves one of the two.
func lastModified(metadataAt, accessAt time.Time) time.Time {
	t := metadataAt
	if accessAt.After(t) {
		t = accessAt
	}
	if t.IsZero() {
		return t
	}
	if r := t.Truncate(time.Second); !r.Equal(t) {
		t = r.Add(time.Second)
	}
	return t.UTC()
}
