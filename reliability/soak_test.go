package reliability_test

import (
	"bufio"
	"cmp"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/liteactor/liteactor"
	"github.com/ncruces/go-sqlite3"
)

// memSample is the process's memory at one point of the soak.
type memSample struct {
	ops      int64
	heap     uint64 // Go heap in use after a GC
	rss      uint64 // resident set: includes SQLite's heaps, outside Go's
	restarts uint64
}

func sampleMemory(b *testing.B, ops int64, e *liteactor.Engine) memSample {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	st := e.Stats()
	return memSample{ops: ops, heap: ms.HeapInuse, rss: rss(b), restarts: st.Restarts.Writer + st.Restarts.Reader}
}

func rss(b *testing.B) uint64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			if err != nil {
				b.Fatal(err)
			}
			return kb << 10
		}
	}
	b.Fatal("no VmRSS in /proc/self/status")
	return 0
}

// BenchmarkSoakMixedOps runs b.N mixed operations from 8 goroutines (point
// queries, Read callbacks, inserts and updates through Exec, two-row Write
// callbacks, and now and then a panicking callback that replaces a
// connection) on a table kept at a bounded size, and fails if memory is not
// flat: between the sample after the first 20% of the run and the end, the Go
// heap may grow by at most 16 MiB and the resident set by at most 64 MiB.
// It reports both growths. The long run is
//
//	go test -run '^$' -bench SoakMixedOps -benchtime 1000000x ./reliability/
func BenchmarkSoakMixedOps(b *testing.B) {
	ctx := context.Background()
	cfg := liteactor.DefaultConfig()
	e, err := liteactor.Open(ctx, filepath.Join(b.TempDir(), "soak.db"), cfg)
	if err != nil {
		b.Fatal(err)
	}
	defer closeEngine(b, e)
	mustExec(b, e, "CREATE TABLE kv (k INTEGER PRIMARY KEY, v TEXT, n INTEGER)")
	const keys = 10000
	var next atomic.Int64
	total := int64(b.N)
	var samples []memSample
	var smu sync.Mutex
	marks := map[int64]bool{total / 5: true, total / 2: true}
	b.ResetTimer()
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for {
				i := next.Add(1)
				if i > total {
					return
				}
				if marks[i] {
					s := sampleMemory(b, i, e)
					smu.Lock()
					samples = append(samples, s)
					smu.Unlock()
				}
				k := i % keys
				var err error
				switch {
				case i%20000 == 7:
					err = e.Write(ctx, func(*sqlite3.Conn) error { panic("soak") })
					if err != nil && !strings.Contains(err.Error(), "soak") {
						b.Errorf("panicking write: %v", err)
					}
					err = nil
				case i%20000 == 13:
					err = e.Read(ctx, func(*sqlite3.Conn) error { panic("soak") })
					err = nil
				case i%10 < 4:
					_, err = e.Query(ctx, "SELECT v, n FROM kv WHERE k = ?", k)
				case i%10 == 4:
					err = e.Read(ctx, func(c *sqlite3.Conn) error {
						s, _, err := c.Prepare("SELECT count(*), sum(n) FROM kv WHERE k BETWEEN ? AND ?")
						if err != nil {
							return err
						}
						defer s.Close()
						s.BindInt64(1, k)
						s.BindInt64(2, k+100)
						for s.Step() {
						}
						return s.Err()
					})
				case i%10 < 7:
					_, err = e.Exec(ctx, "INSERT OR REPLACE INTO kv VALUES (?, ?, ?)", k, fmt.Sprintf("value %d", i), i)
				case i%10 < 9:
					_, err = e.Exec(ctx, "UPDATE kv SET n = n + 1 WHERE k = ?", k)
				default:
					err = e.Write(ctx, func(c *sqlite3.Conn) error {
						if err := c.Exec(fmt.Sprintf("INSERT OR REPLACE INTO kv VALUES (%d, 'w', 0)", k)); err != nil {
							return err
						}
						return c.Exec(fmt.Sprintf("INSERT OR REPLACE INTO kv VALUES (%d, 'w', 1)", (k+1)%keys))
					})
				}
				if err != nil {
					b.Errorf("op %d: %v", i, err)
					return
				}
			}
		})
	}
	wg.Wait()
	b.StopTimer()
	end := sampleMemory(b, total, e)
	samples = append(samples, end)
	slices.SortFunc(samples, func(a, b memSample) int { return cmp.Compare(a.ops, b.ops) })
	if b.N < 10000 {
		return // too short for the growth figures to mean anything
	}
	first := samples[0]
	for _, s := range samples {
		b.Logf("after %d ops: Go heap %.1f MiB, RSS %.1f MiB, connection restarts %d", s.ops, mib(s.heap), mib(s.rss), s.restarts)
	}
	heapGrowth := int64(end.heap) - int64(first.heap)
	rssGrowth := int64(end.rss) - int64(first.rss)
	b.ReportMetric(float64(heapGrowth)/(1<<20), "heap-growth-MiB")
	b.ReportMetric(float64(rssGrowth)/(1<<20), "rss-growth-MiB")
	if heapGrowth > 16<<20 {
		b.Errorf("Go heap grew %.1f MiB between op %d and op %d", float64(heapGrowth)/(1<<20), first.ops, end.ops)
	}
	if rssGrowth > 64<<20 {
		b.Errorf("resident set grew %.1f MiB between op %d and op %d", float64(rssGrowth)/(1<<20), first.ops, end.ops)
	}
}

func mib(n uint64) float64 { return float64(n) / (1 << 20) }
