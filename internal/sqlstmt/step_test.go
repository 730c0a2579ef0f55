package sqlstmt

import (
	"context"
	"errors"
	"testing"

	"github.com/ncruces/go-sqlite3"
)

// mapCache is the smallest Cache: it keeps every statement until closeAll.
type mapCache map[string]*sqlite3.Stmt

func (m mapCache) Get(sql string) *sqlite3.Stmt    { return m[sql] }
func (m mapCache) Put(sql string, s *sqlite3.Stmt) { m[sql] = s }
func (m mapCache) closeAll() {
	for _, s := range m {
		s.Close()
	}
}

// interruptAt sets conn's interrupt ctx and registers cancel_at(x, n),
// which returns x and cancels that ctx when x == n: the scan is interrupted
// at a row the test picks, with no timing involved.
func interruptAt(t *testing.T, conn *sqlite3.Conn) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	conn.SetInterrupt(ctx)
	err := conn.CreateFunction("cancel_at", 2, 0, func(c sqlite3.Context, arg ...sqlite3.Value) {
		if arg[0].Int64() == arg[1].Int64() {
			cancel()
		}
		c.ResultInt64(arg[0].Int64())
	})
	if err != nil {
		t.Fatal(err)
	}
}

const series = `WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 5000)
	SELECT cancel_at(x, ?) FROM n`

// Every row-returning helper, cached or not, reports an interrupted scan
// (sqlite3.INTERRUPT) and never part of the rows with a nil error.
func TestInterruptedScanIsAnError(t *testing.T) {
	for _, cached := range []bool{false, true} {
		for _, at := range []int64{1, 2, 77, 4999} {
			run := map[string]func(Conn) (int, error){
				"All": func(c Conn) (int, error) {
					_, rows, err := c.All(series, []any{at})
					return len(rows), err
				},
				"Query": func(c Conn) (int, error) {
					n := 0
					err := c.Query(series, []any{at}, func(*sqlite3.Stmt) error { n++; return nil })
					return n, err
				},
			}
			for name, f := range run {
				conn := open(t)
				interruptAt(t, conn)
				c := Conn{Conn: conn}
				var cache mapCache
				if cached {
					cache = mapCache{}
					c.Cache = cache
				}
				n, err := f(c)
				if !errors.Is(err, sqlite3.INTERRUPT) {
					t.Errorf("%s (cached %v) cancelled at row %d: %d rows, err %v; want INTERRUPT", name, cached, at, n, err)
				}
				if name == "All" && n != 0 {
					t.Errorf("All returned %d rows with its error", n)
				}
				if cached {
					for _, s := range cache {
						if s.Busy() {
							t.Errorf("%s left the cached statement in progress", name)
						}
					}
					cache.closeAll()
				}
			}
		}
	}
}

func TestCachedStatementsAreReusedAndReleased(t *testing.T) {
	conn := open(t)
	cache := mapCache{}
	defer cache.closeAll()
	c := Conn{Conn: conn, Cache: cache}
	if err := c.Exec("CREATE TABLE t (a, b)"); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if err := c.Exec("INSERT INTO t VALUES (?, ?)", i, "x"); err != nil {
			t.Fatal(err)
		}
	}
	ins := cache["INSERT INTO t VALUES (?, ?)"]
	if len(cache) != 2 || ins == nil {
		t.Fatalf("cache holds %d statements", len(cache))
	}
	if ins.BindCount() != 2 || ins.Busy() {
		t.Fatal("cached INSERT left busy")
	}
	cols, rows, err := c.All("SELECT a, b FROM t WHERE a >= ? ORDER BY a", []any{1})
	if err != nil || len(cols) != 2 || cols[1] != "b" || len(rows) != 2 || rows[0][0] != int64(1) || rows[1][1] != "x" {
		t.Fatalf("All = %v %v %v", cols, rows, err)
	}
	ok, err := c.Exists("SELECT 1 FROM t WHERE a = ?", 2)
	if err != nil || !ok {
		t.Fatalf("Exists(2) = %v, %v", ok, err)
	}
	ok, err = c.Exists("SELECT 1 FROM t WHERE a = ?", 9)
	if err != nil || ok {
		t.Fatalf("Exists(9) = %v, %v", ok, err)
	}
	// A failed bind leaves nothing bound and the statement reusable.
	if err := c.Exec("INSERT INTO t VALUES (?, ?)", 1, struct{}{}); !errors.Is(err, ErrInvalidArg) {
		t.Fatalf("bad argument: %v", err)
	}
	if err := c.Exec("INSERT INTO t VALUES (?, ?)", 4, nil); err != nil {
		t.Fatal(err)
	}
	// A row callback's error stops the scan and comes back as is.
	stop := errors.New("stop")
	n := 0
	err = c.Query("SELECT a FROM t", nil, func(*sqlite3.Stmt) error { n++; return stop })
	if err != stop || n != 1 {
		t.Fatalf("Query stopped: %d rows, %v", n, err)
	}
	for sql, s := range cache {
		if s.Busy() {
			t.Errorf("%q left in progress", sql)
		}
	}
	// Several statements are refused before anything runs, and not cached.
	if err := c.Exec("DELETE FROM t; DROP TABLE t"); !errors.Is(err, ErrMultiStatement) {
		t.Fatalf("two statements: %v", err)
	}
	if ok, err := Exists(conn, "SELECT 1 FROM t"); err != nil || !ok {
		t.Fatalf("the table after a refused script: %v, %v", ok, err)
	}
}

func TestUncachedHelpersFinalizeTheirStatements(t *testing.T) {
	conn := open(t)
	if err := Exec(conn, "CREATE TABLE t (a)"); err != nil {
		t.Fatal(err)
	}
	if err := Exec(conn, "INSERT INTO t VALUES (?)", []byte("b")); err != nil {
		t.Fatal(err)
	}
	var got any
	if err := Query(conn, "SELECT a FROM t", nil, func(s *sqlite3.Stmt) error { got = Value(s, 0); return nil }); err != nil {
		t.Fatal(err)
	}
	if b, ok := got.([]byte); !ok || string(b) != "b" {
		t.Fatalf("got %#v", got)
	}
	_ = Exec(conn, "SELECT ?", struct{}{})
	_ = Query(conn, "SELECT a FROM t", nil, func(*sqlite3.Stmt) error { return errors.New("x") })
	for s := range conn.Stmts() {
		t.Errorf("statement left unfinalized: %s", s.SQL())
	}
}

// TestAppendAllCountsOnlyWhatItAppends: rows already in dst are kept and
// do not count against max; no rows leaves dst as it was.
func TestAppendAllCountsOnlyWhatItAppends(t *testing.T) {
	c := Conn{Conn: open(t)}
	prior := [][]any{{int64(0)}}
	cols, rows, err := c.AppendAll(prior, "SELECT value FROM generate_series(1, 2)", nil, 2)
	if err != nil || len(cols) != 1 || len(rows) != 3 || rows[0][0] != int64(0) || rows[2][0] != int64(2) {
		t.Fatalf("AppendAll within max: %v %v %v", cols, rows, err)
	}
	if _, _, err := c.AppendAll(prior, "SELECT value FROM generate_series(1, 3)", nil, 2); !errors.Is(err, ErrTooManyRows) {
		t.Fatalf("AppendAll past max: %v, want ErrTooManyRows", err)
	}
	_, rows, err = c.AppendAll(prior[:0], "SELECT 1 WHERE 0", nil, 0)
	if err != nil || rows == nil || len(rows) != 0 {
		t.Fatalf("AppendAll of no rows: %v %v, want dst back", rows, err)
	}
}
