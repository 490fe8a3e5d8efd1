// Package bodylimit owns the request body limits of every route class and
// enforces them while the body is read (http.MaxBytesReader), so no route
// buffers, parses or stores more than its class allows, and every route
// answers an oversized body the same way: 413 PAYLOAD_TOO_LARGE.
package bodylimit

import (
	"errors"
	"io"
	"net/http"

	"github.com/cargoman/cargoman/internal/apperr"
	"github.com/cargoman/cargoman/internal/scratch"
)

// Default limits of each route class.
const (
	// DefaultJSON bounds JSON API bodies: GraphQL queries with their
	// variables and REST request bodies (MAX_BODY_BYTES).
	DefaultJSON = 1 << 20
	// Notify bounds a Composer notify-batch body: one small entry per
	// installed package.
	Notify = 1 << 20
	// Webhook bounds a git provider's delivery. Push payloads are a few
	// KiB to a few hundred KiB (GitLab lists at most 20 commits, GitHub at
	// most 2048); a push of thousands of commits with huge file lists can
	// exceed it, and then needs a manual or scheduled sync.
	Webhook = 5 << 20
	// Upload bounds an artifact upload (the zip and its form fields), the
	// documented 64 MiB.
	Upload = 64 << 20
)

// Limits are the configurable limits in force; zero fields take the
// defaults. Notify and Webhook are fixed by the protocols they serve.
type Limits struct {
	// JSON is MAX_BODY_BYTES.
	JSON int64
	// Upload is fixed in production (the documented 64 MiB); tests lower
	// it to exercise the limit cheaply.
	Upload int64
}

// WithDefaults fills unset limits with the defaults.
func (l Limits) WithDefaults() Limits {
	if l.JSON <= 0 {
		l.JSON = DefaultJSON
	}
	if l.Upload <= 0 {
		l.Upload = Upload
	}
	return l
}

// Limit caps r's body at n bytes: a declared length over n fails at once
// with TooLarge, and a body that turns out longer fails while it is read
// (the error then matches Check). w lets the server close the connection
// instead of draining the rest.
func Limit(w http.ResponseWriter, r *http.Request, n int64) error {
	if r.ContentLength > n {
		return TooLarge(n)
	}
	if r.Body != nil {
		r.Body = http.MaxBytesReader(w, r.Body, n)
	}
	return nil
}

// Read reads r's whole body of at most n bytes.
func Read(w http.ResponseWriter, r *http.Request, n int64) ([]byte, error) {
	if err := Limit(w, r, n); err != nil {
		return nil, err
	}
	if r.Body == nil {
		return nil, nil
	}
	data, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, Check(err, "the request body could not be read")
	}
	return data, nil
}

// Check turns an error met while reading a limited body into the API
// error: TooLarge when the limit was hit, else a VALIDATION_ERROR with
// message (the client sent a broken body). Errors that already carry a
// code, and failures of the server's own disk (scratch.ErrDisk: not the
// client's fault), pass unchanged.
func Check(err error, message string) error {
	if errors.Is(err, scratch.ErrDisk) {
		return err
	}
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return TooLarge(tooBig.Limit)
	}
	if _, ok := apperr.As(err); ok {
		return err
	}
	return apperr.New(apperr.Validation, "%s", message)
}

// TooLarge is the error of a body over a limit of n bytes.
func TooLarge(n int64) *apperr.Error {
	return apperr.New(apperr.PayloadTooLarge, "the request body is larger than the limit of %d bytes", n)
}
