package graph

import (
	"strings"
	"testing"

	"github.com/cargoman/cargoman/ent"
)

func TestPageOf(t *testing.T) {
	items := []string{"a", "b", "c", "d", "e"}
	n := func(v int) *int { return &v }
	c := func(id string) *ent.Cursor { return &ent.Cursor{ID: id} }
	for _, tc := range []struct {
		name             string
		args             pageArgs
		want             string
		hasPrev, hasNext bool
		err              bool
	}{
		{name: "first", args: pageArgs{first: n(2)}, want: "ab", hasNext: true},
		{name: "after", args: pageArgs{after: c("b"), first: n(2)}, want: "cd", hasPrev: true, hasNext: true},
		{name: "before and last", args: pageArgs{before: c("d"), last: n(2)}, want: "bc", hasPrev: true, hasNext: true},
		{name: "offset", args: pageArgs{offset: n(4), first: n(2)}, want: "e", hasPrev: true},
		{name: "past the end", args: pageArgs{offset: n(9), first: n(2)}, want: "", hasPrev: true},
		{name: "everything", args: pageArgs{first: n(5)}, want: "abcde"},
		{name: "unknown cursor", args: pageArgs{after: c("z")}, err: true},
		{name: "offset with after", args: pageArgs{offset: n(1), after: c("a")}, err: true},
		{name: "negative offset", args: pageArgs{offset: n(-1)}, err: true},
	} {
		page, info, err := pageOf(items, func(s string) string { return s }, tc.args)
		if (err != nil) != tc.err {
			t.Errorf("%s: err = %v", tc.name, err)
			continue
		}
		if tc.err {
			continue
		}
		if got := strings.Join(page, ""); got != tc.want || info.HasPreviousPage != tc.hasPrev || info.HasNextPage != tc.hasNext {
			t.Errorf("%s: %q prev %v next %v; want %q %v %v", tc.name, got, info.HasPreviousPage, info.HasNextPage, tc.want, tc.hasPrev, tc.hasNext)
		}
		if len(page) > 0 && (info.StartCursor.ID != page[0] || info.EndCursor.ID != page[len(page)-1]) {
			t.Errorf("%s: cursors %v %v", tc.name, info.StartCursor, info.EndCursor)
		}
	}
}
