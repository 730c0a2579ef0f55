package reliability_test

import (
	"context"
	"errors"

	"strings"
	"testing"
	"time"

	"github.com/liteactor/liteactor"
	"github.com/ncruces/go-sqlite3"
)

// fuzzEngine opens the in-memory engine a fuzz target drives, with a schema
// to aim at. SQLite's length limits are lowered on every connection so an
// input cannot ask for a gigabyte blob; the memdb VFS keeps any file an
// input names (ATTACH, VACUUM INTO) in memory.
func fuzzEngine(f *testing.F) *liteactor.Engine {
	cfg := testConfig(2)
	cfg.ReadTimeout = 30 * time.Second
	cfg.InitHook = func(c *sqlite3.Conn) error {
		c.Limit(sqlite3.LIMIT_LENGTH, 1<<20)
		c.Limit(sqlite3.LIMIT_SQL_LENGTH, 1<<20)
		return nil
	}
	e, err := liteactor.Open(context.Background(), ":memory:", cfg)
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { closeEngine(f, e) })
	for _, s := range []string{
		"CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT UNIQUE, score REAL, data BLOB)",
		"CREATE TABLE u (a, b, c, CHECK (a IS NOT 13))",
		"CREATE TABLE fuzz_sentinel (n INTEGER)",
		"INSERT INTO t (name, score, data) VALUES ('a', 1.5, x'00ff'), ('b', NULL, NULL)",
	} {
		if _, err := e.Exec(context.Background(), s); err != nil {
			f.Fatalf("%s: %v", s, err)
		}
	}
	return e
}

type unsupported struct{}

// fuzzArgs builds up to 5 arguments from the fuzzed values; shape picks the
// count and the type of each, including types Exec and Query must refuse.
func fuzzArgs(shape uint32, i int64, fl float64, s string, b []byte) (args []any, bad bool) {
	n := int(shape % 6)
	shape /= 6
	for range n {
		var a any
		switch shape % 10 {
		case 0:
			a = i
		case 1:
			a = fl
		case 2:
			a = s
		case 3:
			a = b
		case 4:
			a = nil
		case 5:
			a = i%2 == 0
		case 6:
			a = time.Unix(i%(1<<40), 0).UTC()
		case 7:
			a = uint64(i) // above MaxInt64 when i < 0: refused
			bad = bad || i < 0
		case 8:
			a = int8(i)
		case 9:
			a = unsupported{}
			bad = true
		}
		shape /= 10
		args = append(args, a)
	}
	return args, bad
}

func addFuzzSeeds(f *testing.F) {
	for _, sql := range []string{
		"SELECT 1",
		"SELECT * FROM t WHERE id = ?",
		"INSERT INTO t (name, score, data) VALUES (?, ?, ?)",
		"INSERT INTO u VALUES (?, ?, ?)",
		"UPDATE t SET score = score * ? WHERE name = ?",
		"DELETE FROM u WHERE a = ?",
		"INSERT INTO u VALUES (13, 0, 0)",
		"BEGIN",
		"COMMIT",
		"ROLLBACK",
		"SAVEPOINT s",
		"RELEASE liteactor_write",
		"BEGIN; INSERT INTO u VALUES (1, 2, 3); COMMIT",
		"INSERT INTO u VALUES (1, 2, 3); INSERT INTO u VALUES (13, 2, 3)",
		"INSERT OR ROLLBACK INTO t (id, name) VALUES (1, 'dup')",
		"CREATE TABLE IF NOT EXISTS v (x); DROP TABLE v",
		"SELECT ?, ?, ?, ?, ?",
		"SELECT typeof(?), length(?)",
		"WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c",
		"SELECT randomblob(2000000)",
		"VACUUM",
		"ATTACH 'other' AS o",
		"SELECT * FROM t; SELECT * FROM u",
		"",
		"   -- comment only",
		"SELECT",
		"\x00",
		// The hostile catalogue (issue 13): each must be refused or
		// harmless, never change the connection for later callers.
		"RELEASE LITEACTOR_WRITE",
		"ROLLBACK TO \"LiteActor_Write\"",
		"INSERT INTO u VALUES (1, 2, 3)\x00; INSERT INTO u VALUES (4, 5, 6)",
		"SELECT 1\x00 garbage",
		"INSERT OR ROLLBACK INTO t (id, name) VALUES (1, 'dup'); INSERT INTO u VALUES (2, 2, 2)",
		"PRAGMA query_only=1",
		"PRAGMA query_only=0",
		"PRAGMA locking_mode=EXCLUSIVE",
		"PRAGMA ignore_check_constraints=1",
		"PRAGMA writable_schema=ON",
		"PRAGMA journal_mode=DELETE",
		"PRAGMA synchronous=OFF",
		"PRAGMA foreign_keys=OFF",
		"PRAGMA wal_autocheckpoint=0",
		"PRAGMA wal_checkpoint(RESTART)",
		"PRAGMA wal_checkpoint",
		"PRAGMA main.cache_size=1",
		"PRAGMA schema_version=1",
		"PRAGMA table_info(t)",
		"PRAGMA user_version",
		"VACUUM INTO ':memory:'",
		"DETACH main",
		"INSERT INTO t (name) VALUES ('r') RETURNING id",
		"SELECT * FROM t, t AS t2, t AS t3",
	} {
		f.Add(sql, int64(7), 2.5, "x", []byte{1, 2}, uint32(0))
		f.Add(sql, int64(-1), -0.0, "", []byte(nil), uint32(1+6*(2+10*3)))
		f.Add(sql, int64(13), 1e300, "'; DROP TABLE t; --", []byte{}, uint32(3+6*(9+10*7)))
	}
}

// stateful reports whether sql may change connection state that the
// known-good check depends on (PRAGMAs, the schema of the sentinel table):
// for those inputs only liveness is checked, not read-your-writes.
func stateful(sql string) bool {
	l := strings.ToLower(sql)
	return strings.Contains(l, "pragma") || strings.Contains(l, "fuzz_sentinel")
}

// checkUsable proves the engine still serves after an input: a no-op Write
// and a constant Query answer; unless the input may have changed state the
// check depends on, a write is visible to the next query
// (read-your-writes: no reader is stuck in an old snapshot).
func checkUsable(t *testing.T, e *liteactor.Engine, sql string, n *int64) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := e.Write(ctx, func(*sqlite3.Conn) error { return nil }); err != nil {
		t.Fatalf("after %q: a no-op Write fails: %v", sql, err)
	}
	rows, err := e.Query(ctx, "SELECT 1")
	if err != nil || len(rows.Values) != 1 || rows.Values[0][0] != int64(1) {
		t.Fatalf("after %q: SELECT 1 gives %v, %v", sql, rows, err)
	}
	if stateful(sql) {
		return
	}
	*n++
	if _, err := e.Exec(ctx, "INSERT INTO fuzz_sentinel VALUES (?)", *n); err != nil {
		t.Fatalf("after %q: sentinel insert: %v", sql, err)
	}
	// Several readers: ask each of them (reads go to idle readers).
	for range 4 {
		rows, err := e.Query(ctx, "SELECT max(n) FROM fuzz_sentinel")
		if err != nil {
			t.Fatalf("after %q: sentinel query: %v", sql, err)
		}
		if got := rows.Values[0][0]; got != *n {
			t.Fatalf("after %q: sentinel reads %v, want %d: a reader does not see a write that returned", sql, got, *n)
		}
	}
}

func checkRows(t *testing.T, sql string, rows *liteactor.Rows) {
	t.Helper()
	for _, r := range rows.Values {
		if len(r) != len(rows.Columns) {
			t.Fatalf("%q: row of %d values for %d columns", sql, len(r), len(rows.Columns))
		}
		for _, v := range r {
			switch v.(type) {
			case int64, float64, string, []byte, nil:
			default:
				t.Fatalf("%q: value of type %T", sql, v)
			}
		}
	}
}

// FuzzExec runs arbitrary SQL with arbitrary arguments through Exec. No
// panic may escape, arguments of unsupported types are refused with
// ErrInvalidArg and never bound, and the engine stays usable after every
// input.
func FuzzExec(f *testing.F) {
	addFuzzSeeds(f)
	e := fuzzEngine(f)
	var n int64
	f.Fuzz(func(t *testing.T, sql string, i int64, fl float64, s string, b []byte, shape uint32) {
		args, bad := fuzzArgs(shape, i, fl, s, b)
		ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
		_, err := e.Exec(ctx, sql, args...)
		cancel()
		if bad && err == nil {
			t.Fatalf("Exec(%q, %v) accepted an unsupported argument", sql, args)
		}
		if err != nil && errors.Is(err, liteactor.ErrClosed) {
			t.Fatalf("Exec(%q): %v", sql, err)
		}
		checkUsable(t, e, sql, &n)
	})
}

// FuzzQuery runs arbitrary SQL with arbitrary arguments through Query on the
// readers. No panic may escape, values come back as the documented types,
// and the engine stays usable after every input, readers included.
func FuzzQuery(f *testing.F) {
	addFuzzSeeds(f)
	e := fuzzEngine(f)
	var n int64
	f.Fuzz(func(t *testing.T, sql string, i int64, fl float64, s string, b []byte, shape uint32) {
		args, bad := fuzzArgs(shape, i, fl, s, b)
		ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
		rows, err := e.Query(ctx, sql, args...)
		cancel()
		if bad && err == nil {
			t.Fatalf("Query(%q, %v) accepted an unsupported argument", sql, args)
		}
		if errors.Is(err, liteactor.ErrClosed) {
			t.Fatalf("Query(%q): %v", sql, err)
		}
		if err == nil {
			checkRows(t, sql, rows)
		}
		checkUsable(t, e, sql, &n)
	})
}
