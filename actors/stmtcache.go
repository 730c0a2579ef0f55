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
	// retired holds statements pushed out while a scan was still walking
	// them (a Tx row callback running other statements): finalized once
	// they are no longer busy, at a later Put, or by closeAll.
	retired []*sqlite3.Stmt
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
	c.sweep()
	if c.max <= 0 {
		if c.last != nil {
			c.retire(c.last)
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
		c.retire(old.stmt)
	}
}

// retire finalizes s, or keeps it for later if a scan is still walking it.
func (c *stmtCache) retire(s *sqlite3.Stmt) {
	if s.Busy() {
		c.retired = append(c.retired, s)
		return
	}
	s.Close()
}

// sweep finalizes the retired statements whose scans have ended.
func (c *stmtCache) sweep() {
	keep := c.retired[:0]
	for _, s := range c.retired {
		if s.Busy() {
			keep = append(keep, s)
		} else {
			s.Close()
		}
	}
	clear(c.retired[len(keep):])
	c.retired = keep
}

func (c *stmtCache) closeAll() {
	for e := c.head; e != nil; e = e.next {
		e.stmt.Close()
	}
	if c.last != nil {
		c.last.Close()
		c.last = nil
	}
	for _, s := range c.retired {
		s.Close()
	}
	c.retired = nil
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
