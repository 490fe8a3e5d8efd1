package composerrepo

import (
	lru "github.com/hashicorp/golang-lru/v2"
	"golang.org/x/sync/singleflight"
)

// stampCache is a bounded cache of values computed under a stamp (a
// tenant's cache stamp, or a package's metadata time): an entry serves
// only while the stamp it was computed under is the one asked for, and
// concurrent misses of one computation run it once.
type stampCache[K comparable, V any] struct {
	entries *lru.Cache[K, stamped[V]]
	flight  singleflight.Group
}

type stamped[V any] struct {
	value V
	stamp int64
}

func newStampCache[K comparable, V any](size int) *stampCache[K, V] {
	entries, err := lru.New[K, stamped[V]](size)
	if err != nil {
		panic(err) // only for size <= 0; the sizes are constants
	}
	return &stampCache[K, V]{entries: entries}
}

// get returns key's value when it was computed under stamp.
func (c *stampCache[K, V]) get(key K, stamp int64) (V, bool) {
	if e, ok := c.entries.Get(key); ok && e.stamp == stamp {
		return e.value, true
	}
	var zero V
	return zero, false
}

// peek returns key's value and the stamp it was computed under, for
// callers that learn the current stamp from the value.
func (c *stampCache[K, V]) peek(key K) (V, int64, bool) {
	e, ok := c.entries.Get(key)
	return e.value, e.stamp, ok
}

func (c *stampCache[K, V]) add(key K, value V, stamp int64) {
	c.entries.Add(key, stamped[V]{value: value, stamp: stamp})
}

// load runs compute once for concurrent callers of the same flight (a
// name of key and stamp) and stores its value under key when compute says
// to keep it: only while the stamp it read is still current. compute must
// not depend on the first caller's cancellation, since the others wait
// for it: callers pass context.WithoutCancel.
func (c *stampCache[K, V]) load(key K, flight string, compute func() (value V, stamp int64, keep bool, err error)) (V, error) {
	out, err, _ := c.flight.Do(flight, func() (any, error) {
		v, stamp, keep, err := compute()
		if err != nil {
			return nil, err
		}
		if keep {
			c.add(key, v, stamp)
		}
		return v, nil
	})
	if err != nil {
		var zero V
		return zero, err
	}
	return out.(V), nil
}
