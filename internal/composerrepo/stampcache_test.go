package composerrepo

import (
	"errors"
	"testing"
)

func TestStampCache(t *testing.T) {
	t.Run("serves only under its stamp", func(t *testing.T) {
		c := newStampCache[string, int](4)
		c.add("k", 1, 7)
		if v, ok := c.get("k", 7); !ok || v != 1 {
			t.Errorf("get under its stamp: %d %v", v, ok)
		}
		if _, ok := c.get("k", 8); ok {
			t.Error("get under a newer stamp served the old value")
		}
	})
	for _, tc := range []struct {
		name   string
		keep   bool
		err    error
		stored bool
	}{
		{"kept while current", true, nil, true},
		{"not kept once stale", false, nil, false},
		{"errors are not kept", true, errors.New("db down"), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newStampCache[string, int](4)
			v, err := c.load("k", "k@3", func() (int, int64, bool, error) { return 5, 3, tc.keep, tc.err })
			if !errors.Is(err, tc.err) || (err == nil && v != 5) {
				t.Fatalf("load: %d, %v", v, err)
			}
			if _, ok := c.get("k", 3); ok != tc.stored {
				t.Errorf("stored %v, want %v", ok, tc.stored)
			}
		})
	}
}
