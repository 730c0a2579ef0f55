package workload

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"

	"github.com/liteactor/liteactor/bench/internal/target"
)

// Config says how long to measure and where to put the database files.
type Config struct {
	Duration time.Duration // measured time per point
	Warmup   time.Duration // unmeasured time before it, same callers
	Dir      string        // fresh temp directory for this run's database files
}

// TypeStats are the figures of one operation type (W4 reports reads and
// writes apart).
type TypeStats struct {
	Ops        int64       `json:"ops"`
	Throughput float64     `json:"throughput"`
	Latency    Percentiles `json:"latency"`
}

// Result is one measured point: one workload, one target, one caller count.
type Result struct {
	Workload    string               `json:"workload"`
	Target      string               `json:"target"`
	TargetLabel string               `json:"target_label"`
	Callers     int                  `json:"callers"`
	Readers     int                  `json:"readers"`
	Sync        string               `json:"sync"`
	Ops         int64                `json:"ops"`  // successful operations
	Rows        int64                `json:"rows"` // rows written or read by them
	Seconds     float64              `json:"seconds"`
	Throughput  float64              `json:"throughput"` // successful operations per second
	Unit        string               `json:"unit"`
	RowsPerSec  float64              `json:"rows_per_sec"`
	Latency     Percentiles          `json:"latency"` // every attempt, failed ones included
	ByType      map[string]TypeStats `json:"by_type,omitempty"`
	WriteShare  float64              `json:"write_share"` // writes / successful operations
	Errors      map[string]int64     `json:"errors,omitempty"`
	Busy        int64                `json:"busy_errors"`
	AllocsPerOp float64              `json:"allocs_per_op"` // whole process, harness included
	BytesPerOp  float64              `json:"bytes_per_op"`
	Failed      string               `json:"failed,omitempty"` // set when the point could not run
	// Engine holds how much the target's own counters grew during the
	// measured span (liteactor's Stats), plus write_batch_mean
	// (writes_completed / write_batches).
	Engine map[string]float64 `json:"engine,omitempty"`
	// Rounds holds the throughput of every round of this point, when the
	// point was run several times (see Median).
	Rounds []float64 `json:"rounds,omitempty"`
	// RoundsBusy holds the SQLITE_BUSY count of every round, in the same
	// order as Rounds.
	RoundsBusy []int64 `json:"rounds_busy,omitempty"`
}

// Median returns the round whose throughput is the median of rs (the lower
// middle one for an even count; failed rounds sort lowest), with the
// throughput and SQLITE_BUSY count of every round in Rounds and
// RoundsBusy. rs must not be empty.
func Median(rs []Result) Result {
	sorted := slices.Clone(rs)
	slices.SortStableFunc(sorted, func(a, b Result) int {
		return cmp.Compare(a.Throughput, b.Throughput)
	})
	m := sorted[(len(sorted)-1)/2]
	if len(rs) > 1 {
		m.Rounds, m.RoundsBusy = nil, nil
		for _, r := range rs {
			m.Rounds = append(m.Rounds, r.Throughput)
			m.RoundsBusy = append(m.RoundsBusy, r.Busy)
		}
	}
	return m
}

// Run seeds a fresh database, opens kind on it and measures spec at callers
// concurrent callers. A setup failure is reported in Result.Failed rather
// than as an error so one broken target does not stop the whole run.
func Run(ctx context.Context, spec Spec, kind target.Kind, callers int, cfg Config) Result {
	res := Result{Workload: spec.ID, Target: kind.ID, TargetLabel: kind.Label, Callers: callers,
		Readers: spec.Readers, Sync: spec.Sync, Unit: spec.Unit}
	path := filepath.Join(cfg.Dir, fmt.Sprintf("%s-%s-%d.db", spec.ID, kind.ID, callers))
	defer removeDB(path)
	if err := target.Seed(path, spec.Seed); err != nil {
		res.Failed = err.Error()
		return res
	}
	t, err := kind.Open(ctx, target.Options{Path: path, Sync: spec.Sync, Readers: spec.Readers, TruncateBytes: spec.TruncateBytes,
		WALInterval: spec.WALInterval})
	if err != nil {
		res.Failed = "open: " + err.Error()
		return res
	}
	var m loopStats
	var before map[string]float64
	counter, counts := t.(target.Counter)
	if spec.BulkRows > 0 {
		if counts {
			before = counter.Counters()
		}
		m = bulk(ctx, t, spec.BulkRows, kind)
	} else {
		if cfg.Warmup > 0 {
			loop(ctx, t, spec.opOf, callers, cfg.Warmup, kind)
		}
		if counts {
			before = counter.Counters()
		}
		m = loop(ctx, t, spec.opOf, callers, cfg.Duration, kind)
	}
	if counts {
		res.Engine = map[string]float64{}
		for k, v := range counter.Counters() {
			res.Engine[k] = v - before[k]
		}
		if b := res.Engine["write_batches"]; b > 0 {
			res.Engine["write_batch_mean"] = res.Engine["writes_completed"] / b
		}
	}
	if err := t.Close(); err != nil {
		m.errs["close: "+kind.ClassifyErr(err)]++
	}
	m.fill(&res, spec)
	return res
}

// loopStats are the merged figures of one measured loop.
type loopStats struct {
	elapsed        time.Duration
	ops            map[string]int64
	hist           map[string]*hdrhistogram.Histogram
	errs           map[string]int64
	mallocs, bytes uint64
}

func newLoopStats() loopStats {
	return loopStats{ops: map[string]int64{}, hist: map[string]*hdrhistogram.Histogram{}, errs: map[string]int64{}}
}

func (m *loopStats) merge(o *loopStats) {
	for k, v := range o.ops {
		m.ops[k] += v
	}
	for k, h := range o.hist {
		if m.hist[k] == nil {
			m.hist[k] = newHist()
		}
		m.hist[k].Merge(h)
	}
	for k, v := range o.errs {
		m.errs[k] += v
	}
}

func (m *loopStats) fill(res *Result, spec Spec) {
	res.Seconds = m.elapsed.Seconds()
	all := newHist()
	for _, h := range m.hist {
		all.Merge(h)
	}
	res.Latency = percentiles(all)
	res.ByType = map[string]TypeStats{}
	for typ, n := range m.ops {
		res.Ops += n
		res.ByType[typ] = TypeStats{Ops: n, Throughput: float64(n) / res.Seconds, Latency: percentiles(m.hist[typ])}
	}
	if spec.BulkRows > 0 {
		// W6 records one latency per chunk; its operations are rows.
		res.Ops = int64(spec.BulkRows)
		if len(m.errs) > 0 {
			res.Ops = 0
		}
		res.ByType = nil
	}
	res.Rows = res.Ops * int64(spec.RowsPerOp)
	if res.Seconds > 0 {
		res.Throughput = float64(res.Ops) / res.Seconds
		res.RowsPerSec = float64(res.Rows) / res.Seconds
	}
	if res.Ops > 0 {
		res.WriteShare = float64(m.ops[TypeWrite]) / float64(res.Ops)
		res.AllocsPerOp = float64(m.mallocs) / float64(res.Ops)
		res.BytesPerOp = float64(m.bytes) / float64(res.Ops)
	}
	if spec.BulkRows > 0 {
		res.WriteShare = 1
	}
	if len(m.errs) > 0 {
		res.Errors = m.errs
	}
	res.Busy = m.errs[target.KindBusy]
}

// loop runs opOf(i) from caller goroutines i = 0..callers-1 until d has
// passed; each caller finishes the operation it is in. Elapsed time runs
// until the last caller is done. Allocation counts cover exactly that span.
func loop(ctx context.Context, t target.Target, opOf func(int) Op, callers int, d time.Duration, kind target.Kind) loopStats {
	per := make([]loopStats, callers)
	for i := range per {
		per[i] = newLoopStats()
		for _, typ := range []string{TypeRead, TypeWrite, TypeReport} {
			per[i].hist[typ] = newHist()
		}
	}
	var stop atomic.Bool
	var start, wg sync.WaitGroup
	start.Add(1)
	for i := range callers {
		wg.Add(1)
		go func(s *loopStats, op Op, seed uint64) {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
			var n [3]int64 // read, write, report
			start.Wait()
			for !stop.Load() && ctx.Err() == nil {
				t0 := time.Now()
				typ, err := op(ctx, t, rng)
				lat := time.Since(t0).Nanoseconds()
				_ = s.hist[typ].RecordValue(lat)
				if err != nil {
					s.errs[classify(kind, err)]++
					continue
				}
				switch typ {
				case TypeWrite:
					n[1]++
				case TypeReport:
					n[2]++
				default:
					n[0]++
				}
			}
			s.ops[TypeRead], s.ops[TypeWrite], s.ops[TypeReport] = n[0], n[1], n[2]
		}(&per[i], opOf(i), uint64(i)+1)
	}
	runtime.GC()
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	t0 := time.Now()
	timer := time.AfterFunc(d, func() { stop.Store(true) })
	start.Done()
	wg.Wait()
	elapsed := time.Since(t0)
	runtime.ReadMemStats(&m1)
	timer.Stop()

	out := newLoopStats()
	for i := range per {
		out.merge(&per[i])
	}
	for typ, n := range out.ops {
		if n == 0 && out.hist[typ].TotalCount() == 0 {
			delete(out.ops, typ)
			delete(out.hist, typ)
		}
	}
	out.elapsed = elapsed
	out.mallocs, out.bytes = m1.Mallocs-m0.Mallocs, m1.TotalAlloc-m0.TotalAlloc
	return out
}

// bulk runs one BulkLoad of rows rows, recording the time of each chunk.
func bulk(ctx context.Context, t target.Target, rows int, kind target.Kind) loopStats {
	out := newLoopStats()
	h := newHist()
	out.hist[TypeWrite] = h
	runtime.GC()
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	t0 := time.Now()
	last := t0
	err := t.BulkLoad(ctx, rows, BulkChunk, func(int) {
		now := time.Now()
		_ = h.RecordValue(now.Sub(last).Nanoseconds())
		last = now
	})
	out.elapsed = time.Since(t0)
	runtime.ReadMemStats(&m1)
	out.mallocs, out.bytes = m1.Mallocs-m0.Mallocs, m1.TotalAlloc-m0.TotalAlloc
	out.ops[TypeWrite] = int64(rows)
	if err != nil {
		out.errs[classify(kind, err)]++
	}
	return out
}

func classify(kind target.Kind, err error) string {
	if errors.Is(err, errWrong) {
		return target.KindWrongResult
	}
	return kind.ClassifyErr(err)
}

func removeDB(path string) {
	for _, suffix := range []string{"", "-wal", "-shm", "-journal"} {
		_ = os.Remove(path + suffix)
	}
}
