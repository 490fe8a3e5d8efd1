package composerjson

import (
	"maps"
	"slices"
	"strconv"
)

// sortedKeys gives map keys in a fixed order so messages and output are
// deterministic.
func sortedKeys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}

// indexField names a list item in Issue.Field, e.g. "authors.0".
func indexField(parent string, i int) string { return parent + "." + strconv.Itoa(i) }
