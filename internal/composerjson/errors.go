package composerjson

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinel kinds of Parse failure, for errors.Is: callers show all of them to
// the uploader, but may want to count or alert on some (e.g. ErrTooLarge).
var (
	ErrTooLarge  = errors.New("composer.json too large")
	ErrTooDeep   = errors.New("composer.json nested too deeply")
	ErrSyntax    = errors.New("composer.json is not valid JSON")
	ErrNotObject = errors.New("composer.json is not a JSON object")
	ErrFieldType = errors.New("composer.json field has the wrong type")
)

// ParseError describes why Parse rejected a document, with a position so the
// uploader can find the problem in their file.
type ParseError struct {
	// Kind is one of the Err* sentinels; Unwrap returns it.
	Kind error
	// Field is the dotted path of the offending field ("require",
	// "autoload.psr-4"), empty for document-level problems.
	Field string
	// Line and Column are 1-based (column counts characters); 0 when unknown.
	Line, Column int
	// Msg is the human-readable reason.
	Msg string
}

func (e *ParseError) Error() string {
	var b strings.Builder
	b.WriteString("composer.json: ")
	switch {
	case e.Kind == ErrSyntax && e.Line > 0:
		fmt.Fprintf(&b, "invalid JSON at line %d column %d: %s", e.Line, e.Column, e.Msg)
	case e.Kind == ErrSyntax:
		fmt.Fprintf(&b, "invalid JSON: %s", e.Msg)
	case e.Line > 0:
		fmt.Fprintf(&b, "%s (line %d column %d)", e.Msg, e.Line, e.Column)
	default:
		b.WriteString(e.Msg)
	}
	return b.String()
}

func (e *ParseError) Unwrap() error { return e.Kind }
