package datasource

import (
	"testing"

	"github.com/cairn-okr/cairn"
)

func mirrorOf(ids ...int) map[int]*cairn.MirrorItem {
	m := map[int]*cairn.MirrorItem{}
	for _, id := range ids {
		m[id] = &cairn.MirrorItem{ID: id, Rev: 1}
	}
	return m
}

// TestMirrorCacheBound: the cache holds at most its limit of items, dropping the least
// recently used connection first, never keeps a mirror larger than itself, and an entry
// answers for the version it was stored with.
func TestMirrorCacheBound(t *testing.T) {
	c := newMirrorCache(5)
	c.put(1, 3, mirrorOf(1, 2))
	c.put(2, 1, mirrorOf(3, 4))
	if e := c.get(1); e == nil || e.version != 3 || len(e.items) != 2 {
		t.Fatalf("connection 1: %+v", e)
	}
	// Connection 2 is now the least recently used: a third mirror drops it.
	c.put(3, 1, mirrorOf(5, 6))
	if c.get(2) != nil {
		t.Fatal("the least recently used connection was kept over the limit")
	}
	if c.get(1) == nil || c.get(3) == nil {
		t.Fatal("a recently used connection was dropped")
	}
	if n, items := c.stats(); n != 2 || items != 4 {
		t.Fatalf("stats = %d connections, %d items; want 2, 4", n, items)
	}
	c.put(4, 1, mirrorOf(1, 2, 3, 4, 5, 6))
	if c.get(4) != nil {
		t.Fatal("a mirror larger than the cache was kept")
	}
	// A new version replaces the old one and its size.
	c.put(1, 4, mirrorOf(7))
	if e := c.get(1); e == nil || e.version != 4 {
		t.Fatalf("connection 1 after a new version: %+v", e)
	}
	if _, items := c.stats(); items != 3 {
		t.Fatalf("items = %d after replacing a mirror, want 3", items)
	}
	c.drop(1)
	c.put(5, 0, mirrorOf(9))
	if c.get(1) != nil || c.get(5) != nil {
		t.Fatal("a dropped mirror, or one at version 0, is still held")
	}
	var none *mirrorCache
	none.put(1, 1, mirrorOf(1))
	if none.get(1) != nil {
		t.Fatal("a disabled cache holds a mirror")
	}
}
