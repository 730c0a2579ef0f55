package liteactor_test

import (
	"context"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/liteactor/liteactor"
	"github.com/ncruces/go-sqlite3"
)

func hotPathEngine(b *testing.B) *liteactor.Engine {
	e, _ := open(b, liteactor.DefaultConfig())
	mustExec(b, e, "CREATE TABLE t(id INTEGER PRIMARY KEY, a INTEGER, b TEXT)")
	mustExec(b, e, "INSERT INTO t(id, a, b) SELECT value, value, 'row' FROM generate_series(1, 1000)")
	return e
}

// BenchmarkExec is one caller's acknowledged insert with two arguments.
func BenchmarkExec(b *testing.B) {
	e := hotPathEngine(b)
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
	e := hotPathEngine(b)
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
	e := hotPathEngine(b)
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
	e := hotPathEngine(b)
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
	e := hotPathEngine(b)
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
	e := hotPathEngine(b)
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

// BenchmarkExec64 is W1's engine side: acknowledged single-row inserts from
// 64 callers, under synchronous NORMAL and FULL (issue 18's profile).
func BenchmarkExec64(b *testing.B) {
	for _, m := range []struct {
		name string
		sync liteactor.Synchronous
	}{{"NORMAL", liteactor.SyncNormal}, {"FULL", liteactor.SyncFull}} {
		b.Run(m.name, func(b *testing.B) {
			cfg := liteactor.DefaultConfig()
			cfg.Synchronous = m.sync
			e, _ := open(b, cfg)
			mustExec(b, e, "CREATE TABLE t(id INTEGER PRIMARY KEY, a INTEGER, b TEXT)")
			ctx := context.Background()
			b.ReportAllocs()
			b.SetParallelism((64 + runtime.GOMAXPROCS(0) - 1) / runtime.GOMAXPROCS(0))
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, err := e.Exec(ctx, "INSERT INTO t(a, b) VALUES (?, ?)", 7, "x"); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "rows/s")
			b.ReportMetric(e.Stats().MeanBatchSize, "writes/batch")
		})
	}
}

// BenchmarkRawTx64 is BenchmarkExec64's ceiling: one raw connection
// committing 64 single-row inserts per transaction (what 64 callers could at
// best share), under synchronous NORMAL and FULL.
func BenchmarkRawTx64(b *testing.B) {
	for _, sync := range []string{"NORMAL", "FULL"} {
		b.Run(sync, func(b *testing.B) {
			c, err := sqlite3.Open(filepath.Join(b.TempDir(), "raw.db"))
			if err != nil {
				b.Fatal(err)
			}
			defer c.Close()
			for _, sql := range []string{"PRAGMA journal_mode=WAL", "PRAGMA synchronous=" + sync,
				"CREATE TABLE t(id INTEGER PRIMARY KEY, a INTEGER, b TEXT)"} {
				if err := c.Exec(sql); err != nil {
					b.Fatal(err)
				}
			}
			ins, _, err := c.Prepare("INSERT INTO t(a, b) VALUES (?, ?)")
			if err != nil {
				b.Fatal(err)
			}
			defer ins.Close()
			b.ResetTimer()
			for n := 0; n < b.N; {
				if err := c.Exec("BEGIN IMMEDIATE"); err != nil {
					b.Fatal(err)
				}
				for i := 0; i < 64 && n < b.N; i, n = i+1, n+1 {
					ins.BindInt(1, 7)
					ins.BindText(2, "x")
					if err := ins.Exec(); err != nil {
						b.Fatal(err)
					}
				}
				if err := c.Exec("COMMIT"); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}

// BenchmarkExec64Mixed is BenchmarkExec64 (NORMAL) with every tenth call a
// Write callback: while one runs, the other callers' re-entrance check
// (actors.Reentry) parses their goroutine's id.
func BenchmarkExec64Mixed(b *testing.B) {
	cfg := liteactor.DefaultConfig()
	cfg.Synchronous = liteactor.SyncNormal
	e, _ := open(b, cfg)
	mustExec(b, e, "CREATE TABLE t(id INTEGER PRIMARY KEY, a INTEGER, b TEXT)")
	ctx := context.Background()
	write := func(c *sqlite3.Conn) error { return c.Exec("INSERT INTO t(a, b) VALUES (8, 'y')") }
	b.ReportAllocs()
	b.SetParallelism((64 + runtime.GOMAXPROCS(0) - 1) / runtime.GOMAXPROCS(0))
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for i := 0; pb.Next(); i++ {
			var err error
			if i%10 == 9 {
				err = e.Write(ctx, write)
			} else {
				_, err = e.Exec(ctx, "INSERT INTO t(a, b) VALUES (?, ?)", 7, "x")
			}
			if err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(e.Stats().MeanBatchSize, "writes/batch")
}
