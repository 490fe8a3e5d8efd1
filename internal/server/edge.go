package server

import (
	"bytes"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/cargoman/cargoman/graph"
	"github.com/cargoman/cargoman/internal/auth"
	"github.com/cargoman/cargoman/internal/bodylimit"
	"github.com/cargoman/cargoman/internal/httperr"
)

// MaxHeaderBytes bounds the request line and headers. Body limits are
// internal/bodylimit's.
const MaxHeaderBytes = 64 << 10

// Timeouts bound how long a client may hold a connection, so a slow
// client (slowloris) cannot exhaust them.
type Timeouts struct {
	// ReadHeader bounds the request line and headers.
	ReadHeader time.Duration
	// Read bounds the whole request, body included.
	Read time.Duration
	// Upload replaces Read for requests carrying a file (multipart or
	// zip bodies), which may legitimately take minutes.
	Upload time.Duration
	// Write bounds writing the answer (a dist download included).
	Write time.Duration
	// Idle bounds a keep-alive connection between requests.
	Idle time.Duration
}

// DefaultTimeouts are the timeouts of `cargoman serve`.
var DefaultTimeouts = Timeouts{
	ReadHeader: 10 * time.Second,
	Read:       60 * time.Second,
	Upload:     15 * time.Minute,
	Write:      15 * time.Minute,
	Idle:       120 * time.Second,
}

// NewHTTPServer returns the http.Server serving h with t's timeouts and
// the header size limit.
func NewHTTPServer(h http.Handler, t Timeouts) *http.Server {
	read := t.Read
	if t.Upload > read {
		// The server-wide deadline must allow the longest route;
		// uploadDeadlines shortens it for everything else.
		read = t.Upload
	}
	return &http.Server{
		Handler:           uploadDeadlines(h, t),
		ReadHeaderTimeout: t.ReadHeader,
		ReadTimeout:       read,
		WriteTimeout:      t.Write,
		IdleTimeout:       t.Idle,
		MaxHeaderBytes:    MaxHeaderBytes,
	}
}

// uploadDeadlines gives file uploads t.Upload to arrive and every other
// request t.Read.
func uploadDeadlines(h http.Handler, t Timeouts) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d := t.Read
		if carriesFile(r) {
			d = t.Upload
		}
		if d > 0 {
			// Not every ResponseWriter supports deadlines (tests wrap
			// them); the server-wide ReadTimeout still applies then.
			_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(d))
		}
		h.ServeHTTP(w, r)
	})
}

// carriesFile reports whether r's body is an upload rather than JSON.
func carriesFile(r *http.Request) bool {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return mt == "multipart/form-data" || mt == "application/zip" || mt == "application/octet-stream"
}

// securityHeaders sets headers every answer needs: nosniff, so a browser
// never runs an answer as another type than declared, and no-store on API
// answers, which are per-credential and may carry a secret shown once
// (new tokens, JWTs, webhook secrets). Composer metadata keeps its own
// caching headers.
func securityHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Content-Type-Options", "nosniff")
		if r.URL.Path == "/graphql" || strings.HasPrefix(r.URL.Path, "/api/") {
			w.Header().Set("Cache-Control", "no-store")
		}
		h.ServeHTTP(w, r)
	})
}

// limitGraphQLBody bounds a GraphQL request body before anything parses
// it: a JSON body is read up to the JSON limit and answered 413 beyond it;
// a multipart body (a file upload) is first refused, without reading a
// byte of it, to a caller none of the file-taking mutations admits (the
// anonymous 401, a viewer token or a download-scoped customer 403), then
// capped at the upload limit while the multipart transport streams it. It
// runs after authentication, so a bad credential never gets this far.
func limitGraphQLBody(limits bodylimit.Limits, uploaders []graph.Requirement, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body == nil || r.Method != http.MethodPost {
			h.ServeHTTP(w, r)
			return
		}
		if carriesFile(r) {
			if err := graph.AdmitAny(uploaders, auth.FromContext(r.Context())); err != nil {
				httperr.GraphQL(w, err)
				return
			}
			if err := bodylimit.Limit(w, r, limits.Upload); err != nil {
				httperr.GraphQL(w, err)
				return
			}
			h.ServeHTTP(w, r)
			return
		}
		body, err := bodylimit.Read(w, r, limits.JSON)
		if err != nil {
			httperr.GraphQL(w, err)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		h.ServeHTTP(w, r)
	})
}
