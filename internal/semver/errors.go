package semver

import "errors"

// Sentinel errors, so callers can branch with errors.Is while the message
// stays word-for-word composer's (users compare it with what Composer says).
var (
	// ErrInvalidVersion marks a version string composer's VersionParser::normalize rejects.
	ErrInvalidVersion = errors.New("semver: invalid version")
	// ErrInvalidConstraint marks a constraint string VersionParser::parseConstraints rejects.
	ErrInvalidConstraint = errors.New("semver: invalid constraint")
	// ErrInvalidOperator marks an operator outside = == < <= > >= <> !=.
	ErrInvalidOperator = errors.New("semver: invalid operator")
	// ErrInvalidStability marks a stability name outside stable, RC, beta, alpha, dev.
	ErrInvalidStability = errors.New("semver: invalid stability")
)

// Error is returned by every parsing function. Its message is the one
// composer/semver puts in its exception; errors.Is reports its kinds.
type Error struct {
	msg   string
	kinds []error
}

func newError(msg string, kinds ...error) *Error { return &Error{msg: msg, kinds: kinds} }

// Error returns composer's message, e.g. `Invalid version string "foo"`.
func (e *Error) Error() string { return e.msg }

// Unwrap exposes the sentinel kinds (ErrInvalidVersion, ErrInvalidConstraint, ...).
func (e *Error) Unwrap() []error { return e.kinds }
