package artifact

import (
	"strings"
	"unicode/utf8"

	"github.com/cargoman/cargoman/internal/composer/exclude"
)

const (
	maxPathLen    = 4096 // PATH_MAX on Linux
	maxSegmentLen = 255  // NAME_MAX on common file systems
)

// cleanName turns an entry name into the "a/b/c" form the registry uses, or
// says why the name is unsafe. Backslashes are treated as separators (some
// Windows tools write them), so `..\..\x` is caught like "../../x" and
// `pkg\src\A.php` becomes "pkg/src/A.php". Empty and "." segments are
// dropped. dir reports a trailing separator; name is "" for the root folder
// itself ("./").
func cleanName(raw string) (name string, dir bool, problem string) {
	if strings.IndexByte(raw, 0) >= 0 {
		return "", false, "contains a NUL byte"
	}
	for i := 0; i < len(raw); i++ {
		if raw[i] < 0x20 || raw[i] == 0x7f {
			return "", false, "contains control characters"
		}
	}
	if !utf8.ValidString(raw) {
		return "", false, "is not valid UTF-8"
	}
	if len(raw) > maxPathLen {
		return "", false, "is longer than 4096 bytes"
	}
	s := strings.ReplaceAll(raw, `\`, "/")
	if strings.HasPrefix(s, "/") {
		return "", false, "is an absolute path"
	}
	if len(s) >= 2 && s[1] == ':' && (s[0]|0x20 >= 'a' && s[0]|0x20 <= 'z') {
		return "", false, "starts with a drive letter"
	}
	dir = strings.HasSuffix(s, "/")
	var kept []string
	for _, seg := range strings.Split(s, "/") {
		switch {
		case seg == "" || seg == ".":
			continue
		case seg == "..":
			return "", false, `contains a ".." segment`
		case strings.Trim(seg, ". ") == "":
			// Windows strips trailing dots and spaces, so "..." or ".. "
			// may resolve to the parent folder.
			return "", false, "has a segment made only of dots and spaces"
		case len(seg) > maxSegmentLen:
			return "", false, "has a path segment longer than 255 bytes"
		}
		kept = append(kept, seg)
	}
	return strings.Join(kept, "/"), dir, ""
}

// isJunk reports what a dist must not carry: macOS resource-fork folders
// (__MACOSX/...), which Finder's "Compress" adds and Composer ignores, and
// version-control folders (.git/, .svn/, .hg/ ...; exclude.InVCSDir), whose
// hooks and config must not reach a consumer's vendor/ folder.
func isJunk(name string) bool {
	if exclude.InVCSDir(name) {
		return true
	}
	for _, seg := range strings.Split(name, "/") {
		if seg == "__MACOSX" {
			return true
		}
	}
	return false
}

// validPrefix checks Repack's folder name: one plain path segment.
func validPrefix(p string) string {
	switch {
	case p == "":
		return "is empty"
	case len(p) > 128:
		return "is longer than 128 bytes"
	case p == "." || p == ".." || strings.Trim(p, ".") == "":
		return "is made only of dots"
	}
	for i := 0; i < len(p); i++ {
		c := p[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("._+~-", c) >= 0) {
			return "may only contain letters, digits and . _ + ~ -"
		}
	}
	return ""
}
