// Package patch holds the field type of partial updates (PATCH bodies and
// GraphQL update inputs), shared by every service that takes one, so "sent
// as null" and "not sent" mean the same everywhere.
package patch

// Optional is a field of a partial update: Set says it was sent; a nil
// Value then clears it.
type Optional[T any] struct {
	Set   bool
	Value *T
}

// Of returns a field that was sent when set is true.
func Of[T any](set bool, v *T) Optional[T] {
	return Optional[T]{Set: set, Value: v}
}
