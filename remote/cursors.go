package remote

import (
	"crypto/rand"
	"encoding/hex"
	"sync"
	"sync/atomic"
	"time"

	pb "github.com/liteactor/liteactor/remote/remotepb"
)

// cursors holds the pages of query results that did not fit one reply,
// until the client fetches them, the cursor sits idle longer than ttl, or
// the server closes. Their memory is bounded by max bytes across all
// cursors (and the pages being built): a query that would exceed it fails
// with ErrOverloaded.
type cursors struct {
	mu    sync.Mutex
	m     map[string]*cursor
	held  atomic.Int64 // bytes reserved by cursors and queries being paged
	max   int64
	ttl   time.Duration
	clock func() time.Time
}

type cursor struct {
	columns   []string
	pages     [][]*pb.Row
	sizes     []int64
	truncated bool
	used      time.Time
}

func newCursors(max int64, ttl time.Duration) *cursors {
	return &cursors{m: make(map[string]*cursor), max: max, ttl: ttl, clock: time.Now}
}

// reserve accounts n more bytes, or reports false when that would exceed
// the limit.
func (c *cursors) reserve(n int64) bool {
	for {
		h := c.held.Load()
		if h+n > c.max {
			return false
		}
		if c.held.CompareAndSwap(h, h+n) {
			return true
		}
	}
}

func (c *cursors) release(n int64) { c.held.Add(-n) }

// open stores a result's pages after the first (which the caller sends)
// and returns the cursor's id. The bytes of every page are already
// reserved; page 0's are released here.
func (c *cursors) open(columns []string, pages [][]*pb.Row, sizes []int64, truncated bool) string {
	var b [16]byte
	rand.Read(b[:])
	id := hex.EncodeToString(b[:])
	c.release(sizes[0])
	pages[0], sizes[0] = nil, 0
	c.mu.Lock()
	c.m[id] = &cursor{columns: columns, pages: pages, sizes: sizes, truncated: truncated, used: c.clock()}
	c.mu.Unlock()
	return id
}

// page returns page n of cursor id and releases the pages before it;
// serving the last page closes the cursor.
func (c *cursors) page(id string, n int) (reply *pb.QueryReply, found bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	cur := c.m[id]
	if cur == nil || n < 1 || n >= len(cur.pages) || cur.pages[n] == nil {
		return nil, cur != nil
	}
	for i := 0; i < n; i++ {
		c.release(cur.sizes[i])
		cur.pages[i], cur.sizes[i] = nil, 0
	}
	reply = &pb.QueryReply{Columns: cur.columns, Rows: cur.pages[n], Page: uint32(n), Pages: uint32(len(cur.pages)), Truncated: cur.truncated}
	if n == len(cur.pages)-1 {
		c.release(cur.sizes[n])
		delete(c.m, id)
	} else {
		reply.Cursor = id
		cur.used = c.clock()
	}
	return reply, true
}

// close releases cursor id.
func (c *cursors) close(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.drop(id)
}

func (c *cursors) drop(id string) {
	cur := c.m[id]
	if cur == nil {
		return
	}
	for _, s := range cur.sizes {
		c.release(s)
	}
	delete(c.m, id)
}

// sweep releases cursors idle longer than the TTL, or all of them.
func (c *cursors) sweep(all bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	cutoff := c.clock().Add(-c.ttl)
	for id, cur := range c.m {
		if all || cur.used.Before(cutoff) {
			c.drop(id)
		}
	}
}

func (c *cursors) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.m)
}
