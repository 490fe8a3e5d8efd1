// Package apperr defines the error codes of the public API (the spec's error
// table) and maps internal errors onto them, so GraphQL extensions.code and
// the REST error body always agree and internals never leak into messages.
package apperr

import (
	"errors"
	"fmt"
	"net/http"
)

// Code is one of the spec's error codes.
type Code string

// The spec's error codes.
const (
	NotFound            Code = "NOT_FOUND"
	Validation          Code = "VALIDATION_ERROR"
	Unauthorized        Code = "UNAUTHORIZED"
	Forbidden           Code = "FORBIDDEN"
	Conflict            Code = "CONFLICT"
	FeatureNotAvailable Code = "FEATURE_NOT_AVAILABLE"
	RateLimited         Code = "RATE_LIMITED"
	Internal            Code = "INTERNAL_ERROR"
	// PayloadTooLarge is not in the spec's table: a body over its route's
	// limit, answered 413 before the rest of it is read.
	PayloadTooLarge Code = "PAYLOAD_TOO_LARGE"
	// HostKeyChanged is not in the spec's table: a repository's ssh server
	// offers another host key than the one pinned for it, until an admin
	// accepts the new key (acceptHostKey).
	HostKeyChanged Code = "HOST_KEY_CHANGED"
	// MethodNotAllowed is not in the spec's table: a route that exists
	// but does not take the request's method, answered 405 with Allow.
	MethodNotAllowed Code = "METHOD_NOT_ALLOWED"
)

// HTTPStatus is the status the spec assigns to c.
func (c Code) HTTPStatus() int {
	switch c {
	case NotFound:
		return http.StatusNotFound
	case Validation:
		return http.StatusBadRequest
	case Unauthorized:
		return http.StatusUnauthorized
	case Forbidden, FeatureNotAvailable:
		return http.StatusForbidden
	case Conflict, HostKeyChanged:
		return http.StatusConflict
	case RateLimited:
		return http.StatusTooManyRequests
	case PayloadTooLarge:
		return http.StatusRequestEntityTooLarge
	case MethodNotAllowed:
		return http.StatusMethodNotAllowed
	default:
		return http.StatusInternalServerError
	}
}

// Error is an error a client may see: a code, a message written for people,
// and optionally the input field it is about.
type Error struct {
	Code    Code
	Message string
	Field   string
	cause   error
}

func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("%s: %s (%s)", e.Code, e.Message, e.Field)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// Unwrap gives the internal cause, for logs.
func (e *Error) Unwrap() error { return e.cause }

// New returns an Error with code and message.
func New(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalid returns a VALIDATION_ERROR about field.
func Invalid(field, format string, args ...any) *Error {
	return &Error{Code: Validation, Message: fmt.Sprintf(format, args...), Field: field}
}

// NotFoundf returns a NOT_FOUND error.
func NotFoundf(format string, args ...any) *Error { return New(NotFound, format, args...) }

// WithCause keeps cause for logging without showing it to clients.
func (e *Error) WithCause(cause error) *Error {
	c := *e
	c.cause = cause
	return &c
}

// Public is err as a client may see it: the *Error it is or wraps, or
// INTERNAL_ERROR without its text (kept as the cause, for logs).
func Public(err error) *Error {
	if e, ok := As(err); ok {
		return e
	}
	return New(Internal, "internal error").WithCause(err)
}

// As returns err as an *Error when it is (or wraps) one.
func As(err error) (*Error, bool) {
	var e *Error
	if errors.As(err, &e) {
		return e, true
	}
	return nil, false
}
