// Package walmonitor watches an engine's write-ahead log and owns its
// checkpoints.
//
// The monitor is a child actor of the engine's supervisor, which builds it
// with New (and Deps: how to reach the writer and the readers) before the
// writer and readers, and hands its OnConn, OnCheckpoint and MaxReadAge to
// them. Every Interval it
// measures the -wal file (one stat) and the frame counts the writer's WAL
// hook records (atomics), and asks the writer, between batches, for:
//
//   - a PASSIVE checkpoint when CheckpointPages frames are waiting to be
//     copied back (the WAL hook also nudges the monitor as soon as a commit
//     crosses that mark, so the WAL stays bounded under sustained writes);
//   - a TRUNCATE checkpoint when the file is larger than TruncateBytes (the
//     emergency brake), or when writes have been idle for IdleTruncate. A
//     TRUNCATE waits at most TruncateBusy for readers, so it never stalls
//     the writer for long; when it meets a reader it is retried once the
//     readers that blocked it are gone, or after a backoff.
//   - a TRUNCATE behind a read barrier when one above TruncateBytes has
//     failed (overlapping short reads: some read always holds a snapshot):
//     new reads are held in the read queue while the reads in flight
//     finish, the TRUNCATE runs, and the reads are released. The hold lasts
//     at most BarrierMax; if the reads in flight have not finished by then,
//     it is released and retried after a backoff. Reads are never
//     interrupted for it (only ReadTxnMaxAge does that).
//
// It never issues a RESTART checkpoint: behind long readers a RESTART holds
// the write lock and stalls every writer (litestream issue #724).
//
// Ownership: setting a WAL hook turns SQLite's own auto-checkpoint off (and
// removing the hook does not turn it back on), so with the monitor on the
// engine owns checkpointing completely; with the monitor disabled no hook is
// installed and SQLite's auto-checkpoint (1000 pages, at commit) stays on.
//
// Starvation: when the checkpoints keep leaving at least CheckpointPages
// frames behind (a reader holds an old snapshot) for StarveAfter intervals
// in a row, the monitor logs a warning with the figures (WAL bytes, frames,
// frames checkpointed, the age of the oldest open read) and counts it. With
// ReadTxnMaxAge set, reads open longer than that are interrupted.
package walmonitor

import "time"

// Defaults: the one table of the engine's WAL defaults. liteactor.WALConfig
// takes them for its zero fields; Config.withDefaults for the fields it
// leaves unset.
const (
	// DefaultJournalSizeLimit is PRAGMA journal_size_limit: after a
	// checkpoint resets the log, the -wal file is truncated to 64 MiB.
	DefaultJournalSizeLimit = 64 << 20
	// DefaultInterval: a stat and a few atomic loads a second cost nothing,
	// and commits crossing CheckpointPages nudge the monitor at once anyway.
	DefaultInterval = time.Second
	// DefaultCheckpointPages: SQLite's own auto-checkpoint threshold, so the
	// WAL behaves as SQLite users expect (about 4 MiB with 4 KiB pages).
	DefaultCheckpointPages = 1000
	// DefaultWarnBytes: the default journal_size_limit. A WAL that stays
	// above it is not being reset, which means checkpoints are falling
	// behind or starved.
	DefaultWarnBytes = DefaultJournalSizeLimit
	// DefaultTruncateBytes: four times the warning level. A WAL this large
	// slows every read (longer wal-index lookups) and holds disk; a TRUNCATE
	// resets it as soon as the readers allow.
	DefaultTruncateBytes = 256 << 20
	// DefaultIdleTruncate: after 10 s without a commit the burst is over;
	// truncating the WAL then gives its disk space back and lets readers
	// read the database file alone. One TRUNCATE per quiet period.
	DefaultIdleTruncate = 10 * time.Second
	// DefaultTruncateBusy bounds how long a monitor TRUNCATE waits for
	// readers: the writer is blocked for that long at most, once per retry.
	DefaultTruncateBusy = 50 * time.Millisecond
	// DefaultSyncInterval bounds what synchronous=NORMAL may lose to a power
	// cut: the writer fsyncs the WAL once it holds commits this old. One
	// fsync per 200 ms costs nothing measurable next to NORMAL's commits and
	// bounds the loss window the way PostgreSQL's wal_writer_delay bounds
	// synchronous_commit=off.
	DefaultSyncInterval = 200 * time.Millisecond
	// DefaultBarrierMax bounds a read barrier (see Config.BarrierMax): new
	// reads wait at most this long for the reads in flight to finish.
	DefaultBarrierMax = time.Second
	// DefaultStarveAfter: consecutive intervals of starvation before the
	// warning, so a single long read does not raise it.
	DefaultStarveAfter = 3
	// ResetFactor: when the log holds ResetFactor*CheckpointPages frames it
	// is not being reset by itself (overlapping reads keep SQLite from
	// restarting it even though checkpoints keep up), and the monitor asks
	// for a TRUNCATE, which waits for those readers briefly.
	ResetFactor = 4
	// RepeatEvery is how many intervals apart a warning that still holds
	// (starvation, WarnBytes) is logged again.
	RepeatEvery = 30
)

// Config is the monitor's resolved policy. Zero disables a threshold
// (WarnBytes, TruncateBytes, IdleTruncate, ReadTxnMaxAge); Interval,
// CheckpointPages, TruncateBusy and StarveAfter take their defaults when
// zero or negative.
type Config struct {
	// Disabled: no monitor actor and no WAL hook (SQLite's auto-checkpoint
	// stays on). Checkpoint results are still recorded for Stats.
	Disabled        bool
	Interval        time.Duration // how often the monitor measures the WAL
	WarnBytes       int64         // warn while the -wal file is larger; 0: never
	CheckpointPages int           // PASSIVE once this many frames wait to be copied back
	TruncateBytes   int64         // TRUNCATE above this -wal size; 0: never
	IdleTruncate    time.Duration // TRUNCATE after this long without a commit; 0: never
	ReadTxnMaxAge   time.Duration // interrupt reads open longer; 0: never
	TruncateBusy    time.Duration // how long a monitor TRUNCATE waits for readers
	StarveAfter     int           // intervals of starvation before the warning
	// BarrierMax, when positive, lets the emergency brake hold new reads
	// back: once a TRUNCATE above TruncateBytes has failed, the next one
	// waits behind a read barrier (reads in flight finish, new ones queue)
	// for at most BarrierMax; 0: never.
	BarrierMax time.Duration
}

func (c Config) withDefaults() Config {
	if c.Interval <= 0 {
		c.Interval = DefaultInterval
	}
	if c.CheckpointPages <= 0 {
		c.CheckpointPages = DefaultCheckpointPages
	}
	if c.TruncateBusy <= 0 {
		c.TruncateBusy = DefaultTruncateBusy
	}
	if c.StarveAfter <= 0 {
		c.StarveAfter = DefaultStarveAfter
	}
	return c
}
