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
