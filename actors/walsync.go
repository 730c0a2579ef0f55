package actors

import (
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/ncruces/go-sqlite3"
	"github.com/ncruces/go-sqlite3/vfs"
)

// WALSync bounds what synchronous=NORMAL may lose. Under NORMAL SQLite
// fsyncs the WAL only when a checkpoint copies it back, so a power cut may
// roll back every commit since the last checkpoint. With Interval set, the
// writer fsyncs the WAL itself once it holds commits that are Interval old:
// a timer armed by the first commit after a sync sends the writer a message,
// which it handles between batches. A write acknowledged at time t is thus
// durable by t + Interval + the batch running then + the fsync itself.
//
// The fsync goes through SQLite's own handle of the -wal file
// (SQLITE_FCNTL_JOURNAL_POINTER), so every VFS layer under SQLite sees it
// as a Sync of that file, as it sees SQLite's own.
type WALSync struct {
	// Interval is the longest a commit stays unsynced before the writer
	// asks for an fsync; 0: never (NORMAL's plain behaviour).
	Interval time.Duration

	syncs    atomic.Uint64
	failures atomic.Uint64
	last     atomic.Int64 // Unix nanoseconds when the last successful sync began
}

// Syncs returns how many interval fsyncs of the WAL succeeded and failed.
func (s *WALSync) Syncs() (ok, failed uint64) { return s.syncs.Load(), s.failures.Load() }

// Last returns when the last successful interval fsync began: every write
// acknowledged before that instant is durable (zero: none yet).
func (s *WALSync) Last() time.Time {
	if n := s.last.Load(); n != 0 {
		return time.Unix(0, n)
	}
	return time.Time{}
}

// syncDue is the timer's message to the writer.
type syncDue struct{}

var syncDueMsg = &syncDue{}

// errNotWAL: the database is not in WAL mode (an Exclusive may have changed
// journal_mode); there is no WAL file to sync.
var errNotWAL = errors.New("liteactor: database not in WAL mode")

// walSyncer is the writer's per-instance sync state: whether commits wait
// for an fsync, and the armed timer.
type walSyncer struct {
	dirty bool
	timer *time.Timer
}

// committed notes that a batch ran (it may have committed frames to the
// WAL) and arms the timer if none is armed.
func (w *writer) committed() {
	s := &w.env.Sync
	if s.Interval <= 0 {
		return
	}
	w.ws.dirty = true
	if w.ws.timer != nil {
		return
	}
	env, root := w.env, w.root
	w.ws.timer = time.AfterFunc(s.Interval, func() {
		if pid := env.Self.Load(); pid != nil {
			root.Send(pid, syncDueMsg)
		}
	})
}

// syncDue runs the fsync the timer asked for, between batches.
func (w *writer) syncDue() {
	w.ws.timer = nil
	if !w.ws.dirty || w.conn == nil {
		return
	}
	w.ws.dirty = false
	s := &w.env.Sync
	start := time.Now()
	if err := syncWAL(w.conn); err != nil {
		if errors.Is(err, errNotWAL) {
			return
		}
		s.failures.Add(1)
		w.log.Error().Str("op", "wal_sync").Err(err).Msg("fsync of the WAL failed; commits since the last sync may not survive a power cut; retrying")
		w.committed() // retry after another interval
		return
	}
	s.syncs.Add(1)
	s.last.Store(start.UnixNano())
}

// stopTimers cancels the sync timer when the instance stops or restarts.
func (w *writer) stopTimers() {
	if w.ws.timer != nil {
		w.ws.timer.Stop()
		w.ws.timer = nil
	}
}

// syncWAL fsyncs the -wal file through SQLite's handle. It first runs a
// read of the schema cookie, which makes the pager open the WAL if this
// connection has not yet, and checks that the database is in WAL mode: the
// journal pointer is the WAL file only then.
func syncWAL(c *Conn) error {
	if !c.inWAL() {
		return errNotWAL
	}
	if err := c.execEngine("PRAGMA main.schema_version"); err != nil {
		return err
	}
	h, err := c.FileControl("main", sqlite3.FCNTL_JOURNAL_POINTER)
	if err != nil {
		return err
	}
	f, ok := h.(vfs.File)
	if !ok {
		return fmt.Errorf("liteactor: no WAL file handle (%T)", h)
	}
	return f.Sync(vfs.SYNC_NORMAL)
}

// inWAL reports whether the main database is in WAL mode (false when the
// query fails).
func (c *Conn) inWAL() bool {
	s, err := c.engineStmt("PRAGMA main.journal_mode")
	if err != nil {
		return false
	}
	mode := ""
	if s.Step() {
		mode = s.ColumnText(0)
	}
	if s.Reset() != nil {
		return false
	}
	return mode == "wal"
}
