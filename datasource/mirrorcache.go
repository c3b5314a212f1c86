package datasource

import (
	"container/list"
	"sync"

	"github.com/cairn-okr/cairn"
)

// mirrorCache keeps the mirrors of recently synced connections in memory, so that a sync
// of a large connection, as a service hook starts after one change, reads neither the
// revisions nor the items of the mirror again. An entry is good for one mirror version
// of its connection: a sync on another replica that changes the mirror moves the version
// in the database, and the next sync here reads the mirror from there. The cache holds
// at most limit items, dropping the least recently used connections first.
type mirrorCache struct {
	mu    sync.Mutex
	limit int
	size  int
	order *list.List // of *mirrorEntry, most recently used first
	byID  map[int64]*list.Element
}

// mirrorEntry is one connection's mirror at one version. Its items are never changed
// after it is stored: a sync builds a new entry.
type mirrorEntry struct {
	connection int64
	version    int64
	items      map[int]*cairn.MirrorItem
}

// defaultMirrorCacheItems bounds the cached items of all connections: about 100 MB.
const defaultMirrorCacheItems = 200_000

func newMirrorCache(limit int) *mirrorCache {
	return &mirrorCache{limit: limit, order: list.New(), byID: map[int64]*list.Element{}}
}

// get returns the connection's cached mirror, or nil.
func (c *mirrorCache) get(connection int64) *mirrorEntry {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	el := c.byID[connection]
	if el == nil {
		return nil
	}
	c.order.MoveToFront(el)
	return el.Value.(*mirrorEntry)
}

// put stores the connection's mirror at version; a mirror larger than the whole cache is
// not kept.
func (c *mirrorCache) put(connection, version int64, items map[int]*cairn.MirrorItem) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.dropLocked(connection)
	if version == 0 || len(items) > c.limit {
		return
	}
	c.byID[connection] = c.order.PushFront(&mirrorEntry{connection: connection, version: version, items: items})
	c.size += len(items)
	for c.size > c.limit {
		c.dropLocked(c.order.Back().Value.(*mirrorEntry).connection)
	}
}

// drop forgets the connection's mirror.
func (c *mirrorCache) drop(connection int64) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.dropLocked(connection)
}

func (c *mirrorCache) dropLocked(connection int64) {
	el := c.byID[connection]
	if el == nil {
		return
	}
	c.size -= len(el.Value.(*mirrorEntry).items)
	c.order.Remove(el)
	delete(c.byID, connection)
}

// stats returns how many connections and items the cache holds.
func (c *mirrorCache) stats() (connections, items int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.byID), c.size
}
