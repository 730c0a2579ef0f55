package liteactor_test

import (
	"context"
	"testing"

	"github.com/liteactor/liteactor"
	"github.com/ncruces/go-sqlite3"
)

func benchEngine(b *testing.B) *liteactor.Engine {
	e, _ := open(b, liteactor.DefaultConfig())
	mustExec(b, e, "CREATE TABLE t(id INTEGER PRIMARY KEY, a INTEGER, b TEXT)")
	mustExec(b, e, "INSERT INTO t(id, a, b) SELECT value, value, 'row' FROM generate_series(1, 1000)")
	return e
}

// BenchmarkExec is one caller's acknowledged insert with two arguments.
func BenchmarkExec(b *testing.B) {
	e := benchEngine(b)
	ctx := context.Background()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, err := e.Exec(ctx, "INSERT INTO t(a, b) VALUES (?, ?)", i, "x"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkExecParallel is acknowledged inserts from GOMAXPROCS*16 callers.
func BenchmarkExecParallel(b *testing.B) {
	e := benchEngine(b)
	ctx := context.Background()
	b.ReportAllocs()
	b.SetParallelism(16)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := e.Exec(ctx, "INSERT INTO t(a, b) VALUES (?, ?)", 7, "x"); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(e.Stats().MeanBatchSize, "writes/batch")
}

// BenchmarkQuery is a point query by primary key.
func BenchmarkQuery(b *testing.B) {
	e := benchEngine(b)
	ctx := context.Background()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, err := e.Query(ctx, "SELECT a, b FROM t WHERE id = ?", i%1000+1); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkQueryParallel is point queries from GOMAXPROCS*16 callers.
func BenchmarkQueryParallel(b *testing.B) {
	e := benchEngine(b)
	ctx := context.Background()
	b.ReportAllocs()
	b.SetParallelism(16)
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			i++
			if _, err := e.Query(ctx, "SELECT a, b FROM t WHERE id = ?", i%1000+1); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkWrite is an empty-ish Write closure (savepoint cost included).
func BenchmarkWrite(b *testing.B) {
	e := benchEngine(b)
	ctx := context.Background()
	fn := func(c *sqlite3.Conn) error { return c.Exec("UPDATE t SET a = a + 1 WHERE id = 1") }
	b.ReportAllocs()
	for b.Loop() {
		if err := e.Write(ctx, fn); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRead is a Read closure with one prepared statement.
func BenchmarkRead(b *testing.B) {
	e := benchEngine(b)
	ctx := context.Background()
	fn := func(c *sqlite3.Conn) error {
		s, _, err := c.Prepare("SELECT a FROM t WHERE id = 1")
		if err != nil {
			return err
		}
		defer s.Close()
		s.Step()
		return s.Err()
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := e.Read(ctx, fn); err != nil {
			b.Fatal(err)
		}
	}
}
