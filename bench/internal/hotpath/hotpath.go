// Package hotpath holds liteactor's hot-path benchmarks (Exec, Query, Write,
// Read) as plain functions of *testing.B, so that `go test -bench` (through
// bench/hotpath_test.go) and `go run ./bench` (through testing.Benchmark)
// run the very same code. Each engine is opened with DefaultConfig on a
// fresh file in b.TempDir() seeded with the benchmark's 100k-row table.
package hotpath

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/ncruces/go-sqlite3"

	"github.com/liteactor/liteactor"
	"github.com/liteactor/liteactor/bench/internal/target"
)

// Rows is the size of the seeded kv table the read benchmarks query.
const Rows = 100_000

// Bench is one named hot-path benchmark.
type Bench struct {
	Name string
	F    func(b *testing.B)
}

// All returns the hot-path benchmarks in report order. Exec2Args,
// QueryPoint and QueryRowScan carry issue 18's allocation goals (Exec2Args
// and QueryPoint issue 3's too).
func All() []Bench {
	return []Bench{
		{"Exec2Args", Exec2Args},
		{"QueryPoint", QueryPoint},
		{"QueryRowScan", QueryRowScan},
		{"Write", Write},
		{"Read", Read},
		{"Exec2ArgsParallel", Exec2ArgsParallel},
		{"QueryPointParallel", QueryPointParallel},
	}
}

// open seeds a fresh database and opens an engine on it, closed (and checked)
// when b ends.
func open(b *testing.B) *liteactor.Engine {
	b.Helper()
	path := filepath.Join(b.TempDir(), "hot.db")
	if err := target.Seed(path, target.SeedSpec{Rows: Rows}); err != nil {
		b.Fatal(err)
	}
	e, err := target.OpenEngine(context.Background(), target.Options{Path: path, Sync: "NORMAL", Readers: 4})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		if err := e.Close(context.Background()); err != nil {
			b.Error(err)
		}
	})
	return e
}

// Exec2Args: one caller, Exec of a single-row INSERT with two arguments
// (an int64 and a string), each acknowledged after its commit.
func Exec2Args(b *testing.B) {
	e := open(b)
	ctx := context.Background()
	v := target.Payload
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if _, err := e.Exec(ctx, target.SQLInsert, int64(i), v); err != nil {
			b.Fatal(err)
		}
	}
}

// QueryPoint: one caller, Query of one row by primary key.
func QueryPoint(b *testing.B) {
	e := open(b)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		id := int64(1 + (i*7919)%Rows)
		rows, err := e.Query(ctx, target.SQLGet, id)
		if err != nil {
			b.Fatal(err)
		}
		if len(rows.Values) != 1 || rows.Values[0][0] != target.KOf(id) {
			b.Fatalf("id %d: got %v", id, rows.Values)
		}
	}
}

// QueryRowScan: one caller, QueryRow of one row by primary key, scanned
// into an int64 and a string (the same row QueryPoint materialises). The
// destinations are declared per call, as a request handler would, so the
// caller's own costs count: boxing the id argument, the destinations
// escaping to the heap, the copy of the string.
func QueryRowScan(b *testing.B) {
	e := open(b)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		id := int64(1 + (i*7919)%Rows)
		var k int64
		var v string
		if err := e.QueryRow(ctx, target.SQLGet, id).Scan(&k, &v); err != nil {
			b.Fatal(err)
		}
		if k != target.KOf(id) || v != target.Payload {
			b.Fatalf("id %d: got %d %q", id, k, v)
		}
	}
}

// Write: one caller, a Write closure that prepares, binds and runs one
// INSERT.
func Write(b *testing.B) {
	e := open(b)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		k := int64(i)
		err := e.Write(ctx, func(c *sqlite3.Conn) error {
			s, _, err := c.Prepare(target.SQLInsert)
			if err != nil {
				return err
			}
			_ = s.BindInt64(1, k)
			_ = s.BindText(2, target.Payload)
			err = s.Exec()
			if cerr := s.Close(); err == nil {
				err = cerr
			}
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// Read: one caller, a Read closure that prepares and steps one point query.
func Read(b *testing.B) {
	e := open(b)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		id := int64(1 + (i*7919)%Rows)
		var k int64
		err := e.Read(ctx, func(c *sqlite3.Conn) error {
			s, _, err := c.Prepare(target.SQLGet)
			if err != nil {
				return err
			}
			_ = s.BindInt64(1, id)
			if s.Step() {
				k = s.ColumnInt64(0)
			}
			if cerr := s.Close(); err == nil {
				err = cerr
			}
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
		if k != target.KOf(id) {
			b.Fatalf("id %d: got k %d", id, k)
		}
	}
}

// Exec2ArgsParallel: Exec2Args from GOMAXPROCS*32 goroutines (group commit).
func Exec2ArgsParallel(b *testing.B) {
	e := open(b)
	ctx := context.Background()
	v := target.Payload
	b.ReportAllocs()
	b.SetParallelism(32)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		var k int64
		for pb.Next() {
			k++
			if _, err := e.Exec(ctx, target.SQLInsert, k, v); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// QueryPointParallel: QueryPoint from GOMAXPROCS*32 goroutines.
func QueryPointParallel(b *testing.B) {
	e := open(b)
	ctx := context.Background()
	b.ReportAllocs()
	b.SetParallelism(32)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			i++
			id := int64(1 + (i*7919)%Rows)
			if _, err := e.Query(ctx, target.SQLGet, id); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
