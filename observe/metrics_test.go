package observe_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/liteactor/liteactor"
	"github.com/liteactor/liteactor/internal/enginetest"
	"github.com/liteactor/liteactor/observe"
	"github.com/ncruces/go-sqlite3"
)

func TestHistogram(t *testing.T) {
	m := observe.NewMetrics(observe.MetricsOptions{LatencyBuckets: []time.Duration{10 * time.Millisecond, time.Millisecond, 5 * time.Millisecond}})
	ctx := context.Background()
	op := &liteactor.Op{Kind: "custom"}
	for _, d := range []time.Duration{500 * time.Microsecond, time.Millisecond, 2 * time.Millisecond, 5 * time.Millisecond, 7 * time.Millisecond, 20 * time.Millisecond} {
		m.After(ctx, op, &liteactor.Outcome{Started: time.Now(), Executing: d})
	}
	h := m.Snapshot().Op("custom").Executing
	if want := []time.Duration{time.Millisecond, 5 * time.Millisecond, 10 * time.Millisecond}; len(h.Bounds) != 3 || h.Bounds[0] != want[0] || h.Bounds[1] != want[1] || h.Bounds[2] != want[2] {
		t.Fatalf("bounds %v, want sorted %v", h.Bounds, want)
	}
	// A value equal to a bound falls in that bound's bucket (Prometheus "le").
	if want := []uint64{2, 2, 1, 1}; len(h.Counts) != 4 || h.Counts[0] != want[0] || h.Counts[1] != want[1] || h.Counts[2] != want[2] || h.Counts[3] != want[3] {
		t.Fatalf("counts %v, want %v", h.Counts, want)
	}
	if h.Count != 6 || h.Sum != 35500*time.Microsecond || h.Max != 20*time.Millisecond {
		t.Fatalf("count %d sum %v max %v", h.Count, h.Sum, h.Max)
	}
	if h.Mean() != 35500*time.Microsecond/6 {
		t.Errorf("mean %v", h.Mean())
	}
	if q := h.Quantile(0.5); q != 5*time.Millisecond {
		t.Errorf("median %v, want the 5ms bucket", q)
	}
	if q := h.Quantile(0.99); q != 20*time.Millisecond {
		t.Errorf("p99 %v, want Max for the overflow bucket", q)
	}
	if q := h.Quantile(0.1); q != time.Millisecond {
		t.Errorf("p10 %v", q)
	}
	var empty observe.Histogram[time.Duration]
	if empty.Mean() != 0 || empty.Quantile(0.5) != 0 {
		t.Error("empty histogram")
	}
}

func TestMetricsLiveEngine(t *testing.T) {
	m := observe.NewMetrics(observe.MetricsOptions{})
	errNo := errors.New("read-only mode")
	cfg := liteactor.MinimalConfig()
	cfg.Queue = liteactor.QueueConfig{Capacity: 1, Overflow: liteactor.Reject}
	eng := open(t, cfg, m, vetoKind{kind: liteactor.OpExclusive, err: errNo})
	ctx := context.Background()

	mustExec(t, eng, "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
	for i := range 10 {
		mustExec(t, eng, "INSERT INTO t VALUES (?, 'x')", i)
	}
	if _, err := eng.Exec(ctx, "INSERT INTO t VALUES (1, 'dup')"); !errors.Is(err, sqlite3.CONSTRAINT) {
		t.Fatalf("duplicate insert: %v", err)
	}
	for range 3 {
		if _, err := eng.Query(ctx, "SELECT * FROM t WHERE id < ?", 4); err != nil {
			t.Fatal(err)
		}
	}
	if err := eng.Read(ctx, func(*sqlite3.Conn) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if err := eng.Exclusive(ctx, func(*sqlite3.Conn) error { return nil }); !errors.Is(err, errNo) {
		t.Fatalf("vetoed Exclusive: %v", err)
	}
	// Capacity 1 with Reject: hold the writer, queue one write, and the
	// next is refused.
	release := enginetest.HoldWriter(t, eng)
	queued := make(chan error, 1)
	go func() { _, err := eng.Exec(ctx, "UPDATE t SET v = 'y'"); queued <- err }()
	enginetest.WaitFor(t, "a queued write", func() bool { return eng.Stats().QueueDepth == 1 })
	if _, err := eng.Exec(ctx, "UPDATE t SET v = 'z'"); !errors.Is(err, liteactor.ErrQueueFull) {
		t.Fatalf("write into a full queue: %v", err)
	}
	release()
	if err := <-queued; err != nil {
		t.Fatal(err)
	}
	if _, err := eng.Checkpoint(ctx, sqlite3.CHECKPOINT_PASSIVE); err != nil {
		t.Fatal(err)
	}

	s := m.Snapshot()
	exec := s.Op(liteactor.OpExec)
	// create + 10 inserts + duplicate + update + refused update
	if exec.Count != 14 || exec.Outcomes["ok"] != 12 || exec.Outcomes["sqlite_constraint"] != 1 || exec.Outcomes["queue_full"] != 1 || exec.Errors != 2 {
		t.Errorf("exec figures %+v", exec.Outcomes)
	}
	if exec.Rows != 10+10 { // the inserts, then the update of every row
		t.Errorf("exec rows %d, want 20", exec.Rows)
	}
	if exec.Executing.Count != 13 || exec.Queued.Count != 14 {
		t.Errorf("exec ran %d (want 13, the refused one never ran), queued %d (want 14)", exec.Executing.Count, exec.Queued.Count)
	}
	if exec.Executing.Sum <= 0 || exec.Executing.Max < exec.Executing.Mean() {
		t.Errorf("exec latency sum %v max %v mean %v", exec.Executing.Sum, exec.Executing.Max, exec.Executing.Mean())
	}
	if q := s.Op(liteactor.OpQuery); q.Count != 3 || q.Rows != 12 || q.Executing.Count != 3 {
		t.Errorf("query figures count %d rows %d", q.Count, q.Rows)
	}
	if r := s.Op(liteactor.OpRead); r.Count != 1 || r.Outcomes["ok"] != 1 {
		t.Errorf("read figures %+v", r.Outcomes)
	}
	if x := s.Op(liteactor.OpExclusive); x.Count != 1 || x.Outcomes["vetoed"] != 1 || x.Executing.Count != 0 || x.Queued.Count != 0 {
		t.Errorf("vetoed exclusive figures %+v", x)
	}
	if w := s.Op(liteactor.OpWrite); w.Count != 1 || w.Outcomes["ok"] != 1 {
		t.Errorf("write figures %+v", w.Outcomes)
	}
	if c := s.Op(liteactor.OpCheckpoint); c.Count != 1 || c.Executing.Count != 1 || c.Queued.Count != 1 {
		t.Errorf("checkpoint figures %+v", c)
	}
	if got := s.Op(liteactor.OpExec).Classes(); len(got) != 3 || got[0] != "ok" {
		t.Errorf("classes %v, want ok first", got)
	}
	// Batch histograms agree with the engine's own counters.
	st := eng.Stats()
	if s.WriteBatches.Count != st.Batches || uint64(s.WriteBatches.Sum) != st.Completed {
		t.Errorf("write batches: %d batches of %d requests; engine says %d of %d", s.WriteBatches.Count, s.WriteBatches.Sum, st.Batches, st.Completed)
	}
	if uint64(s.ReadBatches.Sum) != st.Reads {
		t.Errorf("read batches hold %d reads; engine says %d", s.ReadBatches.Sum, st.Reads)
	}
	if len(s.Ops) != 6 {
		t.Errorf("%d kinds, want 6: %+v", len(s.Ops), s.Ops)
	}
	for i := 1; i < len(s.Ops); i++ {
		if s.Ops[i-1].Kind >= s.Ops[i].Kind {
			t.Errorf("Ops not sorted by kind: %q before %q", s.Ops[i-1].Kind, s.Ops[i].Kind)
		}
	}
}

func TestMetricsConcurrentSnapshots(t *testing.T) {
	m := observe.NewMetrics(observe.MetricsOptions{})
	eng := open(t, liteactor.MinimalConfig(), m)
	mustExec(t, eng, "CREATE TABLE t (v)")
	done := make(chan struct{})
	errs := make(chan error, 4)
	for range 4 {
		go func() {
			for i := range 200 {
				if _, err := eng.Exec(context.Background(), "INSERT INTO t VALUES (?)", i); err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	go func() {
		defer close(done)
		for {
			s := m.Snapshot().Op(liteactor.OpExec)
			var sum uint64
			for _, c := range s.Executing.Counts {
				sum += c
			}
			if sum != s.Executing.Count {
				t.Errorf("snapshot Count %d != sum of Counts %d", s.Executing.Count, sum)
				return
			}
			if s.Count >= 801 {
				return
			}
		}
	}()
	for range 4 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	<-done
	if s := m.Snapshot().Op(liteactor.OpExec); s.Count != 801 || s.Rows != 800 {
		t.Errorf("count %d rows %d, want 801 and 800", s.Count, s.Rows)
	}
}
