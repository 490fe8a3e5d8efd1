package graph

import (
	"context"

	"github.com/cargoman/cargoman/ent"
	"github.com/cargoman/cargoman/internal/apperr"
)

// pageArgs are the arguments of every connection field.
type pageArgs struct {
	after, before *ent.Cursor
	first, last   *int
	offset        *int
}

// paginatedQuery is what ent generates for every Relay-paginated entity.
type paginatedQuery[C any, O any] interface {
	Paginate(ctx context.Context, after *ent.Cursor, first *int, before *ent.Cursor, last *int, opts ...O) (C, error)
	CursorAt(ctx context.Context, offset int, opts ...O) (*ent.Cursor, error)
}

// paginate runs a connection query; pageLimit has already bounded first
// and last (and filled first when neither was asked). Besides Relay's cursors it accepts an
// offset (for page-numbered clients), turned into the equivalent "after"
// cursor so both kinds of client see the same order and totalCount.
func paginate[C any, O any](ctx context.Context, q paginatedQuery[C, O], a pageArgs, opts ...O) (C, error) {
	var zero C
	if a.offset != nil {
		switch {
		case a.after != nil || a.before != nil || a.last != nil:
			return zero, apperr.Invalid("offset", "offset cannot be combined with after, before or last")
		case *a.offset < 0:
			return zero, apperr.Invalid("offset", "offset must not be negative")
		case *a.offset > 0:
			cursor, err := q.CursorAt(ctx, *a.offset, opts...)
			if err != nil {
				return zero, err
			}
			if cursor == nil {
				// Past the end: an empty page that still reports totalCount.
				none := 0
				return q.Paginate(ctx, nil, &none, nil, nil, opts...)
			}
			a.after = cursor
		}
	}
	return q.Paginate(ctx, a.after, a.first, a.before, a.last, opts...)
}

// pageOf pages a list already in its order, for lists sorted in Go
// (versions in Composer's order), with the same arguments and rules as
// paginate. The cursor of an item is its id.
func pageOf[T any](items []T, id func(T) string, a pageArgs) ([]T, ent.PageInfo, error) {
	var info ent.PageInfo
	if a.offset != nil && (a.after != nil || a.before != nil || a.last != nil) {
		return nil, info, apperr.Invalid("offset", "offset cannot be combined with after, before or last")
	}
	if a.offset != nil && *a.offset < 0 {
		return nil, info, apperr.Invalid("offset", "offset must not be negative")
	}
	index := func(name string, c *ent.Cursor) (int, error) {
		for i, it := range items {
			if id(it) == c.ID {
				return i, nil
			}
		}
		return 0, apperr.Invalid(name, "%s is not a cursor of this list", name)
	}
	start, end := 0, len(items)
	if a.after != nil {
		i, err := index("after", a.after)
		if err != nil {
			return nil, info, err
		}
		start = i + 1
	}
	if a.before != nil {
		i, err := index("before", a.before)
		if err != nil {
			return nil, info, err
		}
		end = i
	}
	if a.offset != nil {
		start += *a.offset
	}
	start = min(start, len(items))
	end = max(end, start)
	info.HasPreviousPage = start > 0
	info.HasNextPage = end < len(items)
	page := items[start:end]
	if a.first != nil && len(page) > *a.first {
		page, info.HasNextPage = page[:*a.first], true
	}
	if a.last != nil && len(page) > *a.last {
		page, info.HasPreviousPage = page[len(page)-*a.last:], true
	}
	if len(page) > 0 {
		info.StartCursor = &ent.Cursor{ID: id(page[0])}
		info.EndCursor = &ent.Cursor{ID: id(page[len(page)-1])}
	}
	return page, info, nil
}
