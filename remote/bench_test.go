package remote

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/liteactor/liteactor"
	"github.com/liteactor/liteactor/remote/devcert"
)

// Benchmarks compare remote Exec and Query (client -> gateway over
// protoactor remote with mutual TLS on 127.0.0.1 -> engine) with the same
// calls in process, from 1, 16 and 64 goroutines. Each reports ops/s and
// the p99 latency of one call. The server and the client share this process
// (two protoactor remotes: do not run these with -race, see child_test.go).
//
//	go test -run '^$' -bench . -count 5 ./
func BenchmarkExec(b *testing.B) {
	benchCalls(b, func(ctx context.Context, e caller, i int) error {
		_, err := e.exec(ctx, "INSERT INTO t(v) VALUES (?)", i)
		return err
	})
}

func BenchmarkQuery(b *testing.B) {
	benchCalls(b, func(ctx context.Context, e caller, i int) error {
		rows, err := e.query(ctx, "SELECT v FROM t WHERE id = ?", 1+i%10000)
		if err == nil && len(rows.Values) != 1 {
			err = fmt.Errorf("%d rows", len(rows.Values))
		}
		return err
	})
}

type caller struct {
	exec  func(context.Context, string, ...any) (liteactor.Result, error)
	query func(context.Context, string, ...any) (*liteactor.Rows, error)
}

func benchCalls(b *testing.B, op func(context.Context, caller, int) error) {
	ctx := context.Background()
	eng, err := liteactor.Open(ctx, filepath.Join(b.TempDir(), "bench.db"), liteactor.DefaultConfig())
	if err != nil {
		b.Fatal(err)
	}
	defer eng.Close(ctx)
	if _, err := eng.Exec(ctx, "CREATE TABLE t(id INTEGER PRIMARY KEY, v INTEGER)"); err != nil {
		b.Fatal(err)
	}
	if _, err := eng.Exec(ctx, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i < 10000) INSERT INTO t SELECT i, i FROM n"); err != nil {
		b.Fatal(err)
	}
	ca, err := devcert.NewCA("bench", time.Hour)
	if err != nil {
		b.Fatal(err)
	}
	tc, err := ca.TLS("node", "127.0.0.1")
	if err != nil {
		b.Fatal(err)
	}
	s, err := Serve(ctx, eng, ServerConfig{TLS: tc})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close(ctx)
	c, err := Dial(ctx, s.Addr(), ClientConfig{TLS: tc, ListenAddr: "127.0.0.1:0"})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close(ctx)
	for _, side := range []struct {
		name string
		c    caller
	}{
		{"inproc", caller{eng.Exec, eng.Query}},
		{"remote", caller{c.Exec, c.Query}},
	} {
		for _, g := range []int{1, 16, 64} {
			b.Run(fmt.Sprintf("%s/g=%d", side.name, g), func(b *testing.B) {
				runParallel(b, g, func(i int) error { return op(ctx, side.c, i) })
			})
		}
	}
}

// runParallel runs b.N calls of op from g goroutines and reports ops/s and
// the p99 latency.
func runParallel(b *testing.B, g int, op func(int) error) {
	lat := make([][]time.Duration, g)
	var wg sync.WaitGroup
	var failed error
	var mu sync.Mutex
	b.ResetTimer()
	start := time.Now()
	for w := range g {
		n := b.N / g
		if w < b.N%g {
			n++
		}
		wg.Go(func() {
			l := make([]time.Duration, 0, n)
			for range n {
				t0 := time.Now()
				if err := op(rand.IntN(1 << 30)); err != nil {
					mu.Lock()
					failed = err
					mu.Unlock()
					return
				}
				l = append(l, time.Since(t0))
			}
			lat[w] = l
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	if failed != nil {
		b.Fatal(failed)
	}
	all := slices.Concat(lat...)
	slices.Sort(all)
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "ops/s")
	if len(all) > 0 {
		b.ReportMetric(float64(all[len(all)*99/100].Microseconds()), "p99-µs")
	}
}
