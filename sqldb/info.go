package sqldb

import (
	"sync"

	"github.com/ncruces/go-sqlite3"
)

// infoCacheSize bounds what the bridge remembers about statements.
const infoCacheSize = 1024

// stmtInfo is what the bridge needs to know about one statement's text
// before it runs it: whether it writes (sqlite3_stmt_readonly) and its
// parameters, to turn named arguments into positions.
type stmtInfo struct {
	writes bool
	// params are the parameter names by index - 1, with their prefix
	// (":id", "@id", "$id"); "" for an anonymous "?" or "?NNN".
	params []string
	named  bool // some parameter has a name
}

// infoOf reads the info of a prepared statement.
func infoOf(s *sqlite3.Stmt) *stmtInfo {
	in := &stmtInfo{writes: !s.ReadOnly()}
	if n := s.BindCount(); n > 0 {
		in.params = make([]string, n)
		for i := range in.params {
			in.params[i] = s.BindName(i + 1)
			if in.params[i] != "" {
				in.named = true
			}
		}
	}
	return in
}

// infoCache maps statement text to its stmtInfo. It is bounded: when full
// it starts over (the info is cheap to learn again; a working set larger
// than the cache only costs a reader round trip per miss).
type infoCache struct {
	mu  sync.RWMutex
	max int
	m   map[string]*stmtInfo
}

func newInfoCache(max int) *infoCache {
	return &infoCache{max: max, m: make(map[string]*stmtInfo)}
}

func (c *infoCache) get(sql string) *stmtInfo {
	c.mu.RLock()
	in := c.m[sql]
	c.mu.RUnlock()
	return in
}

func (c *infoCache) put(sql string, in *stmtInfo) {
	c.mu.Lock()
	if len(c.m) >= c.max {
		clear(c.m)
	}
	c.m[sql] = in
	c.mu.Unlock()
}
