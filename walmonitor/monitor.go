package walmonitor

import (
	"errors"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/liteactor/liteactor/messages"
	"github.com/ncruces/go-sqlite3"
	"github.com/rs/zerolog"
)

// Deps is what the monitor watches and talks to. They outlive actor
// restarts, so the monitor keeps working across a writer or reader restart.
type Deps struct {
	// Memory is true for an in-memory database: there is no -wal file to
	// measure.
	Memory bool
	// Checkpoint asks the writer instance running now for a checkpoint
	// between batches, with busy (when positive) as its busy timeout; reply
	// gets the result and must not block. It reports false, and reply is
	// not called, when no writer is running.
	Checkpoint func(mode sqlite3.CheckpointMode, busy time.Duration, reply func(messages.CheckpointResult)) bool
	// Readers reports and interrupts the readers' open read transactions;
	// nil: none to watch.
	Readers Readers
	// WritesPending, if set, reports whether writes are queued or being
	// run: writes are not idle then, however old the last commit (a long
	// batch has not committed yet).
	WritesPending func() bool
	// Barrier holds new reads back for a TRUNCATE (the read queue); nil:
	// no read barrier.
	Barrier Barrier
	// CheckFile, if set, asks the writer to check, between batches, that
	// the database file it has open is still the one at its path; the
	// monitor calls it every Interval, so an idle engine notices a
	// replaced file too.
	CheckFile func()
	// OnRestart, if set, is called each time the monitor actor restarts.
	OnRestart func()
	// Log receives the monitor's logs (component "walmonitor").
	Log zerolog.Logger
}

// Readers is what the monitor needs of the readers: the age of the oldest
// open read transaction (starvation reports) and interrupting those older
// than ReadTxnMaxAge. *actors.ReaderEnv implements it.
type Readers interface {
	// OldestRead returns when the oldest open read transaction began and
	// which reader holds it (the zero time and -1 when none is open).
	OldestRead() (time.Time, int)
	// InterruptOlder interrupts every read whose transaction began more
	// than maxAge before now and returns how many it interrupted.
	InterruptOlder(now time.Time, maxAge time.Duration) int
}

// Barrier is what the monitor needs of the read queue for the emergency
// brake. *actors.ReadQueue implements it.
type Barrier interface {
	// Hold stops handing out new reads and calls onIdle once no read is
	// running; false if it could not (already held, closed).
	Hold(onIdle func()) bool
	// Release ends the hold.
	Release()
}

// Monitor is the state the WAL monitor shares with the writer (WAL hook,
// checkpoint results) and with Engine.Stats. It outlives monitor restarts.
// Its methods are safe for concurrent use.
type Monitor struct {
	cfg  Config
	deps Deps
	log  zerolog.Logger
	hook func(*sqlite3.Conn, string, int) error // walHook, made once; nil when disabled

	walPath atomic.Pointer[string] // the -wal file; nil: no WAL (memory database)

	// Written by the writer's goroutine (hook, checkpoint results).
	frames     atomic.Int64 // frames in the WAL after the last commit or checkpoint
	ckpt       atomic.Int64 // of those, frames already checkpointed
	lastCommit atomic.Int64 // Unix nanoseconds of the last commit
	nudged     atomic.Bool  // a nudge is pending or being acted on
	// truncFrames is TruncateBytes in frames of this database's page size:
	// a commit that takes the WAL past it nudges the monitor at once.
	truncFrames atomic.Int64

	self   atomic.Pointer[actor.PID]         // the running monitor actor
	sender atomic.Pointer[actor.RootContext] // to nudge it from the hook

	// Stats.
	bytes       atomic.Int64
	byMode      [4]atomic.Uint64 // by sqlite3.CheckpointMode
	busy        atomic.Uint64
	starvations atomic.Uint64
	barriers    atomic.Uint64 // TRUNCATEs run behind a read barrier
	barrierMiss atomic.Uint64 // barriers released because reads in flight outlasted BarrierMax
	mu          sync.Mutex
	last        messages.CheckpointResult
}

// New builds the monitor for cfg. The caller wires it into the writer and
// the readers when it builds them: OnConn on every fresh writer connection,
// OnCheckpoint for every checkpoint result, and MaxReadAge as the readers'
// read-age limit.
func New(cfg Config, deps Deps) *Monitor {
	m := &Monitor{cfg: cfg.withDefaults(), deps: deps, log: deps.Log.With().Str("component", "walmonitor").Logger()}
	if !m.cfg.Disabled {
		m.hook = m.walHook
	}
	return m
}

// WALHook is the hook the writer installs on its connection, and again
// after every callback (which may have replaced it through the Go API):
// it reports each commit's WAL size to the monitor. Installing it turns
// SQLite's auto-checkpoint off: the monitor owns checkpointing. nil when
// the monitor is disabled (SQLite's auto-checkpoint then runs).
func (m *Monitor) WALHook() func(*sqlite3.Conn, string, int) error { return m.hook }

// MaxReadAge is the limit the readers must enforce on their read
// transactions (ReadTxnMaxAge); 0, no limit, when the monitor is disabled.
func (m *Monitor) MaxReadAge() time.Duration {
	if m.cfg.Disabled {
		return 0
	}
	return m.cfg.ReadTxnMaxAge
}

// Config returns the monitor's resolved policy (defaults applied).
func (m *Monitor) Config() Config { return m.cfg }

// Props returns the monitor actor's props, or nil when the monitor is
// disabled.
func (m *Monitor) Props() *actor.Props {
	if m.cfg.Disabled {
		return nil
	}
	return actor.PropsFromProducer(func() actor.Actor { return &monitorActor{m: m} })
}

// OnConn learns the -wal file's name and the page size from a fresh writer
// connection (the writer installs WALHook itself). The writer calls it on
// its own goroutine.
func (m *Monitor) OnConn(c *sqlite3.Conn) {
	if !m.deps.Memory {
		if f := c.Filename("main"); f != nil {
			if p := f.WAL(); p != "" {
				m.walPath.Store(&p)
			}
		}
	}
	if !m.cfg.Disabled {
		if m.cfg.TruncateBytes > 0 {
			m.truncFrames.Store(m.cfg.TruncateBytes / (pageSize(c) + walFrameHeader))
		}
	}
}

// walFrameHeader is the size of a WAL frame's header: a frame is that plus
// one page.
const walFrameHeader = 24

// pageSize is the database's page size (4096 if it cannot be read).
func pageSize(c *sqlite3.Conn) int64 {
	s, _, err := c.Prepare("PRAGMA page_size")
	if err != nil {
		return 4096
	}
	defer s.Close()
	if s.Step() {
		if n := s.ColumnInt64(0); n > 0 {
			return n
		}
	}
	return 4096
}

// walHook runs inside every commit on the writer connection, with the number
// of frames now in the WAL. It records them and nudges the monitor when the
// frames not yet checkpointed reach CheckpointPages.
func (m *Monitor) walHook(_ *sqlite3.Conn, schema string, pages int) error {
	if schema != "main" {
		return nil
	}
	p := int64(pages)
	if p < m.frames.Load() {
		m.ckpt.Store(0) // the log restarted from its beginning
	}
	m.frames.Store(p)
	m.lastCommit.Store(time.Now().UnixNano())
	tf := m.truncFrames.Load()
	if (p-m.ckpt.Load() >= int64(m.cfg.CheckpointPages) || p >= ResetFactor*int64(m.cfg.CheckpointPages) || (tf > 0 && p > tf)) &&
		!m.nudged.Swap(true) {
		pid, root := m.self.Load(), m.sender.Load()
		if pid == nil || root == nil {
			m.nudged.Store(false)
			return nil
		}
		root.Send(pid, nudgeMsg)
	}
	return nil
}

// OnCheckpoint records every checkpoint the writer runs (the monitor's,
// manual ones, the one at Close). The writer calls it on its own goroutine.
func (m *Monitor) OnCheckpoint(res messages.CheckpointResult) {
	if res.LogFrames >= 0 && (res.Err == nil || errors.Is(res.Err, sqlite3.BUSY)) {
		m.frames.Store(int64(res.LogFrames))
		m.ckpt.Store(int64(res.Checkpointed))
	}
	m.nudged.Store(false)
	if int(res.Mode) >= 0 && int(res.Mode) < len(m.byMode) {
		m.byMode[res.Mode].Add(1)
	}
	if errors.Is(res.Err, sqlite3.BUSY) || (res.Err == nil && res.Checkpointed < res.LogFrames) {
		m.busy.Add(1)
	}
	m.mu.Lock()
	m.last = res
	m.mu.Unlock()
	if res.Mode == sqlite3.CHECKPOINT_TRUNCATE {
		if sz, ok := m.walSize(); ok {
			m.bytes.Store(sz)
		}
	}
}

// walSize stats the -wal file: 0 when it does not exist; false when there is
// no WAL file to measure (memory database) or stat failed otherwise.
func (m *Monitor) walSize() (int64, bool) {
	p := m.walPath.Load()
	if p == nil {
		return 0, false
	}
	fi, err := os.Stat(*p)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return 0, true
		}
		return 0, false
	}
	return fi.Size(), true
}

// Stats returns the WAL figures for Engine.Stats. With the monitor disabled
// the file is measured now; otherwise Bytes is the last measurement.
func (m *Monitor) Stats() messages.WALStats {
	s := messages.WALStats{
		Frames:         int(m.frames.Load()),
		BusyCheckpoint: m.busy.Load(),
		Starvations:    m.starvations.Load(),
		ReadBarriers:   m.barriers.Load(),
		BarrierExpired: m.barrierMiss.Load(),
		Checkpoints:    make(map[string]uint64, 3),
	}
	for _, mode := range []sqlite3.CheckpointMode{sqlite3.CHECKPOINT_PASSIVE, sqlite3.CHECKPOINT_FULL, sqlite3.CHECKPOINT_TRUNCATE} {
		s.Checkpoints[messages.ModeName(mode)] = m.byMode[mode].Load()
	}
	if n := m.byMode[sqlite3.CHECKPOINT_RESTART].Load(); n > 0 {
		s.Checkpoints[messages.ModeName(sqlite3.CHECKPOINT_RESTART)] = n
	}
	if m.cfg.Disabled {
		s.Bytes, _ = m.walSize()
	} else {
		s.Bytes = m.bytes.Load()
	}
	m.mu.Lock()
	last := m.last
	m.mu.Unlock()
	if !last.At.IsZero() {
		s.LastCheckpoint, s.LastLogFrames, s.LastCheckpointed = last.At, last.LogFrames, last.Checkpointed
		if last.Err != nil {
			s.LastErr = last.Err.Error()
		}
	}
	return s
}

// observe takes one measurement.
func (m *Monitor) observe(now, started time.Time) observation {
	o := observation{now: now, frames: m.frames.Load()}
	o.backlog = o.frames - m.ckpt.Load()
	if sz, ok := m.walSize(); ok {
		o.walBytes = sz
		m.bytes.Store(sz)
	}
	o.lastCommit = started
	if lc := m.lastCommit.Load(); lc != 0 {
		if t := time.Unix(0, lc); t.After(started) {
			o.lastCommit = t
		}
	}
	if m.deps.Readers != nil {
		o.oldestRead, _ = m.deps.Readers.OldestRead()
	}
	if m.deps.WritesPending != nil {
		o.pending = m.deps.WritesPending()
	}
	return o
}
