package artifact

import (
	"errors"
	"fmt"
	"strings"
)

// Rejection kinds, for errors.Is. The wrapping error says which entry and
// which limit; its whole message is meant for the uploader.
var (
	// ErrNotZip: not a zip archive, or its central directory is unreadable.
	ErrNotZip = errors.New("not a valid zip archive")
	// ErrArchiveTooLarge: the archive is over Options.MaxArchiveSize.
	ErrArchiveTooLarge = errors.New("archive too large")
	// ErrTooManyFiles: more entries than Options.MaxFiles.
	ErrTooManyFiles = errors.New("archive has too many entries")
	// ErrFileTooLarge: an entry is over Options.MaxFileSize uncompressed.
	ErrFileTooLarge = errors.New("file in archive too large")
	// ErrUncompressedTooLarge: the entries add up to more than
	// Options.MaxTotalUncompressed.
	ErrUncompressedTooLarge = errors.New("archive too large when uncompressed")
	// ErrZipBomb: an entry inflates beyond its declared size, compresses
	// better than Options.MaxCompressionRatio, or shares its data with
	// another entry.
	ErrZipBomb = errors.New("archive looks like a zip bomb")
	// ErrCorrupt: an entry's data cannot be read (bad checksum, truncated,
	// invalid deflate stream).
	ErrCorrupt = errors.New("archive is corrupt")
	// ErrUnsupportedEntry: an encrypted entry, a compression method other
	// than stored or deflate, a device, pipe or socket, or a directory entry
	// with content.
	ErrUnsupportedEntry = errors.New("unsupported entry in archive")
	// ErrUnsafePath: an entry path that could escape the extraction folder
	// or is otherwise unusable (absolute, "..", drive letter, NUL or control
	// bytes, invalid UTF-8, too long).
	ErrUnsafePath = errors.New("unsafe path in archive")
	// ErrSymlink: a symbolic link entry. Composer would extract it, and it
	// could point anywhere on the installing machine.
	ErrSymlink = errors.New("symbolic link in archive")
	// ErrDuplicateEntry: the same file twice (after path normalisation), or
	// a path that is both a file and a folder.
	ErrDuplicateEntry = errors.New("duplicate entry in archive")
	// ErrNoComposerJSON: no composer.json at the root or in the single
	// top-level folder (also for an empty archive).
	ErrNoComposerJSON = errors.New("composer.json not found in archive")
	// ErrInvalidComposerJSON: composer.json does not parse, or has no valid
	// "name"; the message carries composerjson's explanation.
	ErrInvalidComposerJSON = errors.New("invalid composer.json")
	// ErrInvalidPrefix: Repack was given an unusable folder name.
	ErrInvalidPrefix = errors.New("invalid dist folder name")
	// ErrNoVersion: neither an explicit version nor composer.json "version".
	ErrNoVersion = errors.New("version missing")
	// ErrInvalidVersion: the version is not one Composer accepts.
	ErrInvalidVersion = errors.New("invalid version")
	// ErrDevVersion: a dev version (branch) came from composer.json rather
	// than from the uploader.
	ErrDevVersion = errors.New("dev version not allowed")
)

// IsInvalid reports whether err rejects the upload itself (any of the Err*
// sentinels), as opposed to an I/O failure: the API layer maps the former to
// VALIDATION_ERROR with err's message, the latter to INTERNAL_ERROR.
func IsInvalid(err error) bool {
	for _, kind := range []error{
		ErrNotZip, ErrArchiveTooLarge, ErrTooManyFiles, ErrFileTooLarge, ErrUncompressedTooLarge,
		ErrZipBomb, ErrCorrupt, ErrUnsupportedEntry, ErrUnsafePath, ErrSymlink, ErrDuplicateEntry,
		ErrNoComposerJSON, ErrInvalidComposerJSON, ErrInvalidPrefix, ErrNoVersion, ErrInvalidVersion,
		ErrDevVersion,
	} {
		if errors.Is(err, kind) {
			return true
		}
	}
	return false
}

// entryError wraps kind with the (quoted, shortened) entry name and a reason.
func entryError(kind error, name, format string, args ...any) error {
	return fmt.Errorf("%w: %s %s", kind, quote(name), fmt.Sprintf(format, args...))
}

// quote prints an uploaded name safely: Go-quoted (so control bytes show as
// escapes) and cut to a readable length.
func quote(name string) string {
	const max = 120
	if len(name) > max {
		cut := max
		for cut > 0 && !isRuneStart(name[cut]) {
			cut--
		}
		return fmt.Sprintf("%q...", name[:cut])
	}
	return fmt.Sprintf("%q", name)
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }

// humanSize formats a byte count for messages ("32 MiB", "1.5 KiB", "12 bytes").
func humanSize(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d bytes", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit && exp < 4; m /= unit {
		div *= unit
		exp++
	}
	s := fmt.Sprintf("%.1f", float64(n)/float64(div))
	s = strings.TrimSuffix(s, ".0")
	return s + " " + []string{"KiB", "MiB", "GiB", "TiB", "PiB"}[exp]
}
