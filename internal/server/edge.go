package server

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/cargoman/cargoman/internal/apperr"
)

// Limits of the HTTP edge: what one connection may hold and send.
const (
	// MaxGraphQLBody bounds a JSON GraphQL request (a query and its
	// variables); multipart GraphQL uploads have their own limit.
	MaxGraphQLBody = 1 << 20
	// MaxUploadBody is the documented limit of an artifact upload.
	MaxUploadBody = 64 << 20
	// MaxHeaderBytes bounds the request line and headers.
	MaxHeaderBytes = 64 << 10
)

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

// limitGraphQLBody reads a JSON GraphQL body up to MaxGraphQLBody and
// answers 413 beyond it, before anything parses it; multipart bodies are
// capped at MaxUploadBody while the multipart transport reads them. It
// runs after authentication, so a bad credential never gets this far.
func limitGraphQLBody(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body == nil || r.Method != http.MethodPost {
			h.ServeHTTP(w, r)
			return
		}
		if carriesFile(r) {
			r.Body = http.MaxBytesReader(w, r.Body, MaxUploadBody)
			h.ServeHTTP(w, r)
			return
		}
		if r.ContentLength > MaxGraphQLBody {
			writeGraphQLAuthError(w, r, tooLarge(MaxGraphQLBody))
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxGraphQLBody))
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				writeGraphQLAuthError(w, r, tooLarge(MaxGraphQLBody))
				return
			}
			writeGraphQLAuthError(w, r, apperr.New(apperr.Validation, "the request body could not be read"))
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		h.ServeHTTP(w, r)
	})
}

func tooLarge(limit int64) error {
	return apperr.New(apperr.PayloadTooLarge, "the request body is larger than the limit of %d bytes", limit)
}
