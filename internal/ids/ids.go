// Package ids makes the opaque, prefixed identifiers Cargoman shows in both
// APIs (cus_..., tok_..., pkg_...). The prefix tells a reader, and node(id:),
// what kind of object an id names; the rest is a time-ordered UUIDv7 so that
// ordering by id is ordering by creation, which keeps keyset pagination stable.
package ids

import (
	"encoding/hex"
	"strings"

	"github.com/google/uuid"
)

// Prefixes of every entity that has an id. One place, so that node(id:) can
// map a prefix back to its type and no two types ever share one.
const (
	Tenant     = "ten"
	AdminToken = "adt"
	Customer   = "cus"
	Setting    = "set"
	Package    = "pkg"
	Version    = "ver"
	SkippedRef = "srf"
	Credential = "crd"
	Task       = "tsk"
	Delivery   = "whd"
	KnownHost  = "khk"
	// Customer access (tokens, grants, collections, freezes).
	CustomerToken   = "tok"
	PackageGrant    = "pgr"
	Collection      = "col"
	CollectionGrant = "cgr"
	CustomerFreeze  = "frz"
	// Internal bookkeeping, never shown.
	CacheStamp = "cst"
	// Download statistics (one counter row per version, customer and day).
	DownloadStat = "dst"
)

// New returns a fresh id with the given prefix, e.g. "cus_0193a1...".
func New(prefix string) string {
	u := uuid.Must(uuid.NewV7())
	var buf [32]byte
	hex.Encode(buf[:], u[:])
	return prefix + "_" + string(buf[:])
}

// Generator returns a function that makes ids with prefix; ent schemas use it
// as a field default.
func Generator(prefix string) func() string {
	return func() string { return New(prefix) }
}

// Prefix returns the prefix of id ("cus" for "cus_0193..."), or "" when id
// has none.
func Prefix(id string) string {
	p, _, ok := strings.Cut(id, "_")
	if !ok {
		return ""
	}
	return p
}
