package liteactor

import (
	"fmt"
	"os"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/liteactor/liteactor/actors"
	"github.com/liteactor/liteactor/supervisor"
	"github.com/ncruces/go-sqlite3"
	"github.com/rs/zerolog"
)

// Synchronous is SQLite's PRAGMA synchronous for the writer connection.
//
// What each mode guarantees for an acknowledged write (one that returned
// without error), in WAL mode:
//
//	            process crash   OS crash / power cut
//	SyncFull    survives        survives
//	SyncNormal  survives        lost only if acknowledged in the last
//	                            WAL.SyncInterval (never half-applied, no
//	                            corruption)
//	SyncOff     survives        may be lost; the database may be corrupt
//
// A process crash (kill -9, panic) loses nothing in any mode: every commit
// has reached the OS before it is acknowledged. DefaultConfig and
// ProductionConfig use SyncFull.
type Synchronous uint8

const (
	// SyncFull (the zero value; DefaultConfig, ProductionConfig): the WAL
	// is fsynced before any write of the batch is acknowledged, so an
	// acknowledged write survives an OS crash or power cut. Group commit
	// makes one fsync serve a whole batch.
	SyncFull Synchronous = iota
	// SyncNormal (opt in; MinimalConfig uses it): commits are not fsynced; the writer fsyncs the WAL once it holds commits
	// WAL.SyncInterval old (200 ms by default), and checkpoints sync it too.
	// An OS crash or power cut may roll back the commits acknowledged in
	// the last SyncInterval (plus the batch running then and the fsync):
	// what survives is a prefix of the commits. With SyncInterval WALOff,
	// every commit since the last checkpoint may be rolled back. It never
	// corrupts the database and never half-applies a Write. Cheaper than
	// SyncFull by one fsync per committed batch.
	SyncNormal
	// SyncOff: no fsync at all. A process crash loses nothing, but an OS
	// crash or power cut may lose any write and may corrupt the database.
	// For scratch data only.
	SyncOff
)

func (s Synchronous) pragma() (string, bool) {
	switch s {
	case SyncNormal:
		return "NORMAL", true
	case SyncFull:
		return "FULL", true
	case SyncOff:
		return "OFF", true
	}
	return "", false
}

// OverflowPolicy says what a write does when the admission queue is full.
type OverflowPolicy uint8

const (
	// Block waits for room as long as the caller's ctx allows.
	Block OverflowPolicy = iota + 1
	// BlockTimeout waits up to Queue.Timeout, then fails with ErrQueueFull.
	BlockTimeout
	// Reject fails with ErrQueueFull at once.
	Reject
	// DropOldest evicts the oldest queued write (its caller gets ErrDropped)
	// and admits the new one. Writes already taken by the writer are never
	// evicted.
	DropOldest
)

// policy maps the public policy to the admission queue's; ok is false for
// an unknown one.
func (p OverflowPolicy) policy() (_ actors.Policy, ok bool) {
	switch p {
	case Block:
		return actors.PolicyBlock, true
	case BlockTimeout:
		return actors.PolicyBlockTimeout, true
	case Reject:
		return actors.PolicyReject, true
	case DropOldest:
		return actors.PolicyDropOldest, true
	}
	return 0, false
}

func (p OverflowPolicy) String() string {
	switch p {
	case Block:
		return "Block"
	case BlockTimeout:
		return "BlockTimeout"
	case Reject:
		return "Reject"
	case DropOldest:
		return "DropOldest"
	}
	return fmt.Sprintf("OverflowPolicy(%d)", uint8(p))
}

// QueueConfig sizes the write admission queue.
type QueueConfig struct {
	// Capacity is how many writes may wait for the writer; writes the writer
	// has taken do not count.
	Capacity int
	Overflow OverflowPolicy
	// Timeout is how long BlockTimeout waits for room.
	Timeout time.Duration
}

// DefaultQueue: 1000 writes, BlockTimeout 5s. For most services.
func DefaultQueue() QueueConfig {
	return QueueConfig{Capacity: 1000, Overflow: BlockTimeout, Timeout: 5 * time.Second}
}

// MetricsQueue: 10000 writes, DropOldest. For telemetry where the newest
// sample matters more than every sample.
func MetricsQueue() QueueConfig { return QueueConfig{Capacity: 10000, Overflow: DropOldest} }

// CriticalQueue: 100 writes, BlockTimeout 30s. For writes that must not be
// lost: callers wait (backpressure) rather than fail fast.
func CriticalQueue() QueueConfig {
	return QueueConfig{Capacity: 100, Overflow: BlockTimeout, Timeout: 30 * time.Second}
}

// NonBlockingQueue: 1000 writes, Reject. For request paths that must never
// wait on the database: a full queue fails at once with ErrQueueFull.
func NonBlockingQueue() QueueConfig { return QueueConfig{Capacity: 1000, Overflow: Reject} }

// WALConfig is the WAL monitor's policy (package walmonitor). Zero fields
// take the defaults documented on each; negative values are refused by Open
// (ErrInvalidConfig), except JournalSizeLimit's.
//
// Who checkpoints: with the monitor on (the default), the engine installs a
// WAL hook on the writer connection, which turns SQLite's auto-checkpoint
// off; the monitor then owns checkpointing, always between write batches,
// and never issues RESTART. With Disabled, no hook is installed and
// SQLite's auto-checkpoint (PASSIVE at commit once the WAL holds 1000
// pages) keeps the WAL bounded; Close still runs a TRUNCATE.
type WALConfig struct {
	// Disabled turns the monitor off; SQLite's own auto-checkpoint (1000
	// pages) then keeps the WAL bounded, and ReadTxnMaxAge cannot be used.
	Disabled bool
	// Interval is how often the monitor measures the WAL (one stat and a
	// few atomic loads). 0: 1s. Commits that cross CheckpointPages wake the
	// monitor at once, so the WAL stays bounded between ticks.
	Interval time.Duration
	// WarnBytes logs a warning while the -wal file is larger than this (when
	// it crosses, then every 30 intervals). 0: 64 MiB, the default
	// journal_size_limit: a WAL that stays above it is not being reset.
	// WALOff: never.
	WarnBytes int64
	// CheckpointPages asks for a PASSIVE checkpoint once this many WAL
	// frames (pages) wait to be copied back. 0: 1000, SQLite's own
	// auto-checkpoint threshold (about 4 MiB of WAL with 4 KiB pages).
	CheckpointPages int
	// TruncateBytes is the emergency brake: above it the monitor asks for a
	// TRUNCATE checkpoint, which waits briefly (50 ms) for readers and is
	// retried once they are gone. 0: 256 MiB. WALOff: never.
	TruncateBytes int64
	// ReadBarrierMax bounds the emergency brake's read barrier: once a
	// TRUNCATE above TruncateBytes has failed (reads overlap, so some read
	// always holds a snapshot), the next one runs behind a barrier: new
	// reads wait in the read queue while the reads in flight finish, the
	// TRUNCATE runs, the reads go. If the reads in flight have not finished
	// within ReadBarrierMax, the barrier is released and retried after a
	// backoff; reads are never interrupted for it (see ReadTxnMaxAge).
	// Counted in Stats().WAL.ReadBarriers and BarrierExpired. 0: 1s.
	// WALOff: no barrier (the TRUNCATE is only retried).
	ReadBarrierMax time.Duration
	// IdleTruncate asks for a TRUNCATE once no write has committed for this
	// long, so a quiet database gives the WAL's disk space back. 0: 10s.
	// WALOff: never.
	IdleTruncate time.Duration
	// ReadTxnMaxAge, when positive, interrupts reads whose transaction has
	// been open longer than this (checked every Interval): they fail with
	// an error wrapping ErrReadTooOld, and their snapshot stops holding the
	// WAL back. 0 (the default): reads are never interrupted for their age.
	ReadTxnMaxAge time.Duration
	// SyncInterval bounds what SyncNormal may lose: the writer fsyncs the
	// WAL once it holds commits SyncInterval old (between batches), so an OS
	// crash or power cut loses at most the writes acknowledged in the last
	// SyncInterval (plus the batch running then and the fsync itself). 0:
	// 200 ms. WALOff: never (the WAL is then fsynced only by checkpoints).
	// Applies to SyncNormal only: SyncFull syncs every batch, SyncOff never
	// syncs. Independent of Disabled: the writer does it, not the monitor.
	SyncInterval time.Duration
	// JournalSizeLimit is PRAGMA journal_size_limit in bytes: the WAL file is
	// truncated to this size after a checkpoint resets it. 0: 64 MiB.
	// Negative: SQLite's default (no limit).
	JournalSizeLimit int64
}

// RestartBudget bounds restarts of one actor: more than Max failures within
// Within escalate to the engine's parent. Restarts that replace a
// connection after a callback panic are not counted.
type RestartBudget struct {
	Max    int
	Within time.Duration
}

// Config configures an engine. Start from DefaultConfig, ProductionConfig
// or MinimalConfig: Open validates every field and refuses a zero Config.
type Config struct {
	// Readers is the number of reader actors, each with its own connection.
	Readers int
	// BusyTimeout is how long a connection waits on a lock held by another
	// process before SQLITE_BUSY.
	BusyTimeout time.Duration
	// ReadTimeout bounds how long a read waits for a free reader
	// (ErrReadTimeout); 0 waits as long as the caller's ctx allows.
	ReadTimeout time.Duration
	// CacheSizeKB is each connection's page cache (PRAGMA cache_size=-N); 0
	// keeps SQLite's default.
	CacheSizeKB int
	// Synchronous applies to the writer connection.
	Synchronous Synchronous
	// Queue is the write admission queue.
	Queue QueueConfig
	// MaxBatch is how many queued writes the writer commits in one
	// transaction (group commit); 1 gives one transaction per write.
	MaxBatch int
	// ReadBatch is how many queued point queries a reader may answer from
	// one read transaction; 1 disables sharing.
	ReadBatch int
	// StatementCacheSize is the per-connection prepared statement LRU size;
	// 0 disables caching.
	StatementCacheSize int
	// WAL is the WAL monitor's policy.
	WAL WALConfig
	// InitHook runs once on every connection the engine opens (writer and
	// readers, and their replacements), after the engine's PRAGMAs. An error
	// fails Open (or the restart).
	InitHook func(*sqlite3.Conn) error
	// CommitHook, if set, is called on every commit of the writer connection
	// the engine lets through; returning false vetoes it (the commit fails
	// with sqlite3.CONSTRAINT_COMMITHOOK and is rolled back). The engine owns
	// the writer's commit and rollback hooks (they keep a callback from
	// committing outside the engine's transaction): one set in InitHook is
	// replaced, set it here instead.
	CommitHook func() bool
	// Logger receives the engine's logs and, when the engine makes its own
	// actor system, protoactor's. The zero Logger prints nothing.
	Logger zerolog.Logger
	// ActorSystem hosts the engine's actors; nil makes a private one.
	ActorSystem *actor.ActorSystem
	// Parent, if set, spawns the engine's supervisor as a child of that
	// context (an actor's context, from inside its Receive, so the service's
	// supervision tree holds the engine). nil spawns it at the root of
	// ActorSystem.
	Parent actor.SpawnerContext
	// Name names the supervisor actor and labels logs; default "liteactor".
	Name string
	// Restarts is the restart budget per actor.
	Restarts RestartBudget
	// FileMode is the permission bits of the database file and its -wal and
	// -shm files when the engine creates the database; 0 means 0600
	// (owner-only). For an existing database the -wal and -shm files get the
	// database file's permissions instead. Applies to file paths, not to
	// ":memory:" or "file:" URIs (use SQLite's modeof URI parameter there).
	FileMode os.FileMode
	// Observers see every operation (see Observer): Before in this order,
	// After in reverse. nil entries are refused.
	Observers []Observer
}

// DefaultConfig: 4 readers, busy timeout 5s, read timeout 30s, 16000 KB
// cache, synchronous FULL (an acknowledged write survives a power cut),
// DefaultQueue, group commit up to 128, WAL monitor on.
func DefaultConfig() Config {
	return Config{
		Readers:            4,
		BusyTimeout:        5 * time.Second,
		ReadTimeout:        30 * time.Second,
		CacheSizeKB:        16000,
		Synchronous:        SyncFull,
		Queue:              DefaultQueue(),
		MaxBatch:           128,
		ReadBatch:          32,
		StatementCacheSize: 128,
		Restarts:           RestartBudget{Max: 10, Within: 10 * time.Second},
	}
}

// ProductionConfig: DefaultConfig with 8 readers, busy timeout 10s and a
// 64000 KB cache.
func ProductionConfig() Config {
	c := DefaultConfig()
	c.Readers = 8
	c.BusyTimeout = 10 * time.Second
	c.CacheSizeKB = 64000
	return c
}

// MinimalConfig: 1 reader, busy timeout 2s, read timeout 5s, 2000 KB cache,
// WAL monitor off, synchronous NORMAL. For tests, tools and small embedded
// uses: NORMAL because it is for data that can be rebuilt, where an fsync
// per commit would only cost time; an OS crash or power cut may roll back
// the commits of the last WAL.SyncInterval (200 ms; never corrupts). Set
// Synchronous to SyncFull when acknowledged writes must survive a power
// cut.
func MinimalConfig() Config {
	c := DefaultConfig()
	c.Synchronous = SyncNormal
	c.Readers = 1
	c.BusyTimeout = 2 * time.Second
	c.ReadTimeout = 5 * time.Second
	c.CacheSizeKB = 2000
	c.WAL.Disabled = true
	return c
}

func invalid(field, format string, a ...any) error {
	return fmt.Errorf("%w: %s: %s", ErrInvalidConfig, field, fmt.Sprintf(format, a...))
}

// validate reports the first field Open cannot use.
func (c *Config) validate() error {
	switch {
	case c.Readers < 1:
		return invalid("Readers", "must be at least 1, got %d", c.Readers)
	case c.BusyTimeout < 0:
		return invalid("BusyTimeout", "must not be negative, got %s", c.BusyTimeout)
	case c.ReadTimeout < 0:
		return invalid("ReadTimeout", "must not be negative, got %s", c.ReadTimeout)
	case c.CacheSizeKB < 0:
		return invalid("CacheSizeKB", "must not be negative, got %d", c.CacheSizeKB)
	case c.Queue.Capacity < 1:
		return invalid("Queue.Capacity", "must be at least 1, got %d", c.Queue.Capacity)
	case c.Queue.Timeout < 0:
		return invalid("Queue.Timeout", "must not be negative, got %s", c.Queue.Timeout)
	case c.Queue.Overflow == BlockTimeout && c.Queue.Timeout == 0:
		return invalid("Queue.Timeout", "BlockTimeout needs a positive timeout")
	case c.MaxBatch < 1:
		return invalid("MaxBatch", "must be at least 1, got %d", c.MaxBatch)
	case c.ReadBatch < 0:
		return invalid("ReadBatch", "must not be negative, got %d", c.ReadBatch)
	case c.StatementCacheSize < 0:
		return invalid("StatementCacheSize", "must not be negative, got %d", c.StatementCacheSize)
	case c.Restarts.Max < 1:
		return invalid("Restarts.Max", "must be at least 1, got %d", c.Restarts.Max)
	case c.Restarts.Within <= 0:
		return invalid("Restarts.Within", "must be positive, got %s", c.Restarts.Within)
	case c.FileMode&^os.ModePerm != 0:
		return invalid("FileMode", "only permission bits are allowed, got %v", c.FileMode)
	case c.FileMode != 0 && c.FileMode&0o600 != 0o600:
		return invalid("FileMode", "the owner must be able to read and write, got %v", c.FileMode)
	}
	if _, ok := c.Queue.Overflow.policy(); !ok {
		return invalid("Queue.Overflow", "unknown policy %d", uint8(c.Queue.Overflow))
	}
	if _, ok := c.Synchronous.pragma(); !ok {
		return invalid("Synchronous", "unknown value %d", uint8(c.Synchronous))
	}
	for i, o := range c.Observers {
		if o == nil {
			return invalid(fmt.Sprintf("Observers[%d]", i), "is nil")
		}
	}
	if err := c.WAL.validate(); err != nil {
		return err
	}
	return nil
}

func (w *WALConfig) validate() error {
	switch {
	case w.Interval < 0:
		return invalid("WAL.Interval", "must not be negative, got %s", w.Interval)
	case w.WarnBytes < 0:
		return invalid("WAL.WarnBytes", "must not be negative, got %d", w.WarnBytes)
	case w.CheckpointPages < 0:
		return invalid("WAL.CheckpointPages", "must not be negative, got %d", w.CheckpointPages)
	case w.TruncateBytes < 0:
		return invalid("WAL.TruncateBytes", "must not be negative, got %d", w.TruncateBytes)
	case w.IdleTruncate < 0:
		return invalid("WAL.IdleTruncate", "must not be negative, got %s", w.IdleTruncate)
	case w.ReadBarrierMax < 0:
		return invalid("WAL.ReadBarrierMax", "must not be negative, got %s", w.ReadBarrierMax)
	case w.SyncInterval < 0:
		return invalid("WAL.SyncInterval", "must not be negative, got %s", w.SyncInterval)
	case w.ReadTxnMaxAge < 0:
		return invalid("WAL.ReadTxnMaxAge", "must not be negative, got %s", w.ReadTxnMaxAge)
	case w.ReadTxnMaxAge > 0 && w.Disabled:
		return invalid("WAL.ReadTxnMaxAge", "needs the WAL monitor, which Disabled turns off")
	}
	return nil
}

// treeConfig resolves a validated Config for package supervisor, with log
// (the engine's logger) and the engine's observer hooks.
func (e *Engine) treeConfig() supervisor.Config {
	c := &e.cfg
	sync, _ := c.Synchronous.pragma()
	policy, _ := c.Queue.Overflow.policy()
	tc := supervisor.Config{
		Path:     e.path,
		FileMode: c.FileMode,
		Conn: actors.ConnConfig{
			BusyTimeout:      c.BusyTimeout,
			CacheSizeKB:      c.CacheSizeKB,
			Synchronous:      sync,
			JournalSizeLimit: c.WAL.journalSizeLimit(),
			StmtCacheSize:    c.StatementCacheSize,
			InitHook:         c.InitHook,
			CommitHook:       c.CommitHook,
		},
		Readers:      c.Readers,
		ReadTimeout:  c.ReadTimeout,
		ReadBatch:    c.ReadBatch,
		MaxBatch:     c.MaxBatch,
		Queue:        supervisor.QueueConfig{Capacity: c.Queue.Capacity, Policy: policy, Timeout: c.Queue.Timeout},
		WAL:          c.WAL.monitorConfig(),
		SyncInterval: c.syncInterval(),
		Budget:       supervisor.Budget{Max: c.Restarts.Max, Within: c.Restarts.Within},
		Name:         c.Name,
		Log:          e.log,
		ActorSystem:  c.ActorSystem,
		Parent:       c.Parent,
		Panic:        newPanicError,
	}
	if len(e.obs) > 0 {
		tc.Observe, tc.ObserveCheckpoint = e.observeActor, e.observeCheckpoint
	}
	return tc
}
