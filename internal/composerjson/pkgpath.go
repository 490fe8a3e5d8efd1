package composerjson

import (
	"path"
	"strings"
)

// packagePath turns a path from composer.json into the form PathExists
// receives: cleaned, slash-separated, relative to the package root ("" for
// the root itself). ok is false for absolute paths and paths that climb out
// of the package, which no archive can satisfy.
func packagePath(p string) (clean string, ok bool) {
	if strings.HasPrefix(p, "/") || strings.HasPrefix(p, `\`) || hasDriveLetter(p) {
		return "", false
	}
	clean = path.Clean(p)
	if clean == ".." || strings.HasPrefix(clean, "../") {
		return "", false
	}
	if clean == "." {
		clean = ""
	}
	return clean, true
}

func hasDriveLetter(p string) bool {
	return len(p) >= 2 && p[1] == ':' && (p[0] >= 'a' && p[0] <= 'z' || p[0] >= 'A' && p[0] <= 'Z')
}

// isGlob reports whether Composer would expand p as a wildcard, in which case
// its existence cannot be checked by name.
func isGlob(p string) bool { return strings.ContainsAny(p, "*?[") }

// hasDotDotSegment is ValidatingArrayLoader's bin rule: a ".." segment (with
// / or \ separators) escapes the install directory (GHSA-gjfg-22fp-rrxx).
func hasDotDotSegment(p string) bool {
	for _, seg := range strings.FieldsFunc(p, func(r rune) bool { return r == '/' || r == '\\' }) {
		if seg == ".." {
			return true
		}
	}
	return false
}
