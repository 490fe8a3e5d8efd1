// Package blob stores dist archives and uploaded files behind one small
// interface, so that the filesystem store used by default can be joined by an
// S3-compatible store later without touching callers.
//
// Objects are addressed by keys: slash-separated relative paths such as
// "dists/pkg_x/ver_y.zip". Keys are validated by every store (see
// [ValidateKey]) so that a key can never name anything outside the store.
package blob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

var (
	// ErrNotFound is returned (wrapped) by Open and Stat when no object has
	// the key.
	ErrNotFound = errors.New("blob: not found")
	// ErrInvalidKey is returned (wrapped) for keys and prefixes that do not
	// follow the key rules of [ValidateKey].
	ErrInvalidKey = errors.New("blob: invalid key")
)

// Key limits. MaxKeyLen matches S3's limit so keys stay portable;
// MaxSegmentLen matches the usual file name limit (NAME_MAX).
const (
	MaxKeyLen     = 1024
	MaxSegmentLen = 255
)

// Info describes a stored object.
type Info struct {
	// Size is the object's length in bytes.
	Size int64
	// ModTime is when the object was written.
	ModTime time.Time
	// SHA1 and SHA256 are lowercase hex digests of the content (SHA1 is what
	// Composer expects as a dist "shasum"). Only Put fills them: computing
	// them again would mean reading the whole object, so callers store the
	// digests returned by Put alongside the key. Open, Stat and List leave
	// them empty.
	SHA1   string
	SHA256 string
}

// Object is an open stored object. It is seekable so that HTTP handlers can
// serve byte ranges with http.ServeContent; the caller must Close it.
type Object interface {
	io.ReadSeekCloser
	// Info reports the size and modification time of the version that was
	// opened (digests are empty, see [Info]).
	Info() Info
}

// Store keeps objects by key. Implementations are safe for concurrent use.
type Store interface {
	// Put stores everything read from r under key, replacing any previous
	// object. It is atomic: readers see the old object or the whole new
	// one, never a partial write, and a Put that fails (r returns an error,
	// ctx is cancelled) leaves the previous state untouched. Concurrent
	// Puts of one key are safe; the last to finish wins. Put does not limit
	// the size: wrap r in an io.LimitReader when the source is untrusted.
	Put(ctx context.Context, key string, r io.Reader) (Info, error)
	// Open opens the object for reading. It returns ErrNotFound (wrapped)
	// when the key has no object. An open Object keeps reading the version
	// it opened even if the key is replaced or deleted meanwhile.
	Open(ctx context.Context, key string) (Object, error)
	// Stat reports the object's size and modification time, or ErrNotFound.
	Stat(ctx context.Context, key string) (Info, error)
	// Delete removes the object. Deleting a missing key is not an error.
	Delete(ctx context.Context, key string) error
	// List calls fn for every object whose key starts with prefix (a plain
	// string prefix, as in S3: "dists/pkg_" matches "dists/pkg_1/a.zip").
	// The empty prefix lists everything. Order is unspecified. If fn
	// returns an error, List stops and returns that error unchanged.
	// Objects put or deleted while List runs may or may not be reported.
	List(ctx context.Context, prefix string, fn func(key string, info Info) error) error
}

// ValidateKey reports whether key is an acceptable object key, returning an
// error wrapping ErrInvalidKey that says why if not. A key is one or more
// segments separated by single slashes, with no leading or trailing slash.
// Each segment uses only ASCII letters, digits, '.', '_' and '-', and must
// not start with '.': that rules out "." and "..", hidden files, and the
// names stores use for their own bookkeeping. Backslashes, absolute paths
// and empty segments are all rejected.
func ValidateKey(key string) error {
	if key == "" {
		return fmt.Errorf("%w: empty key", ErrInvalidKey)
	}
	if len(key) > MaxKeyLen {
		return fmt.Errorf("%w: key is %d bytes, longer than %d", ErrInvalidKey, len(key), MaxKeyLen)
	}
	for seg := range strings.SplitSeq(key, "/") {
		if err := validateSegment(seg); err != nil {
			return fmt.Errorf("%w: %q: %s", ErrInvalidKey, key, err)
		}
	}
	return nil
}

// validatePrefix accepts "" and anything a key could start with: whole
// segments, optionally followed by a slash or by the start of a segment.
func validatePrefix(prefix string) error {
	if prefix == "" {
		return nil
	}
	k := strings.TrimSuffix(prefix, "/")
	if err := ValidateKey(k); err != nil {
		return fmt.Errorf("prefix %q: %w", prefix, err)
	}
	return nil
}

// segmentError is a plain message; ValidateKey adds the key and the sentinel.
type segmentError string

func (e segmentError) Error() string { return string(e) }

func validateSegment(seg string) error {
	switch {
	case seg == "":
		return segmentError("empty path segment (leading, trailing or double slash)")
	case len(seg) > MaxSegmentLen:
		return segmentError(fmt.Sprintf("path segment longer than %d bytes", MaxSegmentLen))
	case seg[0] == '.':
		return segmentError(fmt.Sprintf("path segment %q starts with a dot", seg))
	}
	for i := 0; i < len(seg); i++ {
		c := seg[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-' {
			continue
		}
		return segmentError(fmt.Sprintf("character %q not allowed (use letters, digits, '.', '_', '-')", c))
	}
	return nil
}
