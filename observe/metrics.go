package observe

import (
	"cmp"
	"context"
	"maps"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/liteactor/liteactor"
)

// MetricsOptions configures a Metrics collector; the zero value uses
// DefaultLatencyBuckets and DefaultBatchBuckets.
type MetricsOptions struct {
	LatencyBuckets []time.Duration
	BatchBuckets   []int64
}

// Metrics is an Observer that counts operations by kind and outcome and
// records their queue wait and execution time in histograms, and the size
// of every write batch and read group. Recording is lock-free on the hot
// path (atomic adds; a mutex only the first time an error class is seen
// for a kind). Snapshot reads it at any time; observe/prom exports it to
// Prometheus. It never vetoes.
type Metrics struct {
	latency []int64

	mu    sync.Mutex                     // serialises adding a kind
	kinds atomic.Pointer[[]*kindMetrics] // copy-on-write, usually ~6 entries

	writeBatch *histogram
	readBatch  *histogram
}

type kindMetrics struct {
	kind      liteactor.OpKind
	ok        atomic.Uint64
	rows      atomic.Uint64
	queued    *histogram
	executing *histogram

	mu     sync.Mutex
	errors map[string]*atomic.Uint64 // by Class
}

// NewMetrics returns an empty collector.
func NewMetrics(opts MetricsOptions) *Metrics {
	lat := opts.LatencyBuckets
	if len(lat) == 0 {
		lat = DefaultLatencyBuckets()
	}
	bat := opts.BatchBuckets
	if len(bat) == 0 {
		bat = DefaultBatchBuckets()
	}
	m := &Metrics{}
	for _, d := range lat {
		m.latency = append(m.latency, int64(d))
	}
	m.writeBatch, m.readBatch = newHistogram(bat), newHistogram(bat)
	m.kinds.Store(&[]*kindMetrics{})
	return m
}

// Before lets every operation through.
func (m *Metrics) Before(ctx context.Context, _ *liteactor.Op) (context.Context, error) {
	return ctx, nil
}

// After records the operation: its outcome class (see Class); its queue
// wait if it was ever queued; its execution time and rows if it ran; and,
// for the operation at position 0 of a write batch or read group (one per
// batch), the batch size.
func (m *Metrics) After(_ context.Context, op *liteactor.Op, out *liteactor.Outcome) {
	k := m.kind(op.Kind)
	if out.Err == nil {
		k.ok.Add(1)
	} else {
		k.addError(Class(out.Err))
	}
	if !out.Enqueued.IsZero() {
		k.queued.observe(int64(out.Queued))
	}
	if !out.Started.IsZero() {
		k.executing.observe(int64(out.Executing))
		if out.Rows > 0 {
			k.rows.Add(uint64(out.Rows))
		}
		if out.BatchPos == 0 && out.BatchSize > 0 {
			switch op.Kind {
			case liteactor.OpExec, liteactor.OpWrite, liteactor.OpExclusive:
				m.writeBatch.observe(int64(out.BatchSize))
			case liteactor.OpQuery, liteactor.OpRead:
				m.readBatch.observe(int64(out.BatchSize))
			}
		}
	}
}

func (m *Metrics) kind(kind liteactor.OpKind) *kindMetrics {
	for _, k := range *m.kinds.Load() {
		if k.kind == kind {
			return k
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	old := *m.kinds.Load()
	for _, k := range old {
		if k.kind == kind {
			return k
		}
	}
	k := &kindMetrics{kind: kind, queued: newHistogram(m.latency), executing: newHistogram(m.latency), errors: map[string]*atomic.Uint64{}}
	kinds := append(slices.Clip(old), k)
	m.kinds.Store(&kinds)
	return k
}

func (k *kindMetrics) addError(class string) {
	k.mu.Lock()
	c := k.errors[class]
	if c == nil {
		c = &atomic.Uint64{}
		k.errors[class] = c
	}
	k.mu.Unlock()
	c.Add(1)
}

// Snapshot is a copy of a Metrics collector's figures, monotonic since it
// was created.
type Snapshot struct {
	// Ops holds one entry per operation kind seen, sorted by kind.
	Ops []OpStats
	// WriteBatches is the size of every write transaction (group commit)
	// and exclusive run; ReadBatches of every read, or read transaction
	// shared by several queued queries.
	WriteBatches Histogram[int64]
	ReadBatches  Histogram[int64]
}

// OpStats are the figures of one operation kind.
type OpStats struct {
	Kind liteactor.OpKind
	// Count is every operation of this kind, whatever its outcome.
	Count uint64
	// Outcomes counts them by Class: "ok", "queue_full",
	// "sqlite_constraint", ...
	Outcomes map[string]uint64
	// Errors is Count minus Outcomes["ok"].
	Errors uint64
	// Rows is the total of rows returned or changed.
	Rows uint64
	// Queued is the queue wait of every operation that was queued;
	// Executing the execution time of every operation that ran.
	Queued    Histogram[time.Duration]
	Executing Histogram[time.Duration]
}

// Op returns the figures of one kind; the zero OpStats when none was seen.
func (s Snapshot) Op(kind liteactor.OpKind) OpStats {
	for _, o := range s.Ops {
		if o.Kind == kind {
			return o
		}
	}
	return OpStats{Kind: kind}
}

// Snapshot copies the current figures. It takes no lock that After holds
// for more than a map lookup.
func (m *Metrics) Snapshot() Snapshot {
	var s Snapshot
	for _, k := range *m.kinds.Load() {
		o := OpStats{Kind: k.kind, Outcomes: map[string]uint64{}}
		if ok := k.ok.Load(); ok > 0 {
			o.Outcomes["ok"] = ok
		}
		k.mu.Lock()
		for class, c := range k.errors {
			o.Outcomes[class] = c.Load()
		}
		k.mu.Unlock()
		for class, n := range o.Outcomes {
			o.Count += n
			if class != "ok" {
				o.Errors += n
			}
		}
		o.Rows = k.rows.Load()
		o.Queued = snapshot[time.Duration](k.queued)
		o.Executing = snapshot[time.Duration](k.executing)
		s.Ops = append(s.Ops, o)
	}
	slices.SortFunc(s.Ops, func(a, b OpStats) int { return cmp.Compare(a.Kind, b.Kind) })
	s.WriteBatches = snapshot[int64](m.writeBatch)
	s.ReadBatches = snapshot[int64](m.readBatch)
	return s
}

// Classes returns the outcome classes of o in sorted order, "ok" first.
func (o OpStats) Classes() []string {
	cs := slices.Sorted(maps.Keys(o.Outcomes))
	if i := slices.Index(cs, "ok"); i > 0 {
		cs = append(append([]string{"ok"}, cs[:i]...), cs[i+1:]...)
	}
	return cs
}
