package liteactor_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/liteactor/liteactor"
	"github.com/liteactor/liteactor/internal/enginetest"
	"github.com/ncruces/go-sqlite3"
	"github.com/rs/zerolog"
)

// logBuf collects an engine's JSON log lines for assertions.
type logBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// entries returns the decoded log lines whose "op" is op.
func (l *logBuf) entries(op string) []map[string]any {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []map[string]any
	for _, line := range strings.Split(l.b.String(), "\n") {
		var m map[string]any
		if json.Unmarshal([]byte(line), &m) == nil && m["op"] == op {
			out = append(out, m)
		}
	}
	return out
}

// walConfig is a small-interval config for WAL tests, logging into buf.
func walConfig(buf *logBuf) liteactor.Config {
	cfg := liteactor.DefaultConfig()
	cfg.Readers = 2
	cfg.WAL.Interval = 20 * time.Millisecond
	if buf != nil {
		cfg.Logger = zerolog.New(buf).Level(zerolog.DebugLevel)
	}
	return cfg
}

func walSize(t testing.TB, path string) int64 {
	t.Helper()
	fi, err := os.Stat(path + "-wal")
	if os.IsNotExist(err) {
		return 0
	}
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}

// peakWAL samples the -wal file's size until stop is closed and returns the
// largest size seen.
func peakWAL(path string, stop <-chan struct{}) <-chan int64 {
	out := make(chan int64, 1)
	go func() {
		var peak int64
		tk := time.NewTicker(time.Millisecond)
		defer tk.Stop()
		for {
			if fi, err := os.Stat(path + "-wal"); err == nil && fi.Size() > peak {
				peak = fi.Size()
			}
			select {
			case <-stop:
				out <- peak
				return
			case <-tk.C:
			}
		}
	}()
	return out
}

const walSchema = "CREATE TABLE t(id INTEGER PRIMARY KEY, v BLOB)"

// insertRows writes n rows of size bytes each in one Write.
func insertRows(ctx context.Context, e *liteactor.Engine, n, size int) error {
	return e.Write(ctx, func(c *sqlite3.Conn) error {
		s, _, err := c.Prepare("INSERT INTO t(v) VALUES (randomblob(?))")
		if err != nil {
			return err
		}
		defer s.Close()
		for range n {
			s.BindInt(1, size)
			if err := s.Exec(); err != nil {
				return err
			}
		}
		return nil
	})
}

func noRestart(t *testing.T, st liteactor.Stats) {
	t.Helper()
	for mode := range st.WAL.Checkpoints {
		if mode != "PASSIVE" && mode != "FULL" && mode != "TRUNCATE" {
			t.Errorf("checkpoint mode %s was run", mode)
		}
	}
}

// TestWALSustainedWritesStayBounded: with the default WAL policy, 4
// writers committing ~32 MB while a reader runs point queries nonstop keep
// the -wal file under 24 MiB (the reset level, 4*CheckpointPages frames of
// a 4 KiB page, is 15.7 MiB; measured peaks are about 8 MiB).
func TestWALSustainedWritesStayBounded(t *testing.T) {
	var buf logBuf
	cfg := liteactor.DefaultConfig() // default WAL policy: Interval 1s, CheckpointPages 1000
	cfg.Logger = zerolog.New(&buf).Level(zerolog.DebugLevel)
	e, path := open(t, cfg)
	ctx := context.Background()
	mustExec(t, e, walSchema)
	stop := make(chan struct{})
	peak := peakWAL(path, stop)
	var reads atomic.Int64
	readsDone := make(chan struct{})
	go func() {
		defer close(readsDone)
		for {
			select {
			case <-stop:
				return
			default:
			}
			if _, err := e.Query(ctx, "SELECT length(v) FROM t WHERE id = ?", reads.Load()%1000+1); err != nil {
				t.Error(err)
				return
			}
			reads.Add(1)
		}
	}()
	start := time.Now()
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 400 {
				if err := insertRows(ctx, e, 50, 400); err != nil {
					t.Errorf("writer %d: %v", w, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	close(stop)
	<-readsDone
	p := <-peak
	st := e.Stats()
	t.Logf("peak WAL %.1f MiB while writing 32 MB in %s with %d point reads; checkpoints %v, busy %d",
		float64(p)/(1<<20), elapsed.Round(time.Millisecond), reads.Load(), st.WAL.Checkpoints, st.WAL.BusyCheckpoint)
	if p >= 24<<20 {
		t.Errorf("peak WAL %d bytes, want under 24 MiB", p)
	}
	if st.WAL.Checkpoints["PASSIVE"]+st.WAL.Checkpoints["TRUNCATE"] == 0 {
		t.Error("the monitor ran no checkpoint")
	}
	noRestart(t, st)
}

// pinSnapshot starts a Read that takes a snapshot and holds it until
// release is closed; it returns once the snapshot is taken.
func pinSnapshot(t *testing.T, e *liteactor.Engine) (release func() error) {
	t.Helper()
	pinned, rel, done := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	go func() {
		done <- e.Read(context.Background(), func(c *sqlite3.Conn) error {
			s, _, err := c.Prepare("SELECT count(*) FROM t")
			if err != nil {
				close(pinned)
				return err
			}
			s.Step()
			s.Close()
			close(pinned)
			<-rel
			return nil
		})
	}()
	<-pinned
	var once sync.Once
	var err error
	release = func() error {
		once.Do(func() { close(rel); err = <-done })
		return err
	}
	t.Cleanup(func() { release() }) // before the engine's Close, which waits for reads
	return release
}

// TestWALPinnedReaderStarvesThenRecovers: a read holding a snapshot while
// writes pile up makes the WAL grow and raises the starvation warning with
// its figures; once the read lets go and writes stop, the -wal file is back
// under 4 MiB within a few intervals.
func TestWALPinnedReaderStarvesThenRecovers(t *testing.T) {
	var buf logBuf
	cfg := walConfig(&buf)
	cfg.WAL.CheckpointPages = 200
	cfg.WAL.IdleTruncate = 100 * time.Millisecond
	cfg.WAL.WarnBytes = 4 << 20
	e, path := open(t, cfg)
	ctx := context.Background()
	mustExec(t, e, walSchema)
	if err := insertRows(ctx, e, 10, 400); err != nil {
		t.Fatal(err)
	}
	release := pinSnapshot(t, e)
	for walSize(t, path) < 12<<20 {
		if err := insertRows(ctx, e, 100, 4000); err != nil {
			t.Fatal(err)
		}
	}
	enginetest.WaitFor(t, "a starvation warning", func() bool { return e.Stats().WAL.Starvations > 0 })
	warns := buf.entries("starvation")
	if len(warns) == 0 {
		t.Fatal("Stats counted starvation but nothing was logged")
	}
	w := warns[0]
	t.Logf("starvation warning: %v", w)
	if w["level"] != "warn" || w["wal_bytes"].(float64) < 200*4096 || w["frames"].(float64) <= w["checkpointed"].(float64)+200 ||
		w["oldest_read_age"].(float64) <= 0 || w["oldest_reader"].(float64) < 0 {
		t.Fatalf("starvation warning lacks its figures: %v", w)
	}
	if len(buf.entries("wal_size")) == 0 {
		t.Error("no WarnBytes warning while the WAL was above 4 MiB")
	}
	peak := walSize(t, path)
	if err := release(); err != nil {
		t.Fatal(err)
	}
	released := time.Now()
	enginetest.WaitFor(t, "the WAL back under 4 MiB", func() bool { return walSize(t, path) < 4<<20 })
	recovered := time.Since(released)
	st := e.Stats()
	t.Logf("peak WAL %.1f MiB behind the pinned read; back under 4 MiB %s after release (interval %s); checkpoints %v, busy %d, starvation warnings %d",
		float64(peak)/(1<<20), recovered.Round(time.Millisecond), cfg.WAL.Interval, st.WAL.Checkpoints, st.WAL.BusyCheckpoint, st.WAL.Starvations)
	if st.WAL.Checkpoints["TRUNCATE"] == 0 {
		t.Error("recovered without a TRUNCATE")
	}
	if st.WAL.BusyCheckpoint == 0 {
		t.Error("no checkpoint was counted busy behind the pinned read")
	}
	noRestart(t, st)
}

// TestWALManualCheckpoints: Engine.Checkpoint's results in each mode, with
// and without a reader holding a snapshot; RESTART is refused.
func TestWALManualCheckpoints(t *testing.T) {
	cfg := walConfig(nil)
	cfg.BusyTimeout = 100 * time.Millisecond // bounds the manual TRUNCATE's wait
	cfg.WAL.Interval = time.Hour             // the monitor stays out of the way
	cfg.WAL.CheckpointPages = 1 << 20
	cfg.WAL.IdleTruncate = liteactor.WALOff
	cfg.WAL.TruncateBytes = liteactor.WALOff
	e, path := open(t, cfg)
	ctx := context.Background()
	mustExec(t, e, walSchema)
	if err := insertRows(ctx, e, 100, 4000); err != nil {
		t.Fatal(err)
	}
	res, err := e.Checkpoint(ctx, sqlite3.CHECKPOINT_PASSIVE)
	if err != nil || res.LogFrames < 100 || res.Checkpointed != res.LogFrames {
		t.Fatalf("PASSIVE = %+v, %v; want every frame (>= 100) checkpointed", res, err)
	}
	if err := insertRows(ctx, e, 100, 4000); err != nil {
		t.Fatal(err)
	}
	res, err = e.Checkpoint(ctx, sqlite3.CHECKPOINT_FULL)
	if err != nil || res.LogFrames < 100 || res.Checkpointed != res.LogFrames {
		t.Fatalf("FULL = %+v, %v; want every frame checkpointed", res, err)
	}

	release := pinSnapshot(t, e)
	if err := insertRows(ctx, e, 100, 4000); err != nil {
		t.Fatal(err)
	}
	res, err = e.Checkpoint(ctx, sqlite3.CHECKPOINT_PASSIVE)
	if err != nil || res.Checkpointed >= res.LogFrames {
		t.Fatalf("PASSIVE behind a pinned read = %+v, %v; want frames left behind", res, err)
	}
	res, err = e.Checkpoint(ctx, sqlite3.CHECKPOINT_TRUNCATE)
	if !errors.Is(err, sqlite3.BUSY) {
		t.Fatalf("TRUNCATE behind a pinned read = %+v, %v; want BUSY", res, err)
	}
	if err := release(); err != nil {
		t.Fatal(err)
	}
	res, err = e.Checkpoint(ctx, sqlite3.CHECKPOINT_TRUNCATE)
	if err != nil || res.LogFrames != 0 || res.Checkpointed != 0 {
		t.Fatalf("TRUNCATE = %+v, %v; want an empty log", res, err)
	}
	if n := walSize(t, path); n != 0 {
		t.Fatalf("-wal file is %d bytes after TRUNCATE", n)
	}
	if _, err := e.Checkpoint(ctx, sqlite3.CHECKPOINT_RESTART); !errors.Is(err, liteactor.ErrInvalidArg) {
		t.Fatalf("RESTART: %v, want ErrInvalidArg", err)
	}

	st := e.Stats().WAL
	if st.Checkpoints["PASSIVE"] != 2 || st.Checkpoints["FULL"] != 1 || st.Checkpoints["TRUNCATE"] != 2 {
		t.Fatalf("checkpoints by mode = %v, want PASSIVE 2, FULL 1, TRUNCATE 2", st.Checkpoints)
	}
	if st.BusyCheckpoint != 2 {
		t.Errorf("BusyCheckpoint = %d, want 2 (the PASSIVE and the TRUNCATE behind the read)", st.BusyCheckpoint)
	}
	if st.LastCheckpoint.IsZero() || st.LastLogFrames != 0 || st.LastErr != "" || st.Bytes != 0 || st.Frames != 0 {
		t.Errorf("last checkpoint figures = %+v", st)
	}
	noRestart(t, e.Stats())
}

// TestWALCheckpointPagesTriggersPassive: a commit that leaves
// CheckpointPages frames to copy back gets a PASSIVE checkpoint at once,
// without waiting for the (hour-long) interval.
func TestWALCheckpointPagesTriggersPassive(t *testing.T) {
	cfg := walConfig(nil)
	cfg.WAL.Interval = time.Hour
	cfg.WAL.CheckpointPages = 50
	e, _ := open(t, cfg)
	ctx := context.Background()
	mustExec(t, e, walSchema)
	if err := insertRows(ctx, e, 10, 4000); err != nil {
		t.Fatal(err)
	}
	if st := e.Stats().WAL; st.Checkpoints["PASSIVE"] != 0 || st.Frames < 10 {
		t.Fatalf("before the threshold: %+v", st)
	}
	if err := insertRows(ctx, e, 60, 4000); err != nil {
		t.Fatal(err)
	}
	enginetest.WaitFor(t, "a PASSIVE checkpoint", func() bool { return e.Stats().WAL.Checkpoints["PASSIVE"] > 0 })
	st := e.Stats().WAL
	if st.LastCheckpointed < 50 || st.Checkpoints["TRUNCATE"] != 0 {
		t.Fatalf("after the threshold: %+v", st)
	}
}

// TestWALTruncateBytesTriggersTruncate: above TruncateBytes the monitor
// truncates the WAL while writes go on.
func TestWALTruncateBytesTriggersTruncate(t *testing.T) {
	var buf logBuf
	cfg := walConfig(&buf)
	cfg.WAL.CheckpointPages = 1 << 20 // no PASSIVE
	cfg.WAL.IdleTruncate = liteactor.WALOff
	cfg.WAL.TruncateBytes = 1 << 20
	e, path := open(t, cfg)
	ctx := context.Background()
	mustExec(t, e, walSchema)
	if err := insertRows(ctx, e, 600, 4000); err != nil { // about 2.4 MB
		t.Fatal(err)
	}
	enginetest.WaitFor(t, "a TRUNCATE", func() bool { return e.Stats().WAL.Checkpoints["TRUNCATE"] > 0 })
	enginetest.WaitFor(t, "the WAL under 1 MiB", func() bool { return walSize(t, path) < 1<<20 })
	if !requested(&buf, "TRUNCATE", "size") {
		t.Fatal("the TRUNCATE was not asked for because of TruncateBytes")
	}
	if e.Stats().WAL.Checkpoints["PASSIVE"] != 0 {
		t.Fatal("a PASSIVE ran below CheckpointPages")
	}
}

// requested reports whether the monitor logged a checkpoint request of mode
// for reason.
func requested(buf *logBuf, mode, reason string) bool {
	for _, m := range buf.entries("checkpoint") {
		if m["mode"] == mode && m["reason"] == reason {
			return true
		}
	}
	return false
}

// TestWALIdleTruncate: once no write has committed for IdleTruncate, the
// monitor truncates the WAL to zero bytes.
func TestWALIdleTruncate(t *testing.T) {
	var buf logBuf
	cfg := walConfig(&buf)
	cfg.WAL.CheckpointPages = 1 << 20
	cfg.WAL.TruncateBytes = liteactor.WALOff
	cfg.WAL.IdleTruncate = 100 * time.Millisecond
	e, path := open(t, cfg)
	ctx := context.Background()
	mustExec(t, e, walSchema)
	// The write commits between wrote and written. The engine may truncate
	// for the idle time after the schema's commit before it (under load
	// this goroutine can be descheduled for IdleTruncate): the TRUNCATE
	// awaited is one after written.
	wrote := time.Now()
	if err := insertRows(ctx, e, 50, 4000); err != nil {
		t.Fatal(err)
	}
	written := time.Now()
	if walSize(t, path) == 0 && !e.Stats().WAL.LastCheckpoint.After(written) {
		t.Fatal("the write left no WAL")
	}
	enginetest.WaitFor(t, "an idle TRUNCATE", func() bool {
		st := e.Stats().WAL
		return st.Checkpoints["TRUNCATE"] > 0 && st.LastCheckpoint.After(written) && walSize(t, path) == 0
	})
	st := e.Stats().WAL
	if idle := st.LastCheckpoint.Sub(wrote); idle < cfg.WAL.IdleTruncate {
		t.Fatalf("TRUNCATE %s after the write, before IdleTruncate (%s)", idle, cfg.WAL.IdleTruncate)
	}
	if !requested(&buf, "TRUNCATE", "idle") {
		t.Fatal("the TRUNCATE was not asked for because writes were idle")
	}
}

// TestWALWarnBytes: a WAL above WarnBytes is logged with its figures, and
// its return under the limit too.
func TestWALWarnBytes(t *testing.T) {
	var buf logBuf
	cfg := walConfig(&buf)
	cfg.WAL.CheckpointPages = 1 << 20
	cfg.WAL.TruncateBytes = liteactor.WALOff
	cfg.WAL.IdleTruncate = liteactor.WALOff
	cfg.WAL.WarnBytes = 256 << 10
	e, _ := open(t, cfg)
	ctx := context.Background()
	mustExec(t, e, walSchema)
	if err := insertRows(ctx, e, 200, 4000); err != nil {
		t.Fatal(err)
	}
	enginetest.WaitFor(t, "the WarnBytes warning", func() bool { return len(buf.entries("wal_size")) > 0 })
	w := buf.entries("wal_size")[0]
	if w["level"] != "warn" || w["wal_bytes"].(float64) <= 256<<10 || w["warn_bytes"].(float64) != 256<<10 {
		t.Fatalf("warning = %v", w)
	}
	if _, err := e.Checkpoint(ctx, sqlite3.CHECKPOINT_TRUNCATE); err != nil {
		t.Fatal(err)
	}
	enginetest.WaitFor(t, "the all-clear", func() bool {
		for _, m := range buf.entries("wal_size") {
			if m["level"] == "info" {
				return true
			}
		}
		return false
	})
}

// TestWALReadTxnMaxAge: a read open longer than ReadTxnMaxAge is
// interrupted with ErrReadTooOld, its reader is not restarted, and short
// reads are untouched.
func TestWALReadTxnMaxAge(t *testing.T) {
	var buf logBuf
	cfg := walConfig(&buf)
	cfg.WAL.ReadTxnMaxAge = 100 * time.Millisecond
	e, _ := open(t, cfg)
	ctx := context.Background()
	mustExec(t, e, walSchema)
	if err := insertRows(ctx, e, 10, 100); err != nil {
		t.Fatal(err)
	}
	// A callback that keeps querying is stopped at its next statement.
	start := time.Now()
	err := e.Read(ctx, func(c *sqlite3.Conn) error {
		for {
			s, _, err := c.Prepare("SELECT count(*) FROM t")
			if err != nil {
				return err
			}
			s.Step()
			err = s.Close()
			if err != nil {
				return err
			}
			select {
			case <-c.GetInterrupt().Done():
			case <-time.After(time.Millisecond):
			}
		}
	})
	if !errors.Is(err, liteactor.ErrReadTooOld) || !errors.Is(err, sqlite3.INTERRUPT) {
		t.Fatalf("long read: %v; want ErrReadTooOld wrapping INTERRUPT", err)
	}
	if held := time.Since(start); held < cfg.WAL.ReadTxnMaxAge {
		t.Fatalf("interrupted after %s, before ReadTxnMaxAge", held)
	}
	t.Logf("long read: %v", err)
	// A callback blocked outside SQLite sees it through GetInterrupt.
	err = e.Read(ctx, func(c *sqlite3.Conn) error {
		<-c.GetInterrupt().Done()
		return nil
	})
	if !errors.Is(err, liteactor.ErrReadTooOld) {
		t.Fatalf("blocked read: %v; want ErrReadTooOld", err)
	}
	for i := range 50 {
		if _, err := e.Query(ctx, "SELECT count(*) FROM t"); err != nil {
			t.Fatalf("short read %d: %v", i, err)
		}
	}
	if st := e.Stats(); st.Restarts.Reader != 0 {
		t.Fatalf("%d reader restarts", st.Restarts.Reader)
	}
	if len(buf.entries("read_max_age")) == 0 {
		t.Fatal("the interruption was not logged")
	}
}

// TestWALMonitorSurvivesWriterRestart: after a panicking write replaces the
// writer's connection, the new connection has the WAL hook (frames are seen,
// SQLite's auto-checkpoint stays off) and the monitor still gets its
// checkpoints run.
func TestWALMonitorSurvivesWriterRestart(t *testing.T) {
	cfg := walConfig(nil)
	cfg.WAL.Interval = time.Hour // only the hook's nudges trigger checkpoints
	cfg.WAL.CheckpointPages = 1500
	e, _ := open(t, cfg)
	ctx := context.Background()
	mustExec(t, e, walSchema)
	err := e.Write(ctx, func(*sqlite3.Conn) error { panic("replace the writer's connection") })
	if !errors.Is(err, liteactor.ErrPanic) {
		t.Fatalf("panicking write: %v", err)
	}
	enginetest.WaitFor(t, "the writer restart", func() bool { return e.Stats().Restarts.Writer > 0 })
	for range 24 { // about 1200 pages in small transactions
		if err := insertRows(ctx, e, 50, 4000); err != nil {
			t.Fatal(err)
		}
	}
	if st := e.Stats().WAL; st.Frames < 1200 || st.Checkpoints["PASSIVE"] != 0 {
		t.Fatalf("after 1200 pages on the new connection: frames %d, checkpoints %v; want the hook to see them all and no auto-checkpoint", st.Frames, st.Checkpoints)
	}
	for range 8 {
		if err := insertRows(ctx, e, 50, 4000); err != nil {
			t.Fatal(err)
		}
	}
	enginetest.WaitFor(t, "a PASSIVE after the restart", func() bool { return e.Stats().WAL.Checkpoints["PASSIVE"] > 0 })
	if st := e.Stats(); st.Restarts.WALMonitor != 0 {
		t.Fatalf("the monitor restarted %d times", st.Restarts.WALMonitor)
	}
}

// TestWALDisabledKeepsSQLiteAutoCheckpoint: with the monitor off SQLite's
// auto-checkpoint bounds the log (it restarts after 1000 pages), and Close
// still leaves no WAL behind.
func TestWALDisabledKeepsSQLiteAutoCheckpoint(t *testing.T) {
	cfg := liteactor.MinimalConfig()
	e, path := open(t, cfg)
	ctx := context.Background()
	mustExec(t, e, walSchema)
	for range 30 { // about 1500 pages
		if err := insertRows(ctx, e, 50, 4000); err != nil {
			t.Fatal(err)
		}
	}
	res, err := e.Checkpoint(ctx, sqlite3.CHECKPOINT_PASSIVE)
	if err != nil || res.LogFrames >= 1000 {
		t.Fatalf("PASSIVE = %+v, %v; want a log restarted by auto-checkpoint (< 1000 frames)", res, err)
	}
	st := e.Stats().WAL
	if st.Checkpoints["PASSIVE"] != 1 || st.Bytes == 0 || st.Frames != res.LogFrames {
		t.Fatalf("stats with the monitor off: %+v", st)
	}
	if err := e.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if n := walSize(t, path); n != 0 {
		t.Fatalf("-wal file is %d bytes after Close", n)
	}
}

// TestWALConfigValidation: negative thresholds are refused, naming the field;
// zero takes the documented defaults.
func TestWALConfigValidation(t *testing.T) {
	for field, set := range map[string]func(*liteactor.WALConfig){
		"WAL.Interval":        func(w *liteactor.WALConfig) { w.Interval = -time.Second },
		"WAL.WarnBytes":       func(w *liteactor.WALConfig) { w.WarnBytes = -1 },
		"WAL.CheckpointPages": func(w *liteactor.WALConfig) { w.CheckpointPages = -1 },
		"WAL.TruncateBytes":   func(w *liteactor.WALConfig) { w.TruncateBytes = -1 },
		"WAL.IdleTruncate":    func(w *liteactor.WALConfig) { w.IdleTruncate = -time.Second },
		"WAL.ReadTxnMaxAge":   func(w *liteactor.WALConfig) { w.ReadTxnMaxAge = -time.Second },
		"WAL.SyncInterval":    func(w *liteactor.WALConfig) { w.SyncInterval = -time.Second },
		"WAL.ReadBarrierMax":  func(w *liteactor.WALConfig) { w.ReadBarrierMax = -time.Second },
	} {
		cfg := liteactor.DefaultConfig()
		set(&cfg.WAL)
		_, err := liteactor.Open(context.Background(), filepath.Join(t.TempDir(), "x.db"), cfg)
		if !errors.Is(err, liteactor.ErrInvalidConfig) || !strings.Contains(err.Error(), field) {
			t.Errorf("%s negative: %v", field, err)
		}
	}
	cfg := liteactor.MinimalConfig()
	cfg.WAL.ReadTxnMaxAge = time.Second
	if _, err := liteactor.Open(context.Background(), filepath.Join(t.TempDir(), "x.db"), cfg); !errors.Is(err, liteactor.ErrInvalidConfig) ||
		!strings.Contains(err.Error(), "WAL.ReadTxnMaxAge") {
		t.Errorf("ReadTxnMaxAge with the monitor disabled: %v", err)
	}
	cfg = liteactor.DefaultConfig()
	cfg.WAL.JournalSizeLimit = -1 // SQLite's "no limit"
	e, err := liteactor.Open(context.Background(), filepath.Join(t.TempDir(), "x.db"), cfg)
	if err != nil {
		t.Fatalf("JournalSizeLimit -1: %v", err)
	}
	if err := e.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
}
