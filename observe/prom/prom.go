// Package prom exports an engine's figures to Prometheus: the engine's
// Stats (queue, admission, readers, WAL, checkpoints, restarts), read at
// scrape time, and, when given an observe.Metrics collector, the observed
// operations (counts by kind and outcome, latency and batch size
// histograms).
//
//	m := observe.NewMetrics(observe.MetricsOptions{})
//	cfg.Observers = append(cfg.Observers, m)
//	eng, _ := liteactor.Open(ctx, path, cfg)
//	reg := prometheus.NewRegistry()
//	reg.MustRegister(prom.New(eng, prom.Options{DB: "app", Metrics: m}))
//	http.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
//
// Names follow Prometheus conventions: the liteactor_ prefix, _total for
// counters, _seconds for durations, and a constant db label so several
// engines can share one registry (register one Collector per engine, each
// with its own DB).
package prom

import (
	"maps"
	"slices"
	"time"

	"github.com/liteactor/liteactor"
	"github.com/liteactor/liteactor/observe"
	"github.com/prometheus/client_golang/prometheus"
)

// Source is what the collector reads at each scrape; *liteactor.Engine is
// one.
type Source interface {
	Stats() liteactor.Stats
}

// Options configures a Collector.
type Options struct {
	// DB is the value of the db label on every series; "liteactor" when
	// empty. Use the engine's Config.Name.
	DB string
	// Metrics, if set, adds the observed-operation series (it must be one
	// of the engine's Config.Observers).
	Metrics *observe.Metrics
}

// Collector is a prometheus.Collector for one engine. It reads Source.Stats
// and Metrics.Snapshot at each scrape and holds no state of its own; safe
// for concurrent scrapes.
type Collector struct {
	src     Source
	metrics *observe.Metrics
	d       descs
}

type descs struct {
	queueDepth, queueParked, queueCapacity                              *prometheus.Desc
	admitted, completed, rejected, dropped, expired, transactions       *prometheus.Desc
	readersBusy, readersIdle, readsWaiting, reads, readsExpired, groups *prometheus.Desc
	walBytes, walFrames, checkpoints, busyCheckpoints, starvations      *prometheus.Desc
	lastCheckpoint, restarts                                            *prometheus.Desc
	walSyncs, lastSync, barriers, barriersExpired, fileReplaced         *prometheus.Desc
	ops, rows, duration, queueWait, writeBatch, readBatch               *prometheus.Desc
}

// New returns a collector for src.
func New(src Source, opts Options) *Collector {
	if opts.DB == "" {
		opts.DB = "liteactor"
	}
	db := prometheus.Labels{"db": opts.DB}
	d := func(name, help string, labels ...string) *prometheus.Desc {
		return prometheus.NewDesc("liteactor_"+name, help, labels, db)
	}
	return &Collector{src: src, metrics: opts.Metrics, d: descs{
		queueDepth:      d("queue_depth", "Write requests waiting in the admission queue."),
		queueParked:     d("queue_parked", "Writes waiting for room in a full admission queue (Block, BlockTimeout)."),
		queueCapacity:   d("queue_capacity", "Capacity of the write admission queue."),
		admitted:        d("writes_admitted_total", "Write requests admitted to the queue."),
		completed:       d("writes_completed_total", "Write requests the writer answered."),
		rejected:        d("writes_rejected_total", "Write requests refused with ErrQueueFull."),
		dropped:         d("writes_dropped_total", "Queued write requests evicted with ErrDropped (DropOldest)."),
		expired:         d("writes_expired_total", "Write requests whose ctx ended while queued; they never ran."),
		transactions:    d("write_transactions_total", "Write transactions (group-commit batches) run by the writer."),
		readersBusy:     d("readers_busy", "Readers running a read."),
		readersIdle:     d("readers_idle", "Readers waiting for work."),
		readsWaiting:    d("reads_waiting", "Reads queued for a free reader."),
		reads:           d("reads_total", "Reads and queries answered by readers."),
		readsExpired:    d("reads_expired_total", "Reads that timed out or were cancelled while waiting for a reader."),
		groups:          d("read_groups_total", "Read transactions shared by several queued queries."),
		walBytes:        d("wal_bytes", "Size of the -wal file at the last measurement."),
		walFrames:       d("wal_frames", "Frames in the WAL after the last commit."),
		checkpoints:     d("checkpoints_total", "WAL checkpoints run, by mode.", "mode"),
		busyCheckpoints: d("checkpoints_busy_total", "Checkpoints that could not finish because of readers or writers."),
		starvations:     d("wal_starvations_total", "Monitor intervals in which checkpoint starvation was reported."),
		lastCheckpoint:  d("last_checkpoint_timestamp_seconds", "Unix time of the last checkpoint."),
		restarts:        d("restarts_total", "Actor restarts, by actor.", "actor"),
		walSyncs:        d("wal_syncs_total", "Interval fsyncs of the WAL under synchronous=NORMAL (WAL.SyncInterval), by result (ok, failed).", "result"),
		lastSync:        d("last_wal_sync_timestamp_seconds", "Unix time the last successful interval fsync of the WAL began: writes acknowledged before it are durable."),
		barriers:        d("read_barriers_total", "TRUNCATE checkpoints run behind a read barrier (the emergency brake under overlapping reads)."),
		barriersExpired: d("read_barriers_expired_total", "Read barriers released unused because reads in flight outlasted WAL.ReadBarrierMax."),
		fileReplaced:    d("file_replaced", "1 once the database file was found replaced, moved or removed under the engine: writes fail until it is reopened."),
		ops:             d("operations_total", "Operations seen by the observer, by kind and outcome (ok or an error class).", "kind", "outcome"),
		rows:            d("operation_rows_total", "Rows returned (query) or changed (exec), by kind.", "kind"),
		duration:        d("operation_duration_seconds", "Execution time of operations that ran, by kind (writes: until their COMMIT).", "kind"),
		queueWait:       d("operation_queue_wait_seconds", "Time operations waited for the writer or a reader, by kind.", "kind"),
		writeBatch:      d("write_batch_size", "Requests per write transaction (group commit)."),
		readBatch:       d("read_batch_size", "Reads per reader run (1, or the queries sharing one read transaction)."),
	}}
}

// Describe sends every descriptor the collector may emit.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	d := &c.d
	for _, x := range []*prometheus.Desc{d.queueDepth, d.queueParked, d.queueCapacity, d.admitted, d.completed,
		d.rejected, d.dropped, d.expired, d.transactions, d.readersBusy, d.readersIdle, d.readsWaiting, d.reads,
		d.readsExpired, d.groups, d.walBytes, d.walFrames, d.checkpoints, d.busyCheckpoints, d.starvations,
		d.lastCheckpoint, d.restarts, d.walSyncs, d.lastSync, d.barriers, d.barriersExpired, d.fileReplaced} {
		ch <- x
	}
	if c.metrics != nil {
		for _, x := range []*prometheus.Desc{d.ops, d.rows, d.duration, d.queueWait, d.writeBatch, d.readBatch} {
			ch <- x
		}
	}
}

// Collect reads the engine's Stats (and the Metrics snapshot) and sends
// them as constant metrics.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	d := &c.d
	st := c.src.Stats()
	gauge := func(desc *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(desc, prometheus.GaugeValue, v, labels...)
	}
	counter := func(desc *prometheus.Desc, v uint64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(desc, prometheus.CounterValue, float64(v), labels...)
	}
	gauge(d.queueDepth, float64(st.QueueDepth))
	gauge(d.queueParked, float64(st.QueueParked))
	gauge(d.queueCapacity, float64(st.QueueCapacity))
	counter(d.admitted, st.Admitted)
	counter(d.completed, st.Completed)
	counter(d.rejected, st.Rejected)
	counter(d.dropped, st.Dropped)
	counter(d.expired, st.Expired)
	counter(d.transactions, st.Batches)
	gauge(d.readersBusy, float64(st.ReadersBusy))
	gauge(d.readersIdle, float64(st.ReadersIdle))
	gauge(d.readsWaiting, float64(st.ReadsWaiting))
	counter(d.reads, st.Reads)
	counter(d.readsExpired, st.ReadsExpired)
	counter(d.groups, st.ReadGroups)
	gauge(d.walBytes, float64(st.WAL.Bytes))
	gauge(d.walFrames, float64(st.WAL.Frames))
	for _, mode := range slices.Sorted(maps.Keys(st.WAL.Checkpoints)) {
		counter(d.checkpoints, st.WAL.Checkpoints[mode], mode)
	}
	counter(d.busyCheckpoints, st.WAL.BusyCheckpoint)
	counter(d.starvations, st.WAL.Starvations)
	if !st.WAL.LastCheckpoint.IsZero() {
		gauge(d.lastCheckpoint, float64(st.WAL.LastCheckpoint.UnixNano())/1e9)
	}
	counter(d.walSyncs, st.WAL.Syncs, "ok")
	counter(d.walSyncs, st.WAL.SyncFailures, "failed")
	if !st.WAL.LastSync.IsZero() {
		gauge(d.lastSync, float64(st.WAL.LastSync.UnixNano())/1e9)
	}
	counter(d.barriers, st.WAL.ReadBarriers)
	counter(d.barriersExpired, st.WAL.BarrierExpired)
	replaced := 0.0
	if st.FileReplaced {
		replaced = 1
	}
	gauge(d.fileReplaced, replaced)
	counter(d.restarts, st.Restarts.Writer, "writer")
	counter(d.restarts, st.Restarts.Reader, "reader")
	counter(d.restarts, st.Restarts.WALMonitor, "walmonitor")
	if c.metrics == nil {
		return
	}
	s := c.metrics.Snapshot()
	for _, o := range s.Ops {
		kind := string(o.Kind)
		for _, class := range o.Classes() {
			counter(d.ops, o.Outcomes[class], kind, class)
		}
		counter(d.rows, o.Rows, kind)
		ch <- seconds(d.duration, o.Executing, kind)
		ch <- seconds(d.queueWait, o.Queued, kind)
	}
	ch <- sizes(d.writeBatch, s.WriteBatches)
	ch <- sizes(d.readBatch, s.ReadBatches)
}

// seconds converts a duration histogram to Prometheus' cumulative form.
func seconds(desc *prometheus.Desc, h observe.Histogram[time.Duration], labels ...string) prometheus.Metric {
	buckets := make(map[float64]uint64, len(h.Bounds))
	var cum uint64
	for i, b := range h.Bounds {
		cum += h.Counts[i]
		buckets[b.Seconds()] = cum
	}
	return prometheus.MustNewConstHistogram(desc, h.Count, h.Sum.Seconds(), buckets, labels...)
}

func sizes(desc *prometheus.Desc, h observe.Histogram[int64], labels ...string) prometheus.Metric {
	buckets := make(map[float64]uint64, len(h.Bounds))
	var cum uint64
	for i, b := range h.Bounds {
		cum += h.Counts[i]
		buckets[float64(b)] = cum
	}
	return prometheus.MustNewConstHistogram(desc, h.Count, float64(h.Sum), buckets, labels...)
}
