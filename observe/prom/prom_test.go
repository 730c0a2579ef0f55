package prom_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/liteactor/liteactor"
	"github.com/liteactor/liteactor/internal/enginetest"
	"github.com/liteactor/liteactor/messages"
	"github.com/liteactor/liteactor/observe"
	"github.com/liteactor/liteactor/observe/prom"
	"github.com/ncruces/go-sqlite3"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

type fixedStats liteactor.Stats

func (f fixedStats) Stats() liteactor.Stats { return liteactor.Stats(f) }

// Every Stats field reaches its series, with conventional names and the db
// label.
func TestCollectorExportsStats(t *testing.T) {
	src := fixedStats{
		QueueDepth: 3, QueueParked: 1, QueueCapacity: 100,
		Admitted: 10, Completed: 7, Rejected: 2, Dropped: 4, Expired: 5, Batches: 6,
		ReadersBusy: 2, ReadersIdle: 6, ReadsWaiting: 9, Reads: 40, ReadsExpired: 1, ReadGroups: 3,
		Restarts: messages.Restarts{Writer: 1, Reader: 2, WALMonitor: 3},
		WAL: messages.WALStats{Bytes: 4096, Frames: 12, Checkpoints: map[string]uint64{"PASSIVE": 8, "TRUNCATE": 2},
			BusyCheckpoint: 1, Starvations: 4, LastCheckpoint: time.Unix(1700000000, 500_000_000),
			Syncs: 11, SyncFailures: 1, LastSync: time.Unix(1700000001, 0), ReadBarriers: 5, BarrierExpired: 2},
		FileReplaced: true,
	}
	c := prom.New(src, prom.Options{DB: "app"})
	want := `
# HELP liteactor_checkpoints_busy_total Checkpoints that could not finish because of readers or writers.
# TYPE liteactor_checkpoints_busy_total counter
liteactor_checkpoints_busy_total{db="app"} 1
# HELP liteactor_checkpoints_total WAL checkpoints run, by mode.
# TYPE liteactor_checkpoints_total counter
liteactor_checkpoints_total{db="app",mode="PASSIVE"} 8
liteactor_checkpoints_total{db="app",mode="TRUNCATE"} 2
# HELP liteactor_file_replaced 1 once the database file was found replaced, moved or removed under the engine: writes fail until it is reopened.
# TYPE liteactor_file_replaced gauge
liteactor_file_replaced{db="app"} 1
# HELP liteactor_last_wal_sync_timestamp_seconds Unix time the last successful interval fsync of the WAL began: writes acknowledged before it are durable.
# TYPE liteactor_last_wal_sync_timestamp_seconds gauge
liteactor_last_wal_sync_timestamp_seconds{db="app"} 1.700000001e+09
# HELP liteactor_last_checkpoint_timestamp_seconds Unix time of the last checkpoint.
# TYPE liteactor_last_checkpoint_timestamp_seconds gauge
liteactor_last_checkpoint_timestamp_seconds{db="app"} 1.7000000005e+09
# HELP liteactor_queue_capacity Capacity of the write admission queue.
# TYPE liteactor_queue_capacity gauge
liteactor_queue_capacity{db="app"} 100
# HELP liteactor_queue_depth Write requests waiting in the admission queue.
# TYPE liteactor_queue_depth gauge
liteactor_queue_depth{db="app"} 3
# HELP liteactor_queue_parked Writes waiting for room in a full admission queue (Block, BlockTimeout).
# TYPE liteactor_queue_parked gauge
liteactor_queue_parked{db="app"} 1
# HELP liteactor_read_barriers_expired_total Read barriers released unused because reads in flight outlasted WAL.ReadBarrierMax.
# TYPE liteactor_read_barriers_expired_total counter
liteactor_read_barriers_expired_total{db="app"} 2
# HELP liteactor_read_barriers_total TRUNCATE checkpoints run behind a read barrier (the emergency brake under overlapping reads).
# TYPE liteactor_read_barriers_total counter
liteactor_read_barriers_total{db="app"} 5
# HELP liteactor_read_groups_total Read transactions shared by several queued queries.
# TYPE liteactor_read_groups_total counter
liteactor_read_groups_total{db="app"} 3
# HELP liteactor_readers_busy Readers running a read.
# TYPE liteactor_readers_busy gauge
liteactor_readers_busy{db="app"} 2
# HELP liteactor_readers_idle Readers waiting for work.
# TYPE liteactor_readers_idle gauge
liteactor_readers_idle{db="app"} 6
# HELP liteactor_reads_expired_total Reads that timed out or were cancelled while waiting for a reader.
# TYPE liteactor_reads_expired_total counter
liteactor_reads_expired_total{db="app"} 1
# HELP liteactor_reads_total Reads and queries answered by readers.
# TYPE liteactor_reads_total counter
liteactor_reads_total{db="app"} 40
# HELP liteactor_reads_waiting Reads queued for a free reader.
# TYPE liteactor_reads_waiting gauge
liteactor_reads_waiting{db="app"} 9
# HELP liteactor_restarts_total Actor restarts, by actor.
# TYPE liteactor_restarts_total counter
liteactor_restarts_total{actor="reader",db="app"} 2
liteactor_restarts_total{actor="walmonitor",db="app"} 3
liteactor_restarts_total{actor="writer",db="app"} 1
# HELP liteactor_wal_bytes Size of the -wal file at the last measurement.
# TYPE liteactor_wal_bytes gauge
liteactor_wal_bytes{db="app"} 4096
# HELP liteactor_wal_frames Frames in the WAL after the last commit.
# TYPE liteactor_wal_frames gauge
liteactor_wal_frames{db="app"} 12
# HELP liteactor_wal_syncs_total Interval fsyncs of the WAL under synchronous=NORMAL (WAL.SyncInterval), by result (ok, failed).
# TYPE liteactor_wal_syncs_total counter
liteactor_wal_syncs_total{db="app",result="failed"} 1
liteactor_wal_syncs_total{db="app",result="ok"} 11
# HELP liteactor_wal_starvations_total Monitor intervals in which checkpoint starvation was reported.
# TYPE liteactor_wal_starvations_total counter
liteactor_wal_starvations_total{db="app"} 4
# HELP liteactor_write_transactions_total Write transactions (group-commit batches) run by the writer.
# TYPE liteactor_write_transactions_total counter
liteactor_write_transactions_total{db="app"} 6
# HELP liteactor_writes_admitted_total Write requests admitted to the queue.
# TYPE liteactor_writes_admitted_total counter
liteactor_writes_admitted_total{db="app"} 10
# HELP liteactor_writes_completed_total Write requests the writer answered.
# TYPE liteactor_writes_completed_total counter
liteactor_writes_completed_total{db="app"} 7
# HELP liteactor_writes_dropped_total Queued write requests evicted with ErrDropped (DropOldest).
# TYPE liteactor_writes_dropped_total counter
liteactor_writes_dropped_total{db="app"} 4
# HELP liteactor_writes_expired_total Write requests whose ctx ended while queued; they never ran.
# TYPE liteactor_writes_expired_total counter
liteactor_writes_expired_total{db="app"} 5
# HELP liteactor_writes_rejected_total Write requests refused with ErrQueueFull.
# TYPE liteactor_writes_rejected_total counter
liteactor_writes_rejected_total{db="app"} 2
`
	if err := testutil.CollectAndCompare(c, strings.NewReader(want)); err != nil {
		t.Error(err)
	}
	if n := testutil.CollectAndCount(c); n != 31 {
		t.Errorf("%d series, want 31", n)
	}
	problems, err := testutil.CollectAndLint(c)
	if err != nil || len(problems) > 0 {
		t.Errorf("lint: %v %+v", err, problems)
	}
}

// A live engine scraped over HTTP, as Prometheus would.
func TestScrapeLiveEngine(t *testing.T) {
	m := observe.NewMetrics(observe.MetricsOptions{})
	cfg := liteactor.MinimalConfig()
	cfg.Name = "orders"
	cfg.Queue = liteactor.QueueConfig{Capacity: 50, Overflow: liteactor.Reject}
	cfg.Observers = []liteactor.Observer{m}
	eng, err := liteactor.Open(context.Background(), filepath.Join(t.TempDir(), "scrape.db"), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := eng.Close(context.Background()); err != nil {
			t.Error(err)
		}
	}()
	reg := prometheus.NewRegistry()
	reg.MustRegister(prom.New(eng, prom.Options{DB: "orders", Metrics: m}))
	srv := httptest.NewServer(promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	defer srv.Close()

	ctx := context.Background()
	for _, sql := range []string{"CREATE TABLE t (id INTEGER PRIMARY KEY)", "INSERT INTO t VALUES (1)", "INSERT INTO t VALUES (2)", "INSERT INTO t VALUES (3)"} {
		if _, err := eng.Exec(ctx, sql); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := eng.Exec(ctx, "INSERT INTO t VALUES (3)"); !errors.Is(err, sqlite3.CONSTRAINT) {
		t.Fatalf("duplicate: %v", err)
	}
	for range 2 {
		if _, err := eng.Query(ctx, "SELECT id FROM t"); err != nil {
			t.Fatal(err)
		}
	}
	// The reader marks itself idle just after answering.
	enginetest.WaitFor(t, "the reader to become idle", func() bool { return eng.Stats().ReadersBusy == 0 })

	want := `
# HELP liteactor_operation_rows_total Rows returned (query) or changed (exec), by kind.
# TYPE liteactor_operation_rows_total counter
liteactor_operation_rows_total{db="orders",kind="exec"} 3
liteactor_operation_rows_total{db="orders",kind="query"} 6
# HELP liteactor_operations_total Operations seen by the observer, by kind and outcome (ok or an error class).
# TYPE liteactor_operations_total counter
liteactor_operations_total{db="orders",kind="exec",outcome="ok"} 4
liteactor_operations_total{db="orders",kind="exec",outcome="sqlite_constraint"} 1
liteactor_operations_total{db="orders",kind="query",outcome="ok"} 2
# HELP liteactor_queue_capacity Capacity of the write admission queue.
# TYPE liteactor_queue_capacity gauge
liteactor_queue_capacity{db="orders"} 50
# HELP liteactor_readers_busy Readers running a read.
# TYPE liteactor_readers_busy gauge
liteactor_readers_busy{db="orders"} 0
# HELP liteactor_readers_idle Readers waiting for work.
# TYPE liteactor_readers_idle gauge
liteactor_readers_idle{db="orders"} 1
# HELP liteactor_read_batch_size Reads per reader run (1, or the queries sharing one read transaction).
# TYPE liteactor_read_batch_size histogram
liteactor_read_batch_size_bucket{db="orders",le="1"} 2
liteactor_read_batch_size_bucket{db="orders",le="2"} 2
liteactor_read_batch_size_bucket{db="orders",le="4"} 2
liteactor_read_batch_size_bucket{db="orders",le="8"} 2
liteactor_read_batch_size_bucket{db="orders",le="16"} 2
liteactor_read_batch_size_bucket{db="orders",le="32"} 2
liteactor_read_batch_size_bucket{db="orders",le="64"} 2
liteactor_read_batch_size_bucket{db="orders",le="128"} 2
liteactor_read_batch_size_bucket{db="orders",le="256"} 2
liteactor_read_batch_size_bucket{db="orders",le="512"} 2
liteactor_read_batch_size_bucket{db="orders",le="1024"} 2
liteactor_read_batch_size_bucket{db="orders",le="+Inf"} 2
liteactor_read_batch_size_sum{db="orders"} 2
liteactor_read_batch_size_count{db="orders"} 2
# HELP liteactor_write_batch_size Requests per write transaction (group commit).
# TYPE liteactor_write_batch_size histogram
liteactor_write_batch_size_bucket{db="orders",le="1"} 5
liteactor_write_batch_size_bucket{db="orders",le="2"} 5
liteactor_write_batch_size_bucket{db="orders",le="4"} 5
liteactor_write_batch_size_bucket{db="orders",le="8"} 5
liteactor_write_batch_size_bucket{db="orders",le="16"} 5
liteactor_write_batch_size_bucket{db="orders",le="32"} 5
liteactor_write_batch_size_bucket{db="orders",le="64"} 5
liteactor_write_batch_size_bucket{db="orders",le="128"} 5
liteactor_write_batch_size_bucket{db="orders",le="256"} 5
liteactor_write_batch_size_bucket{db="orders",le="512"} 5
liteactor_write_batch_size_bucket{db="orders",le="1024"} 5
liteactor_write_batch_size_bucket{db="orders",le="+Inf"} 5
liteactor_write_batch_size_sum{db="orders"} 5
liteactor_write_batch_size_count{db="orders"} 5
# HELP liteactor_write_transactions_total Write transactions (group-commit batches) run by the writer.
# TYPE liteactor_write_transactions_total counter
liteactor_write_transactions_total{db="orders"} 5
# HELP liteactor_writes_admitted_total Write requests admitted to the queue.
# TYPE liteactor_writes_admitted_total counter
liteactor_writes_admitted_total{db="orders"} 5
# HELP liteactor_writes_completed_total Write requests the writer answered.
# TYPE liteactor_writes_completed_total counter
liteactor_writes_completed_total{db="orders"} 5
# HELP liteactor_writes_rejected_total Write requests refused with ErrQueueFull.
# TYPE liteactor_writes_rejected_total counter
liteactor_writes_rejected_total{db="orders"} 0
`
	names := []string{"liteactor_operation_rows_total", "liteactor_operations_total", "liteactor_queue_capacity",
		"liteactor_readers_busy", "liteactor_readers_idle", "liteactor_read_batch_size", "liteactor_write_batch_size",
		"liteactor_write_transactions_total", "liteactor_writes_admitted_total", "liteactor_writes_completed_total",
		"liteactor_writes_rejected_total"}
	if err := testutil.ScrapeAndCompare(srv.URL, strings.NewReader(want), names...); err != nil {
		t.Error(err)
	}
	// Latency histograms: one series per kind seen, with every observation.
	if n, err := testutil.GatherAndCount(reg, "liteactor_operation_duration_seconds", "liteactor_operation_queue_wait_seconds"); err != nil || n != 4 {
		t.Errorf("latency series: %d, %v; want 4 (exec and query, execution and queue wait)", n, err)
	}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != "liteactor_operation_duration_seconds" {
			continue
		}
		for _, s := range mf.GetMetric() {
			h := s.GetHistogram()
			want := map[string]uint64{"exec": 5, "query": 2}[s.GetLabel()[1].GetValue()]
			if h.GetSampleCount() != want || h.GetSampleSum() <= 0 || len(h.GetBucket()) != len(observe.DefaultLatencyBuckets()) {
				t.Errorf("duration histogram %v: count %d sum %g buckets %d", s.GetLabel(), h.GetSampleCount(), h.GetSampleSum(), len(h.GetBucket()))
			}
		}
	}
	if problems, err := testutil.GatherAndLint(reg); err != nil || len(problems) > 0 {
		t.Errorf("lint: %v %+v", err, problems)
	}
}

// Several engines share one registry, told apart by the db label.
func TestTwoEnginesOneRegistry(t *testing.T) {
	reg := prometheus.NewRegistry()
	reg.MustRegister(prom.New(fixedStats{QueueCapacity: 1}, prom.Options{DB: "a", Metrics: observe.NewMetrics(observe.MetricsOptions{})}))
	reg.MustRegister(prom.New(fixedStats{QueueCapacity: 2}, prom.Options{DB: "b", Metrics: observe.NewMetrics(observe.MetricsOptions{})}))
	want := `
# HELP liteactor_queue_capacity Capacity of the write admission queue.
# TYPE liteactor_queue_capacity gauge
liteactor_queue_capacity{db="a"} 1
liteactor_queue_capacity{db="b"} 2
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "liteactor_queue_capacity"); err != nil {
		t.Error(err)
	}
}
