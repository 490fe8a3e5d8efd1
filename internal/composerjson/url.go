package composerjson

import (
	"net/url"
	"slices"
	"strings"
)

// validURL mirrors ValidatingArrayLoader::filterUrl: the empty string is
// accepted, otherwise there must be a host and one of the given schemes
// (compared as written, like PHP's strict in_array).
func validURL(s string, schemes ...string) bool {
	if s == "" {
		return true
	}
	scheme, _, found := strings.Cut(s, ":")
	if !found || !slices.Contains(schemes, scheme) {
		return false
	}
	u, err := url.Parse(s)
	return err == nil && u.Host != "" && u.Hostname() != ""
}
