package actors

import "github.com/ncruces/go-sqlite3"

// stmtCache is a per-connection LRU of prepared statements keyed by SQL text.
// Evicted statements are finalized at once; closeAll finalizes the rest before
// the connection closes. With max <= 0 nothing is reused, but the cache still
// owns the last statement handed out and finalizes it when the next one is
// put (callers never Close cached statements). It is the sqlstmt.Cache the
// connection's statement helpers draw from.
type stmtCache struct {
	max        int
	m          map[string]*stmtEntry
	head, tail *stmtEntry    // most recently used at head
	last       *sqlite3.Stmt // max <= 0: the statement in use
}

type stmtEntry struct {
	sql        string
	stmt       *sqlite3.Stmt
	prev, next *stmtEntry
}

func newStmtCache(max int) *stmtCache {
	return &stmtCache{max: max, m: make(map[string]*stmtEntry)}
}

func (c *stmtCache) Get(sql string) *sqlite3.Stmt {
	e := c.m[sql]
	if e == nil {
		return nil
	}
	if e != c.head {
		c.unlink(e)
		c.pushFront(e)
	}
	return e.stmt
}

func (c *stmtCache) Put(sql string, s *sqlite3.Stmt) {
	if c.max <= 0 {
		if c.last != nil {
			c.last.Close()
		}
		c.last = s
		return
	}
	e := &stmtEntry{sql: sql, stmt: s}
	c.m[sql] = e
	c.pushFront(e)
	for len(c.m) > c.max {
		old := c.tail
		c.unlink(old)
		delete(c.m, old.sql)
		old.stmt.Close()
	}
}

func (c *stmtCache) closeAll() {
	for e := c.head; e != nil; e = e.next {
		e.stmt.Close()
	}
	if c.last != nil {
		c.last.Close()
		c.last = nil
	}
	c.m = make(map[string]*stmtEntry)
	c.head, c.tail = nil, nil
}

func (c *stmtCache) pushFront(e *stmtEntry) {
	e.prev, e.next = nil, c.head
	if c.head != nil {
		c.head.prev = e
	}
	c.head = e
	if c.tail == nil {
		c.tail = e
	}
}

func (c *stmtCache) unlink(e *stmtEntry) {
	if e.prev != nil {
		e.prev.next = e.next
	} else {
		c.head = e.next
	}
	if e.next != nil {
		e.next.prev = e.prev
	} else {
		c.tail = e.prev
	}
	e.prev, e.next = nil, nil
}
