package maintenance

import (
	"context"
	"errors"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ncruces/go-sqlite3"
	"go.uber.org/goleak"

	"github.com/liteactor/liteactor"
	"github.com/liteactor/liteactor/internal/enginetest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func openEngine(t *testing.T, cfg liteactor.Config) *liteactor.Engine {
	t.Helper()
	eng, err := liteactor.Open(context.Background(), filepath.Join(t.TempDir(), "m.db"), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { eng.Close(context.Background()) })
	return eng
}

func fill(t *testing.T, eng *liteactor.Engine, rows int) {
	t.Helper()
	_, err := eng.Exec(context.Background(), `CREATE TABLE IF NOT EXISTS "big table" (id INTEGER PRIMARY KEY, pad BLOB);
		WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < `+strconv.Itoa(rows)+`)
		INSERT INTO "big table" (pad) SELECT randomblob(1000) FROM n`)
	if err != nil {
		t.Fatal(err)
	}
}

func scalar(t *testing.T, eng *liteactor.Engine, sql string) int64 {
	t.Helper()
	r, err := eng.Query(context.Background(), sql)
	if err != nil {
		t.Fatal(err)
	}
	return r.Values[0][0].(int64)
}

func TestCheckHealthy(t *testing.T) {
	eng := openEngine(t, liteactor.MinimalConfig())
	fill(t, eng, 100)
	h := Check(context.Background(), eng, HealthOptions{})
	if h.Status != Healthy || len(h.Reasons) != 0 {
		t.Fatalf("Health = %+v", h)
	}
	if h.WriteRoundTrip <= 0 || h.ReadRoundTrip <= 0 || h.PageSize != 4096 || h.PageCount < 25 || h.Stats.ReadersIdle+h.Stats.ReadersBusy != 1 {
		t.Fatalf("Health figures = %+v", h)
	}
	if err := Ping(context.Background(), eng); err != nil {
		t.Fatal(err)
	}
}

func TestCheckDegradedByThresholds(t *testing.T) {
	ctx := context.Background()
	eng := openEngine(t, liteactor.MinimalConfig())
	fill(t, eng, 5000) // about 1250 pages
	if _, err := eng.Exec(ctx, `DELETE FROM "big table" WHERE id > 100`); err != nil {
		t.Fatal(err)
	}
	h := Check(ctx, eng, HealthOptions{WALBytes: 1})
	if h.Status != Degraded || len(h.Reasons) != 2 {
		t.Fatalf("Health = %+v; want Degraded for WAL size and free pages", h)
	}
	if !strings.Contains(h.Reasons[0], "pages free") || !strings.Contains(h.Reasons[1], "WAL is") {
		t.Fatalf("Reasons = %q", h.Reasons)
	}
	if h2 := Check(ctx, eng, HealthOptions{FreeFraction: -1}); h2.Status != Healthy {
		t.Fatalf("with the free-page threshold off: %+v", h2)
	}
}

// A writer stuck on a long Write and a full queue: the probe times out
// (Unhealthy) and the queue fill is reported.
func TestCheckUnhealthyWhenTheWriterDoesNotAnswer(t *testing.T) {
	ctx := context.Background()
	cfg := liteactor.MinimalConfig()
	cfg.Queue = liteactor.QueueConfig{Capacity: 2, Overflow: liteactor.Reject}
	eng := openEngine(t, cfg)
	entered, release := make(chan struct{}), make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		eng.Write(ctx, func(*sqlite3.Conn) error { close(entered); <-release; return nil })
	})
	<-entered
	for range 2 { // fill the queue behind the stuck write
		wg.Go(func() { eng.Exec(ctx, "SELECT 1") })
	}
	enginetest.WaitFor(t, "condition", func() bool { return eng.Stats().QueueDepth == 2 })
	h := Check(ctx, eng, HealthOptions{Timeout: 50 * time.Millisecond})
	close(release)
	wg.Wait()
	if h.Status != Unhealthy || h.WriteRoundTrip != 0 {
		t.Fatalf("Health = %+v; want Unhealthy", h)
	}
	if !strings.Contains(h.Reasons[0], "writer") || !errorsInReasons(h.Reasons, "write queue 2/2 full") {
		t.Fatalf("Reasons = %q", h.Reasons)
	}
	if h := Check(ctx, eng, HealthOptions{}); h.Status != Healthy {
		t.Fatalf("after release: %+v", h)
	}
}

// Every reader held and a read waiting: the read probe times out and the
// saturation is reported.
func TestCheckUnhealthyWhenNoReaderAnswers(t *testing.T) {
	ctx := context.Background()
	cfg := liteactor.MinimalConfig()
	cfg.ReadTimeout = 0
	eng := openEngine(t, cfg)
	entered, release := make(chan struct{}), make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		eng.Read(ctx, func(*sqlite3.Conn) error { close(entered); <-release; return nil })
	})
	<-entered
	wg.Go(func() { eng.Query(ctx, "SELECT 1") })
	enginetest.WaitFor(t, "condition", func() bool { return eng.Stats().ReadsWaiting == 1 })
	h := Check(ctx, eng, HealthOptions{Timeout: 50 * time.Millisecond})
	close(release)
	wg.Wait()
	if h.Status != Unhealthy || !strings.Contains(strings.Join(h.Reasons, ";"), "reader:") || !errorsInReasons(h.Reasons, "all 1 readers busy") {
		t.Fatalf("Health = %+v", h)
	}
}

func TestCheckAndPingOnClosedEngine(t *testing.T) {
	eng := openEngine(t, liteactor.MinimalConfig())
	if err := eng.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	h := Check(context.Background(), eng, HealthOptions{})
	if h.Status != Unhealthy || len(h.Reasons) != 2 {
		t.Fatalf("Health = %+v", h)
	}
	if err := Ping(context.Background(), eng); !errors.Is(err, liteactor.ErrClosed) {
		t.Fatalf("Ping = %v", err)
	}
}

func TestVacuumReturnsFreePages(t *testing.T) {
	ctx := context.Background()
	eng := openEngine(t, liteactor.MinimalConfig())
	fill(t, eng, 2000)
	if _, err := eng.Checkpoint(ctx, sqlite3.CHECKPOINT_TRUNCATE); err != nil {
		t.Fatal(err)
	}
	if _, err := eng.Exec(ctx, `DELETE FROM "big table" WHERE id % 4 != 0`); err != nil {
		t.Fatal(err)
	}
	r, err := Vacuum(ctx, eng, VacuumOptions{Checkpoint: true})
	if err != nil {
		t.Fatal(err)
	}
	if r.FreeBefore < 300 || r.FreeAfter != 0 || r.PagesAfter >= r.PagesBefore || r.BytesAfter() != r.PagesAfter*4096 {
		t.Fatalf("VacuumResult = %+v", r)
	}
	if r.FileBytesAfter >= r.FileBytesBefore || r.FileBytesAfter != r.BytesAfter() {
		t.Fatalf("file %d -> %d bytes; logical %d", r.FileBytesBefore, r.FileBytesAfter, r.BytesAfter())
	}
	if n := scalar(t, eng, `SELECT count(*) FROM "big table"`); n != 500 {
		t.Fatalf("rows after vacuum = %d", n)
	}
}

func TestAnalyzeAndOptimize(t *testing.T) {
	ctx := context.Background()
	eng := openEngine(t, liteactor.MinimalConfig())
	fill(t, eng, 50)
	if _, err := eng.Exec(ctx, `CREATE TABLE "select" (a); CREATE INDEX "select a" ON "select" (a); INSERT INTO "select" VALUES (1), (2);
		CREATE INDEX big_pad ON "big table" (pad)`); err != nil {
		t.Fatal(err)
	}
	if err := Analyze(ctx, eng, "select"); err != nil {
		t.Fatal(err)
	}
	if n := scalar(t, eng, `SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'select'`); n != 1 {
		t.Fatalf("stat rows for select = %d", n)
	}
	if n := scalar(t, eng, `SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'big table'`); n != 0 {
		t.Fatal("analyzing one table analyzed another")
	}
	if err := Analyze(ctx, eng, ""); err != nil {
		t.Fatal(err)
	}
	if n := scalar(t, eng, `SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'big table'`); n != 1 {
		t.Fatalf("stat rows for big table = %d", n)
	}
	if err := Analyze(ctx, eng, "missing"); err == nil {
		t.Fatal("Analyze of a missing table succeeded")
	}
	if err := Optimize(ctx, eng); err != nil {
		t.Fatal(err)
	}
}

func TestOptimizerRunsPeriodicallyAndStops(t *testing.T) {
	eng := openEngine(t, liteactor.MinimalConfig())
	runs := make(chan error, 100)
	o, err := StartOptimizer(context.Background(), eng, OptimizerOptions{Interval: time.Millisecond, Timeout: time.Minute, OnRun: func(err error) { runs <- err }})
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if err := <-runs; err != nil {
			t.Fatal(err)
		}
	}
	o.Stop()
	o.Stop() // idempotent
	select {
	case <-o.Done():
	default:
		t.Fatal("Done not closed after Stop")
	}
	if _, err := StartOptimizer(context.Background(), eng, OptimizerOptions{}); err == nil {
		t.Fatal("zero interval accepted")
	}
}

func TestOptimizerStopsWhenTheEngineCloses(t *testing.T) {
	eng := openEngine(t, liteactor.MinimalConfig())
	runs := make(chan error, 100)
	o, err := StartOptimizer(context.Background(), eng, OptimizerOptions{Interval: time.Millisecond, Timeout: time.Minute, OnRun: func(err error) { runs <- err }})
	if err != nil {
		t.Fatal(err)
	}
	<-runs
	if err := eng.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	<-o.Done() // stops by itself after ErrClosed
	var last error
	for len(runs) > 0 {
		last = <-runs
	}
	if !errors.Is(last, liteactor.ErrClosed) {
		t.Fatalf("last run: %v, want ErrClosed", last)
	}
	o.Stop()
}

func TestAutoVacuumAndIncrementalVacuum(t *testing.T) {
	ctx := context.Background()
	eng := openEngine(t, liteactor.MinimalConfig())
	fill(t, eng, 500)
	if m, err := AutoVacuum(ctx, eng); err != nil || m != AutoVacuumNone {
		t.Fatalf("AutoVacuum = %v, %v", m, err)
	}
	if m, err := SetAutoVacuum(ctx, eng, AutoVacuumIncremental); err != nil || m != AutoVacuumIncremental {
		t.Fatalf("SetAutoVacuum = %v, %v", m, err)
	}
	if m, err := AutoVacuum(ctx, eng); err != nil || m != AutoVacuumIncremental {
		t.Fatalf("AutoVacuum after set = %v, %v", m, err)
	}
	if _, err := eng.Exec(ctx, `DELETE FROM "big table" WHERE id > 100`); err != nil {
		t.Fatal(err)
	}
	free := scalar(t, eng, "PRAGMA freelist_count")
	if free < 100 {
		t.Fatalf("free pages = %d", free)
	}
	freed, err := IncrementalVacuum(ctx, eng, 10)
	if err != nil || freed != 10 {
		t.Fatalf("IncrementalVacuum(10) = %d, %v", freed, err)
	}
	freed, err = IncrementalVacuum(ctx, eng, 0)
	if err != nil || freed != free-10 {
		t.Fatalf("IncrementalVacuum(all) = %d, %v; want %d", freed, err, free-10)
	}
	if n := scalar(t, eng, "PRAGMA freelist_count"); n != 0 {
		t.Fatalf("free pages left = %d", n)
	}
	if m, err := SetAutoVacuum(ctx, eng, AutoVacuumFull); err != nil || m != AutoVacuumFull {
		t.Fatalf("SetAutoVacuum(FULL) = %v, %v", m, err)
	}
	if _, err := SetAutoVacuum(ctx, eng, 7); err == nil {
		t.Fatal("mode 7 accepted")
	}
}

func errorsInReasons(reasons []string, want string) bool {
	for _, r := range reasons {
		if strings.Contains(r, want) {
			return true
		}
	}
	return false
}
