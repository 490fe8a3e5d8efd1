// Package composerrepo serves what Composer clients read: packages.json,
// the p2 metadata documents, the dist archives and the notify-batch
// endpoint. Every request carries a customer credential (a customer token
// or JWT, as auth.Presented reads it: HTTP Basic user "token", a bearer
// token or X-Api-Key) and sees only what that customer may install.
package composerrepo

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/mux"

	"github.com/cargoman/cargoman/internal/access"
	"github.com/cargoman/cargoman/internal/apperr"
	"github.com/cargoman/cargoman/internal/auth"
	"github.com/cargoman/cargoman/internal/blob"
	"github.com/cargoman/cargoman/internal/bodylimit"
	"github.com/cargoman/cargoman/internal/cachestamp"
	"github.com/cargoman/cargoman/internal/composer"
	"github.com/cargoman/cargoman/internal/httperr"
	"github.com/cargoman/cargoman/internal/origin"
	"github.com/cargoman/cargoman/internal/packages"
	"github.com/cargoman/cargoman/internal/stats"
	"github.com/cargoman/cargoman/internal/tenancy"
)

// Realm is the HTTP Basic realm Composer is challenged with.
const Realm = "Cargoman"

// Options configure the Composer endpoints.
type Options struct {
	Packages *packages.Service
	Access   *access.Service
	// Usage records when customer tokens were last used; may be nil.
	Usage *auth.UsageRecorder
	// Stamps tell when cached views went stale; required.
	Stamps *cachestamp.Stamps
	// Stats counts installs (notify-batch) and dist downloads; may be nil.
	Stats *stats.Recorder
	// Origin is the base of dist URLs; required.
	Origin *origin.Resolver
}

// Repo serves the Composer endpoints.
type Repo struct {
	o     Options
	views *views
}

// New returns the Composer endpoints.
func New(o Options) *Repo {
	return &Repo{o: o, views: newViews(o)}
}

// Mount adds the routes to r.
func (h *Repo) Mount(r *mux.Router) {
	r.Handle("/packages.json", h.auth(h.packagesJSON)).Methods(http.MethodGet, http.MethodHead)
	r.Handle("/p2/{vendor}/{name}.json", h.auth(h.p2)).Methods(http.MethodGet, http.MethodHead)
	r.Handle("/dists/{vendor}/{name}/{version}/{reference}.zip", h.auth(h.dist)).Methods(http.MethodGet, http.MethodHead)
	r.Handle("/downloads/", h.auth(h.notify)).Methods(http.MethodPost)
}

// auth resolves the request's customer credential and refuses credentials
// that may not download.
func (h *Repo) auth(next func(http.ResponseWriter, *http.Request, *caller)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		presented, err := auth.Presented(r, auth.AtComposer)
		if err == nil && presented == "" {
			err = apperr.New(apperr.Unauthorized, "authentication required: HTTP Basic with user \"token\" and a customer token as password, or a bearer token")
		}
		var cred *caller
		if err == nil {
			cred, err = h.credential(r.Context(), presented)
		}
		if err == nil {
			err = cred.Require(auth.Download)
		}
		if err != nil {
			if e, ok := apperr.As(err); ok && e.Code == apperr.Unauthorized {
				w.Header().Set("WWW-Authenticate", `Basic realm="`+Realm+`"`)
			}
			httperr.Composer(w, err)
			return
		}
		if cred.Token != nil && h.o.Usage != nil {
			h.o.Usage.TouchCustomerToken(cred.Token.ID)
		}
		// The request keeps its context: cache hits need no tenant, and
		// what reads the database scopes its own context to the tenant.
		next(w, r, cred)
	})
}

func (h *Repo) packagesJSON(w http.ResponseWriter, r *http.Request, cred *caller) {
	d, err := h.packagesDocument(r.Context(), cred, func(names []string) ([]byte, error) {
		return json.Marshal(map[string]any{
			"packages":           []any{},
			"metadata-url":       "/p2/%package%.json",
			"available-packages": names,
			"notify-batch":       "/downloads/",
		})
	})
	if err != nil {
		httperr.Composer(w, err)
		return
	}
	serveDocument(w, r, d.fixed)
}

func notFound(name string) error { return apperr.NotFoundf("package %q not found", name) }

// entitlement resolves what cred may install of the package named by the
// request path ({vendor}/{name}, minus a ~dev suffix). It answers the
// request itself, 404 like an unknown package included, when there is
// nothing to serve.
func (h *Repo) entitlement(w http.ResponseWriter, r *http.Request, cred *caller) (*access.Entitlement, bool) {
	vars := mux.Vars(r)
	name := strings.TrimSuffix(strings.ToLower(vars["vendor"]+"/"+vars["name"]), "~dev")
	e, err := h.entitlementOf(r.Context(), cred, name)
	if err != nil {
		httperr.Composer(w, err)
		return nil, false
	}
	if e == nil {
		httperr.Composer(w, notFound(name))
		return nil, false
	}
	return e, true
}

func (h *Repo) p2(w http.ResponseWriter, r *http.Request, cred *caller) {
	vars := mux.Vars(r)
	name := strings.ToLower(vars["vendor"] + "/" + vars["name"])
	d, err := h.p2Document(r.Context(), cred, name)
	if err != nil {
		httperr.Composer(w, err)
		return
	}
	if !d.found {
		httperr.Composer(w, notFound(strings.TrimSuffix(name, "~dev")))
		return
	}
	serveDocument(w, r, d.documentFor(h.o.Origin.Of(r)))
}

// minGzip is the smallest body worth compressing.
const minGzip = 512

// settle is how long a Last-Modified is withheld after the change it
// names. Another instance may serve the document from before the change
// until its next stamp poll (1 s), plus commit lag and clock skew; a
// client handed an older Last-Modified meanwhile must not get a 304 for
// the new document, and one handed the new time must never have seen an
// older body under it.
const settle = 3 * time.Second

// serveDocument answers with a cached document, honouring If-None-Match
// and If-Modified-Since. Composer sends Accept-Encoding: gzip, so the
// compressed form is what is kept; the rare client without gzip gets it
// decompressed. Last-Modified is given only once settled.
func serveDocument(w http.ResponseWriter, r *http.Request, d *document) {
	hv := &d.plain
	if d.gzipped && acceptsGzip(r) {
		hv = &d.gz
	}
	modified := d.modified
	if time.Since(modified) < settle {
		modified = time.Time{}
	}
	hd := w.Header()
	// Header values were built with the document: assigning them costs
	// no allocation per request.
	hd["Content-Type"] = hv.contentType
	hd["Cache-Control"] = hv.cacheControl
	hd["Vary"] = hv.vary
	hd["Etag"] = hv.etag
	if !modified.IsZero() {
		hd["Last-Modified"] = d.lastModified
	}
	if notModified(r, d.tag, modified) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	body := d.data
	if hv == &d.gz {
		hd["Content-Encoding"] = hv.encoding
	} else if d.gzipped {
		zr, err := gzip.NewReader(bytes.NewReader(d.data))
		if err == nil {
			body, err = io.ReadAll(zr)
		}
		if err != nil {
			httperr.Composer(w, fmt.Errorf("composerrepo: decompress cached document: %w", err))
			return
		}
	}
	hd["Content-Length"] = []string{strconv.Itoa(len(body))}
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
}

// notModified applies If-None-Match, and If-Modified-Since only without it
// (RFC 9110, 13.2.2).
func notModified(r *http.Request, tag string, modified time.Time) bool {
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		for _, t := range strings.Split(inm, ",") {
			t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
			if t == "*" || t == `"`+tag+`"` || t == `"`+tag+`-gzip"` {
				return true
			}
		}
		return false
	}
	if ims := r.Header.Get("If-Modified-Since"); ims != "" && !modified.IsZero() {
		since, err := http.ParseTime(ims)
		return err == nil && !modified.Truncate(time.Second).After(since)
	}
	return false
}

func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		enc, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(enc), "gzip") {
			q := strings.ReplaceAll(params, " ", "")
			return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
		}
	}
	return false
}

// dist streams an archive the credential may download: a version it is
// offered, or a yanked or removed one whose version its entitlement allows,
// so that lock files keep installing.
func (h *Repo) dist(w http.ResponseWriter, r *http.Request, cred *caller) {
	vars := mux.Vars(r)
	e, ok := h.entitlement(w, r, cred)
	if !ok {
		return
	}
	d, err := h.distOf(r.Context(), e.Package, vars["version"], vars["reference"])
	if err != nil {
		httperr.Composer(w, err)
		return
	}
	if d == nil || !e.Allows(d.VersionNormalized) {
		httperr.Composer(w, apperr.NotFoundf("package %s has no archive %s/%s", e.Package.Name, vars["version"], vars["reference"]))
		return
	}
	obj, err := h.o.Packages.OpenArchive(r.Context(), d)
	if errors.Is(err, blob.ErrNotFound) {
		httperr.Composer(w, apperr.NotFoundf("the archive of %s %s is missing", e.Package.Name, d.VersionNormalized))
		return
	}
	if err != nil {
		httperr.Composer(w, err)
		return
	}
	defer obj.Close()
	h.o.Stats.Dist(r, cred.Customer.ID, e.Package, d.Version, d.VersionNormalized)
	w.Header().Set("Content-Type", "application/zip")
	w.Header().Set("Content-Disposition", `attachment; filename="`+d.File+`"`)
	w.Header().Set("Cache-Control", "private, max-age=31536000, immutable")
	if d.Shasum != "" {
		w.Header().Set("ETag", `"`+d.Shasum+`"`)
	}
	http.ServeContent(w, r, d.File, obj.Info().ModTime, obj)
}

// notify accepts Composer's download notifications and counts the
// installs of versions the credential is entitled to; other entries are
// ignored, and the answer is success either way, as Packagist's.
func (h *Repo) notify(w http.ResponseWriter, r *http.Request, cred *caller) {
	body, err := bodylimit.Read(w, r, bodylimit.Notify)
	if err != nil {
		httperr.Composer(w, err)
		return
	}
	downloads, err := composer.ParseNotifyBatch(body)
	if err != nil {
		httperr.Composer(w, err)
		return
	}
	batch := h.o.Stats.NotifyBatch(cred.Customer.ID, func(ctx context.Context, name string) (*access.Entitlement, error) {
		return h.entitlementOf(ctx, cred, name)
	})
	for _, d := range downloads {
		if err := batch.Add(tenancy.WithTenant(r.Context(), cred.Customer.TenantID), d.Name, d.Version); err != nil {
			httperr.Composer(w, err)
			return
		}
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte(`{"status":"success"}` + "\n"))
}
