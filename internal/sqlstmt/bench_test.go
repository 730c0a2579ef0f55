package sqlstmt

import (
	"testing"

	"github.com/ncruces/go-sqlite3"
)

// The layer's own cost on a cached statement: what Exec and Query add to
// SQLite's work. (Issue 15's handle inside callbacks will run through these.)
func benchConn(b *testing.B) Conn {
	conn, err := sqlite3.Open(":memory:")
	if err != nil {
		b.Fatal(err)
	}
	cache := mapCache{}
	b.Cleanup(func() { cache.closeAll(); conn.Close() })
	c := Conn{Conn: conn, Cache: cache}
	if err := c.Exec("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)"); err != nil {
		b.Fatal(err)
	}
	for i := range 100 {
		if err := c.Exec("INSERT INTO t VALUES (?, ?)", i, "value"); err != nil {
			b.Fatal(err)
		}
	}
	return c
}

func BenchmarkConnExecCached(b *testing.B) {
	c := benchConn(b)
	args := []any{"x", 7}
	b.ReportAllocs()
	for b.Loop() {
		if err := c.Exec("UPDATE t SET v = ? WHERE id = ?", args...); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkConnAllCached(b *testing.B) {
	c := benchConn(b)
	args := []any{7}
	b.ReportAllocs()
	for b.Loop() {
		if _, rows, err := c.All("SELECT id, v FROM t WHERE id = ?", args); err != nil || len(rows) != 1 {
			b.Fatal(err)
		}
	}
}
