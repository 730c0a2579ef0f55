package liteactor

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/liteactor/liteactor/actors"
	"github.com/liteactor/liteactor/messages"
	"github.com/liteactor/liteactor/supervisor"
	"github.com/liteactor/liteactor/walmonitor"
	"github.com/ncruces/go-sqlite3"
	"github.com/ncruces/go-sqlite3/vfs/memdb"
	"github.com/rs/zerolog"
)

// Result is what Exec reports: rows changed by the statement and the rowid
// of the last insert on the writer connection.
type Result = actors.Result

// Rows is a fully materialised query result: column names, then one slice
// per row holding int64, float64, string, []byte or nil values.
type Rows = actors.Rows

// Stats is a snapshot of the engine's figures.
type Stats = messages.Stats

// Engine owns every connection to one database file: one writer actor behind
// a bounded admission queue with group commit, a pool of reader actors, and
// a supervisor over them. Its methods are safe for concurrent use.
type Engine struct {
	path    string
	cfg     Config
	log     zerolog.Logger
	system  *actor.ActorSystem
	pid     *actor.PID
	memName string

	counters *actors.Counters
	obs      []Observer // Config.Observers; empty: no hook cost
	obsPool  sync.Pool  // of *observation, for Go API calls
	wq       *actors.Queue
	rq       *actors.ReadQueue
	wenv     *actors.WriterEnv
	renv     *actors.ReaderEnv
	wal      *walmonitor.Monitor

	closing   atomic.Bool
	closeOnce sync.Once
	closeErr  error
	stopOnce  sync.Once
	stopped   chan struct{} // closed when the supervisor has stopped
}

// Open opens (creating if needed) the database at path and starts the
// engine's actors. path ":memory:" gives a private in-memory database shared
// by the writer and every reader, gone at Close. Open fails with an error
// wrapping ErrInvalidConfig for a bad cfg, and with SQLite's error (for
// example sqlite3.NOTADB for a file that is not a database, which is left
// untouched, or sqlite3.CANTOPEN for a missing directory) otherwise.
func Open(ctx context.Context, path string, cfg Config) (*Engine, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if cfg.Name == "" {
		cfg.Name = "liteactor"
	}
	e := &Engine{path: path, cfg: cfg, stopped: make(chan struct{}), counters: &actors.Counters{}}
	e.log = cfg.Logger.With().Str("db", cfg.Name).Logger()
	e.obs = append([]Observer(nil), cfg.Observers...)
	cc := e.connConfig()
	if isFilePath(path) {
		mode := cfg.FileMode
		if mode == 0 {
			mode = defaultFileMode
		}
		if _, err := createFiles(path, mode); err != nil {
			return nil, fmt.Errorf("liteactor: create %q: %w", path, err)
		}
	}
	if err := e.openConns(cc); err != nil {
		e.stopDispatchers()
		e.dropMemory()
		return nil, err
	}
	if isFilePath(path) {
		if err := matchCompanionModes(path); err != nil {
			e.closeInitial()
			e.stopDispatchers()
			return nil, fmt.Errorf("liteactor: set the mode of %q's -wal and -shm files: %w", path, err)
		}
	}
	e.system = cfg.ActorSystem
	if e.system == nil {
		e.system = actor.NewActorSystem(
			actor.WithLoggerFactory(func(*actor.ActorSystem) *actorSlog { return newSlogLogger(e.log) }),
			// protoactor starts a goroutine per throttle interval once a dead
			// letter appears (kicks to an actor that is restarting or stopped);
			// a short interval means none outlives Close by more than 10ms.
			actor.WithDeadLetterThrottleInterval(10*time.Millisecond))
	}
	root := e.system.Root
	e.wq = actors.NewQueue(cfg.Queue.Capacity, actors.Policy(cfg.Queue.Overflow-1), cfg.Queue.Timeout, e.counters, func() {
		if pid := e.wenv.Self.Load(); pid != nil {
			root.Send(pid, actors.KickMsg)
		}
	})
	e.wenv.Queue = e.wq
	e.rq = actors.NewReadQueue(cfg.Readers, cfg.ReadTimeout, max(cfg.ReadBatch, 1), e.counters, func(i int) {
		if pid := e.renv.Self[i].Load(); pid != nil {
			root.Send(pid, actors.KickMsg)
		}
	})
	e.renv.Queue = e.rq
	senv := &supervisor.Env{
		Writer:  e.wenv,
		Readers: e.renv,
		Monitor: e.setupWAL(),
		Budget:  supervisor.Budget{Max: cfg.Restarts.Max, Within: cfg.Restarts.Within},
		Log:     e.log,
		Stats:   e.Stats,
		Checkpoint: func(mode sqlite3.CheckpointMode, reply func(actors.CheckpointResult)) {
			e.sendCheckpoint(mode, 0, reply)
		},
		OnStopped: e.onStopped,
	}
	if len(e.obs) > 0 {
		senv.Observe = e.observeActor
	}
	props := supervisor.NewProps(senv)
	var err error
	if cfg.Parent != nil {
		e.pid, err = cfg.Parent.SpawnNamed(props, cfg.Name)
	} else {
		e.pid, err = root.SpawnNamed(props, cfg.Name+"-"+randomName())
	}
	if err != nil {
		e.closeInitial()
		e.stopDispatchers()
		return nil, fmt.Errorf("liteactor: spawn supervisor: %w", err)
	}
	// Return once the writer runs, so that control messages (Checkpoint)
	// sent right after Open find it.
	select {
	case <-e.wenv.Ready:
		return e, nil
	case <-e.stopped:
		return nil, fmt.Errorf("liteactor: engine stopped while starting: %w", ErrClosed)
	case <-ctx.Done():
		e.Close(context.Background())
		return nil, ctx.Err()
	}
}

type actorSlog = slog.Logger

func (e *Engine) connConfig() *actors.ConnConfig {
	cfg := e.cfg
	sync, _ := cfg.Synchronous.pragma()
	cc := &actors.ConnConfig{
		URI:              e.path,
		BusyTimeout:      cfg.BusyTimeout,
		CacheSizeKB:      cfg.CacheSizeKB,
		Synchronous:      sync,
		JournalSizeLimit: cfg.WAL.JournalSizeLimit,
		StmtCacheSize:    cfg.StatementCacheSize,
		InitHook:         cfg.InitHook,
	}
	if cc.JournalSizeLimit == 0 {
		cc.JournalSizeLimit = 64 << 20
	}
	if e.path == ":memory:" {
		// memdb shares a database among connections whose name starts
		// with "/", and registers it without the slash: Create must use
		// that name, or the database lives only while some connection is
		// open and vanishes when a restart closes them all.
		e.memName = "liteactor-" + randomName()
		memdb.Create(e.memName, nil)
		cc.URI = "file:/" + e.memName + "?vfs=memdb"
		cc.Memory = true
	} else if !strings.HasPrefix(e.path, "file:") {
		cc.URI = e.path
	}
	return cc
}

// openConns opens the writer connection, then every reader's, so that Open
// reports a bad path or a file that is not a database itself.
func (e *Engine) openConns(cc *actors.ConnConfig) error {
	e.wenv = &actors.WriterEnv{Conn: cc, Counters: e.counters, Log: e.log, MaxBatch: e.cfg.MaxBatch,
		Dispatcher: actors.NewPinnedDispatcher(300), Ready: make(chan struct{})}
	e.renv = actors.NewReaderEnv(e.cfg.Readers)
	e.renv.Conn, e.renv.Counters, e.renv.Log = cc, e.counters, e.log
	w, err := actors.OpenWriter(cc)
	if err != nil {
		return fmt.Errorf("liteactor: open %q: %w", e.path, err)
	}
	e.wenv.Initial = w
	for i := range e.renv.Initial {
		r, err := actors.OpenReader(cc)
		if err != nil {
			e.closeInitial()
			return fmt.Errorf("liteactor: open reader %d on %q: %w", i, e.path, err)
		}
		e.renv.Initial[i] = r
	}
	return nil
}

func (e *Engine) closeInitial() {
	e.wenv.Initial.Close()
	e.wenv.Initial = nil
	for i, c := range e.renv.Initial {
		c.Close()
		e.renv.Initial[i] = nil
	}
}

func (e *Engine) dropMemory() {
	if e.memName != "" {
		memdb.Delete(e.memName)
	}
}

func randomName() string {
	var b [6]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// Path returns the path given to Open.
func (e *Engine) Path() string { return e.path }

// PID is the engine's front door for typed messages (package messages) from
// the service's own actors.
func (e *Engine) PID() *actor.PID { return e.pid }

// ActorSystem returns the actor system the engine runs in.
func (e *Engine) ActorSystem() *actor.ActorSystem { return e.system }

// Exec runs one SQL statement with args through the writer and returns
// after the transaction holding it has committed. Several statements
// without args run atomically, as one. It passes the admission queue under
// the configured overflow policy. Errors: SQLite's (errors.Is(err,
// sqlite3.CONSTRAINT)), ErrInvalidArg, ErrQueueFull, ErrDropped, ErrClosed,
// or ctx's error if ctx ended while the request was queued (it never ran) or
// running (it was interrupted and rolled back).
func (e *Engine) Exec(ctx context.Context, sql string, args ...any) (Result, error) {
	r := actors.NewRequest(ctx, actors.KindExec)
	r.SQL, r.Args = sql, args
	if err := e.write(ctx, r); err != nil {
		return Result{}, err
	}
	return r.Result, nil
}

// Write runs fn on the writer connection inside its own SAVEPOINT of a
// group-commit transaction, and returns after COMMIT. It is atomic: if fn
// returns an error or panics, everything it did is rolled back and nothing
// else in the batch is affected. fn must not BEGIN, COMMIT or ROLLBACK (it
// gets ErrInvalidArg), must not keep conn after returning, and should honour
// ctx: a running statement is interrupted when ctx ends. A panic comes back
// as an error wrapping ErrPanic and replaces the writer's connection.
func (e *Engine) Write(ctx context.Context, fn func(conn *sqlite3.Conn) error) error {
	r := actors.NewRequest(ctx, actors.KindWrite)
	r.Fn = fn
	return e.write(ctx, r)
}

// Exclusive runs fn alone on the writer connection, in autocommit mode,
// outside the engine's transactions and in order with the other writes. fn
// controls transactions itself: VACUUM, PRAGMAs that cannot run inside a
// transaction, its own BEGIN IMMEDIATE ... COMMIT. If fn returns with a
// transaction open, it is rolled back and Exclusive fails with
// ErrInvalidArg.
func (e *Engine) Exclusive(ctx context.Context, fn func(conn *sqlite3.Conn) error) error {
	r := actors.NewRequest(ctx, actors.KindExclusive)
	r.Fn = fn
	return e.write(ctx, r)
}

func (e *Engine) write(ctx context.Context, r *actors.Request) error {
	if len(e.obs) > 0 {
		r.Timed = true
		return e.observed(ctx, r, e.submitWrite)
	}
	return e.submitWrite(ctx, r)
}

func (e *Engine) submitWrite(ctx context.Context, r *actors.Request) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := e.wq.Submit(r); err != nil {
		return err
	}
	select {
	case <-r.Done:
		return r.Err
	case <-ctx.Done():
		if e.wq.Cancel(r, ctx.Err()) {
			return ctx.Err()
		}
		<-r.Done
		return r.Err
	}
}

// Query runs one SQL statement on a reader and returns every row. It sees
// every write that returned before it was called. Errors: SQLite's,
// ErrInvalidArg (also for transaction control: BEGIN, COMMIT, SAVEPOINT...),
// ErrReadTimeout, ErrClosed, or ctx's error.
func (e *Engine) Query(ctx context.Context, sql string, args ...any) (*Rows, error) {
	r := actors.NewRequest(ctx, actors.KindQuery)
	r.SQL, r.Args = sql, args
	if err := e.read(ctx, r); err != nil {
		return nil, err
	}
	return r.Rows, nil
}

// Read runs fn on a reader connection inside one read transaction: fn sees
// one consistent snapshot that includes every write that returned before
// Read was called. The connection is query_only: statements that write fail
// with sqlite3.READONLY; transaction control fails with ErrInvalidArg. A read waits for a free reader up to ReadTimeout
// (ErrReadTimeout) and ctx. A panic comes back wrapping ErrPanic.
func (e *Engine) Read(ctx context.Context, fn func(conn *sqlite3.Conn) error) error {
	r := actors.NewRequest(ctx, actors.KindRead)
	r.Fn = fn
	return e.read(ctx, r)
}

var timerPool = sync.Pool{New: func() any {
	t := time.NewTimer(time.Hour)
	t.Stop()
	return t
}}

func (e *Engine) read(ctx context.Context, r *actors.Request) error {
	if len(e.obs) > 0 {
		r.Timed = true
		return e.observed(ctx, r, e.submitRead)
	}
	return e.submitRead(ctx, r)
}

func (e *Engine) submitRead(ctx context.Context, r *actors.Request) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	dispatched, err := e.rq.Submit(r)
	if err != nil {
		return err
	}
	var timeout <-chan time.Time
	if !dispatched && e.cfg.ReadTimeout > 0 {
		t := timerPool.Get().(*time.Timer)
		t.Reset(e.cfg.ReadTimeout)
		defer func() { t.Stop(); timerPool.Put(t) }()
		timeout = t.C
	}
	select {
	case <-r.Done:
		return r.Err
	case <-ctx.Done():
		if e.rq.Cancel(r, ctx.Err()) {
			return ctx.Err()
		}
	case <-timeout:
		if e.rq.Cancel(r, ErrReadTimeout) {
			return fmt.Errorf("%w (%s)", ErrReadTimeout, e.cfg.ReadTimeout)
		}
	}
	<-r.Done
	return r.Err
}

// CheckpointResult is what a WAL checkpoint did.
type CheckpointResult struct {
	LogFrames    int // frames in the WAL
	Checkpointed int // frames copied back into the database file
}

// Checkpoint runs wal_checkpoint(mode) on the writer connection between
// batches: sqlite3.CHECKPOINT_PASSIVE, CHECKPOINT_FULL or
// CHECKPOINT_TRUNCATE. RESTART is refused with ErrInvalidArg: behind long
// readers it stalls every writer.
func (e *Engine) Checkpoint(ctx context.Context, mode sqlite3.CheckpointMode) (CheckpointResult, error) {
	switch mode {
	case sqlite3.CHECKPOINT_PASSIVE, sqlite3.CHECKPOINT_FULL, sqlite3.CHECKPOINT_TRUNCATE:
	default:
		return CheckpointResult{}, fmt.Errorf("%w: checkpoint mode %d (use PASSIVE, FULL or TRUNCATE)", ErrInvalidArg, mode)
	}
	if e.closing.Load() {
		return CheckpointResult{}, ErrClosed
	}
	ch := make(chan actors.CheckpointResult, 1)
	e.sendCheckpointCtx(ctx, mode, 0, func(r actors.CheckpointResult) { ch <- r })
	select {
	case r := <-ch:
		return CheckpointResult{LogFrames: r.LogFrames, Checkpointed: r.Checkpointed}, r.Err
	case <-ctx.Done():
		return CheckpointResult{}, ctx.Err()
	case <-e.stopped:
		return CheckpointResult{}, ErrClosed
	}
}

func (e *Engine) sendCheckpoint(mode sqlite3.CheckpointMode, busy time.Duration, reply func(actors.CheckpointResult)) {
	e.sendCheckpointCtx(context.Background(), mode, busy, reply)
}

// sendCheckpointCtx sends a checkpoint through the observers; ctx parents
// their spans.
func (e *Engine) sendCheckpointCtx(ctx context.Context, mode sqlite3.CheckpointMode, busy time.Duration, reply func(actors.CheckpointResult)) {
	if len(e.obs) > 0 {
		if reply = e.observeCheckpoint(ctx, mode, reply); reply == nil {
			return
		}
	}
	pid := e.wenv.Self.Load()
	if pid == nil {
		reply(actors.CheckpointResult{Mode: mode, Err: errors.New("liteactor: writer not running")})
		return
	}
	e.system.Root.Send(pid, &actors.Checkpoint{Mode: mode, BusyTimeout: busy, Reply: reply})
}

// Stats returns a snapshot of the engine's figures. It takes two short locks
// and never waits for an actor.
func (e *Engine) Stats() Stats {
	c := e.counters
	s := Stats{
		QueueCapacity: e.wq.Capacity(),
		Admitted:      c.Admitted.Load(),
		Completed:     c.Completed.Load(),
		Rejected:      c.Rejected.Load(),
		Dropped:       c.Dropped.Load(),
		Expired:       c.Expired.Load(),
		Batches:       c.Batches.Load(),
		Reads:         c.Reads.Load(),
		ReadsExpired:  c.ReadsExpired.Load(),
		ReadGroups:    c.ReadGroups.Load(),
		Restarts: messages.Restarts{
			Writer:     c.WriterRestarts.Load(),
			Reader:     c.ReaderRestarts.Load(),
			WALMonitor: c.MonitorRestart.Load(),
		},
	}
	if s.Batches > 0 {
		s.MeanBatchSize = float64(c.BatchedReqs.Load()) / float64(s.Batches)
	}
	s.QueueDepth, s.QueueParked = e.wq.Len()
	s.ReadersBusy, s.ReadersIdle, s.ReadsWaiting = e.rq.Load()
	s.WAL = e.walStats()
	return s
}

// Close shuts the engine down gracefully. It stops admitting (new calls get
// ErrClosed), lets the writer finish every admitted write and the readers
// every queued read, runs wal_checkpoint(TRUNCATE), closes every connection
// and stops the actors. If ctx ends first, whatever has not started is
// answered ErrClosed, running statements are left to finish, and Close
// returns ctx's error. Close is idempotent and safe to call concurrently with
// other calls; later calls return the first call's result.
func (e *Engine) Close(ctx context.Context) error {
	e.closeOnce.Do(func() { e.closeErr = e.shutdown(ctx) })
	return e.closeErr
}

func (e *Engine) shutdown(ctx context.Context) error {
	e.closing.Store(true)
	e.wq.Close()
	e.rq.Close()
	var err error
	select {
	case <-e.stopped: // the tree already stopped: its parent stopped it
	default:
		err = e.drain(ctx)
		stop := e.system.Root.StopFuture(e.pid)
		waited := make(chan struct{})
		go func() { stop.Wait(); close(waited) }()
		select {
		case <-waited: // the supervisor's Stopped ran onStopped
		case <-ctx.Done():
			if err == nil {
				err = ctx.Err()
			}
		}
	}
	// Queued requests are answered now; requests an actor is running keep
	// their own outcome (the tree answers any it abandons when it stops).
	e.markClosed()
	if e.cfg.ActorSystem == nil {
		e.system.Shutdown()
	}
	e.dropMemory()
	return err
}

// drain waits for both queues to empty, then checkpoints. On ctx's end it
// answers whatever is still queued with ErrClosed.
func (e *Engine) drain(ctx context.Context) error {
	for _, ch := range []<-chan struct{}{e.wq.Drained(), e.rq.Drained()} {
		select {
		case <-ch:
		case <-e.stopped:
			// The tree stopped on its own (escalation) while Close began:
			// nothing will run or drain any more, and onStopped answers
			// what was left.
			return nil
		case <-ctx.Done():
			e.wq.FailQueued(ErrClosed)
			e.rq.FailQueued(ErrClosed)
			return ctx.Err()
		}
	}
	ch := make(chan actors.CheckpointResult, 1)
	e.sendCheckpoint(sqlite3.CHECKPOINT_TRUNCATE, 0, func(r actors.CheckpointResult) { ch <- r })
	select {
	case r := <-ch:
		if r.Err != nil {
			e.log.Warn().Str("component", "engine").Str("op", "close").Err(r.Err).Msg("final checkpoint")
		}
	case <-e.stopped: // the writer is gone: no reply will come
	case <-ctx.Done():
		return ctx.Err()
	}
	return nil
}

// onStopped runs when the supervisor has stopped, by Close or because its
// parent stopped it: nothing more will run, so everything still waiting is
// answered ErrClosed.
func (e *Engine) onStopped() {
	e.stopOnce.Do(func() {
		e.markClosed()
		e.wenv.FailInflight(ErrClosed)
		e.renv.FailInflight(ErrClosed)
		e.stopDispatchers()
		close(e.stopped)
	})
}

// markClosed refuses new requests and answers every queued one ErrClosed.
// It never touches requests an actor has taken.
func (e *Engine) markClosed() {
	e.closing.Store(true)
	e.wq.Close()
	e.rq.Close()
	e.wq.FailQueued(ErrClosed)
	e.rq.FailQueued(ErrClosed)
}

// stopDispatchers ends the actors' pinned goroutines once the tree stopped.
func (e *Engine) stopDispatchers() {
	e.wenv.Dispatcher.Stop()
	for _, d := range e.renv.Dispatchers {
		d.Stop()
	}
}
