// Package artifact reads an uploaded zip that becomes a package version (an
// "artifact" package) and rewrites it into the dist archive Cargoman serves.
//
// Uploads are untrusted, so Inspect checks everything before anything is
// stored or extracted: the archive's size and entry count; every entry's path
// (no absolute paths, "..", drive letters, NUL or control bytes, Windows
// separators are normalised first), type (regular files and directories only)
// and compression (stored or deflated, not encrypted); declared sizes, and
// then the actual decompressed bytes and CRC of every entry, so a zip bomb is
// stopped after at most the declared size; and overlapping entries (the
// "better zip bomb"). It then finds composer.json where Composer's artifact
// repository looks for it (composer/composer src/Composer/Util/Zip.php,
// locateFile): at the archive root, otherwise in the single top-level folder.
//
// Every rejection wraps one of the exported Err* sentinels, whose messages
// are written for the uploader (the API returns them as VALIDATION_ERROR; see
// IsInvalid). Any other error is an I/O failure of the caller's reader or
// writer.
//
// Repack writes the accepted content as a deterministic zip with exactly one
// top-level folder, as Composer dists must have.
package artifact
