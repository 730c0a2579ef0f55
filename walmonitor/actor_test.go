package walmonitor

import (
	"log/slog"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/liteactor/liteactor/internal/enginetest"
	"github.com/liteactor/liteactor/messages"
	"github.com/ncruces/go-sqlite3"
	"go.uber.org/goleak"
)

func quietSystem() *actor.ActorSystem {
	return actor.NewActorSystem(actor.WithLoggerFactory(func(*actor.ActorSystem) *slog.Logger {
		return slog.New(slog.DiscardHandler)
	}))
}

// tickingReaders counts the monitor's ticks (each tick measures the oldest
// read once) and panics on the one numbered crashOn, crashing the monitor
// through a dependency rather than a test hook.
type tickingReaders struct {
	ticks   atomic.Int64
	crashOn int64
}

func (r *tickingReaders) OldestRead() (time.Time, int) {
	if r.ticks.Add(1) == r.crashOn {
		panic("walmonitor test: crash on a tick")
	}
	return time.Time{}, -1
}

func (r *tickingReaders) InterruptOlder(time.Time, time.Duration) int { return 0 }

func noCheckpoint(sqlite3.CheckpointMode, time.Duration, func(messages.CheckpointResult)) bool {
	return false
}

// TestMonitorRestartIsCountedAndTimerCancelled crashes the monitor once: the
// restart is counted, the new instance ticks again, and after Stop no tick
// arrives and no goroutine is left.
func TestMonitorRestartIsCountedAndTimerCancelled(t *testing.T) {
	defer goleak.VerifyNone(t)
	system := quietSystem()
	defer system.Shutdown()
	var restarts atomic.Uint64
	readers := &tickingReaders{crashOn: 3}
	ticks := &readers.ticks
	m := New(Config{Interval: 5 * time.Millisecond}, Deps{
		Checkpoint: noCheckpoint, Readers: readers, OnRestart: func() { restarts.Add(1) },
	})
	pid := system.Root.Spawn(m.Props())
	enginetest.WaitFor(t, "ticks after the restart", func() bool { return ticks.Load() >= 10 })
	if n := restarts.Load(); n != 1 {
		t.Fatalf("MonitorRestart = %d, want 1", n)
	}
	if err := system.Root.StopFuture(pid).Wait(); err != nil {
		t.Fatal(err)
	}
	if m.self.Load() != nil {
		t.Fatal("a stopped monitor is still the hook's target")
	}
	stopped := ticks.Load()
	// Ten intervals without a tick: the timer was cancelled.
	<-time.After(10 * m.cfg.Interval)
	if n := ticks.Load(); n != stopped {
		t.Fatalf("%d ticks after Stop", n-stopped)
	}
}

// TestDisabledMonitorHasNoActor: with the monitor disabled there is no
// actor and no read-age limit, but checkpoints are still recorded.
func TestDisabledMonitorHasNoActor(t *testing.T) {
	m := New(Config{Disabled: true, ReadTxnMaxAge: time.Second}, Deps{Checkpoint: noCheckpoint, Readers: &tickingReaders{}})
	if m.Props() != nil {
		t.Fatal("disabled monitor has props")
	}
	if m.MaxReadAge() != 0 {
		t.Fatal("disabled monitor set MaxReadAge")
	}
	m.OnCheckpoint(messages.CheckpointResult{Mode: sqlite3.CHECKPOINT_FULL, At: time.Now(), LogFrames: 10, Checkpointed: 10})
	if st := m.Stats(); st.Checkpoints["FULL"] != 1 || st.LastLogFrames != 10 || st.LastCheckpointed != 10 {
		t.Fatalf("stats = %+v", st)
	}
}

// TestAutoCheckpointOwnership writes 1500 pages in small transactions on a
// raw connection prepared as the writer prepares its own (OnConn, then
// WALHook installed). Monitor on: its WAL hook sees every
// commit and SQLite's auto-checkpoint is off, so all 1500 frames stay in the
// log until the monitor checkpoints. Monitor disabled: no hook, and SQLite's
// auto-checkpoint restarts the log after 1000 pages.
func TestAutoCheckpointOwnership(t *testing.T) {
	for _, disabled := range []bool{false, true} {
		name := "monitor on"
		if disabled {
			name = "monitor disabled"
		}
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "own.db")
			c, err := sqlite3.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if err := c.Exec("PRAGMA journal_mode=WAL; CREATE TABLE t(v BLOB)"); err != nil {
				t.Fatal(err)
			}
			m := New(Config{Disabled: disabled, CheckpointPages: 1 << 20}, Deps{Checkpoint: noCheckpoint})
			m.OnConn(c)
			if h := m.WALHook(); h != nil {
				c.WALHook(h)
			} else if !disabled {
				t.Fatal("no WAL hook with the monitor on")
			}
			if got := *m.walPath.Load(); got != path+"-wal" {
				t.Fatalf("WAL path %q, want %q", got, path+"-wal")
			}
			for range 150 {
				if err := c.Exec("INSERT INTO t SELECT randomblob(3000) FROM generate_series(1, 10)"); err != nil {
					t.Fatal(err)
				}
			}
			log, ckpt, err := c.WALCheckpoint("main", sqlite3.CHECKPOINT_PASSIVE)
			if err != nil {
				t.Fatal(err)
			}
			hooked := m.frames.Load()
			t.Logf("log %d frames, %d checkpointed; hook saw %d", log, ckpt, hooked)
			if disabled {
				if log >= 1000 || hooked != 0 {
					t.Fatalf("auto-checkpoint did not restart the log (%d frames) or a hook ran (%d)", log, hooked)
				}
				return
			}
			if log < 1500 || hooked != int64(log) {
				t.Fatalf("log holds %d frames, hook saw %d: want >= 1500, equal (auto-checkpoint must be off)", log, hooked)
			}
		})
	}
}
