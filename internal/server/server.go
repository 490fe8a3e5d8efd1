// Package server assembles Cargoman's HTTP surface: health probes, the
// GraphQL endpoint with its playground, the REST routes and the Composer
// repository (packages.json, p2 metadata, dists). It builds no services and
// holds no configuration: internal/app hands it its parts.
package server

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/gorilla/mux"

	"github.com/cargoman/cargoman/graph"
	"github.com/cargoman/cargoman/internal/apperr"
	"github.com/cargoman/cargoman/internal/auth"
	"github.com/cargoman/cargoman/internal/bodylimit"
	"github.com/cargoman/cargoman/internal/cachestamp"
	"github.com/cargoman/cargoman/internal/composerrepo"
	"github.com/cargoman/cargoman/internal/database"
	"github.com/cargoman/cargoman/internal/httperr"
	"github.com/cargoman/cargoman/internal/origin"
	"github.com/cargoman/cargoman/internal/scratch"
	"github.com/cargoman/cargoman/rest"
	"github.com/cargoman/cargoman/web"
)

// Options are the parts the server is made of, built by internal/app.
type Options struct {
	DB            *database.DB
	Authenticator *auth.Authenticator
	// Schema is the GraphQL schema (graph.NewSchema) that /graphql and
	// the REST routes run.
	Schema graphql.ExecutableSchema
	// Composer serves packages.json, p2 metadata, dists and notify-batch.
	Composer *composerrepo.Repo
	// Dists streams the archives the REST API downloads.
	Dists rest.DistOpener
	// Webhooks serves /api/webhooks/{provider}; nil leaves them out.
	Webhooks http.Handler
	// Origin tells the base of absolute URLs (REST Link headers, the
	// repository URL of new credentials).
	Origin *origin.Resolver
	Log    *slog.Logger
	// Stamps tell the Composer caches when they went stale.
	Stamps *cachestamp.Stamps
	// Ready checks that the database is migrated and is the one this
	// instance serves (bootstrap.Current.Ready); nil only pings it.
	Ready func(context.Context) error
	// Limits bound request bodies by route class; zero fields take the
	// defaults.
	Limits bodylimit.Limits
	// Scratch receives uploads while they are processed.
	Scratch *scratch.Dir
	// GraphQL are the limits and introspection policy of /graphql; the
	// REST layer runs its documents with the same ones, scaled to its
	// larger pages. Zero fields take graph's defaults.
	GraphQL graph.Settings
}

// New returns the HTTP handler of the whole service.
func New(o Options) (http.Handler, error) {
	if o.Scratch == nil {
		return nil, fmt.Errorf("server: a scratch directory is required")
	}
	limits := o.Limits.WithDefaults()
	if o.Schema == nil || o.Composer == nil || o.Origin == nil {
		return nil, fmt.Errorf("server: a schema, the Composer endpoints and an origin resolver are required")
	}
	schema := o.Schema
	// Changes made through the API reach this instance's Composer caches
	// as soon as they commit; other instances poll (cachestamp.Stamps.Run).
	refresh := graph.AfterMutation(func(ctx context.Context) {
		if err := o.Stamps.Refresh(context.WithoutCancel(ctx)); err != nil {
			o.Log.Error("refresh cache stamps after a mutation", "err", err)
		}
	})
	r := mux.NewRouter()
	r.NotFoundHandler = http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		httperr.REST(w, apperr.NotFoundf("no route for %s %s", req.Method, req.URL.Path))
	})
	r.MethodNotAllowedHandler = http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		w.Header().Set("Allow", allowedMethods(r, req))
		httperr.REST(w, apperr.New(apperr.MethodNotAllowed, "method %s is not allowed on %s; use %s", req.Method, req.URL.Path, w.Header().Get("Allow")))
	})

	// The Composer routes come first: mux tries routes in order, and
	// these are the hot path.
	o.Composer.Mount(r)

	r.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) {
		writeStatus(w, http.StatusOK, "ok")
	}).Methods(http.MethodGet, http.MethodHead)
	ready := o.Ready
	if ready == nil {
		ready = o.DB.Ping
	}
	r.HandleFunc("/readyz", func(w http.ResponseWriter, req *http.Request) {
		ctx, cancel := context.WithTimeout(req.Context(), 2*time.Second)
		defer cancel()
		err := ready(ctx)
		if err != nil && ctx.Err() == nil {
			// Once more: the first try may have drawn a pooled connection
			// that a restarted or recreated database has closed.
			err = ready(ctx)
		}
		if err != nil {
			o.Log.Warn("readiness check failed", "err", err)
			writeStatus(w, http.StatusServiceUnavailable, "database not ready")
			return
		}
		writeStatus(w, http.StatusOK, "ok")
	}).Methods(http.MethodGet, http.MethodHead)

	r.PathPrefix("/graphql/assets/").Handler(http.StripPrefix("/graphql/assets", web.Assets()))
	playground := web.GraphiQL("/graphql", "/graphql/assets")
	uploaders, err := graph.UploadRequirements(schema.Schema())
	if err != nil {
		return nil, fmt.Errorf("server: %w", err)
	}
	gqlHandler := graph.NewHandler(schema, o.Log, o.GraphQL, graph.Uploads{Dir: o.Scratch, MaxFields: limits.JSON}, refresh)
	gql := o.Origin.Middleware(o.Authenticator.Middleware(func(w http.ResponseWriter, _ *http.Request, err error) { httperr.GraphQL(w, err) })(limitGraphQLBody(limits, uploaders, gqlHandler)))
	r.Handle("/graphql", http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.Method == http.MethodGet && req.URL.Query().Get("query") == "" && strings.Contains(req.Header.Get("Accept"), "text/html") {
			playground.ServeHTTP(w, req)
			return
		}
		gql.ServeHTTP(w, req)
	})).Methods(http.MethodGet, http.MethodPost, http.MethodOptions)

	if o.Webhooks != nil {
		r.Handle("/api/webhooks/{provider}", o.Webhooks).Methods(http.MethodPost)
	}
	authenticate := o.Authenticator.Middleware(func(w http.ResponseWriter, _ *http.Request, err error) { httperr.REST(w, err) })
	restAuth := func(next http.Handler) http.Handler { return o.Origin.Middleware(authenticate(next)) }
	err = rest.Mount(r, graph.NewExecutor(schema, o.Log, restGraphQL(o.GraphQL), refresh), schema.Schema(), rest.Routes(), rest.Options{
		Origin:     o.Origin,
		Middleware: restAuth,
		Dists:      o.Dists,
		Limits:     limits,
		Scratch:    o.Scratch,
	})
	if err != nil {
		return nil, fmt.Errorf("server: mount REST routes: %w", err)
	}
	return logRequests(o.Log, securityHeaders(r)), nil
}

// restGraphQL are the GraphQL settings of the REST layer: its list routes
// page up to rest.MaxPageSize items, so its connections may too, with a
// complexity budget grown alike.
func restGraphQL(s graph.Settings) graph.Settings {
	s.Limits = s.Limits.WithPageSize(rest.MaxPageSize)
	return s
}

func writeStatus(w http.ResponseWriter, status int, text string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(text + "\n"))
}

// allowedMethods lists the methods of the routes matching req's path.
func allowedMethods(r *mux.Router, req *http.Request) string {
	var methods []string
	_ = r.Walk(func(route *mux.Route, _ *mux.Router, _ []*mux.Route) error {
		ms, err := route.GetMethods()
		if err != nil {
			return nil
		}
		var m mux.RouteMatch
		probe := req.Clone(req.Context())
		for _, method := range ms {
			probe.Method = method
			if route.Match(probe, &m) && m.MatchErr == nil {
				methods = append(methods, method)
			}
		}
		return nil
	})
	return strings.Join(methods, ", ")
}
