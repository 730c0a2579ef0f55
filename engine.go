package liteactor

import (
	"context"
	"sync"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/liteactor/liteactor/actors"
	"github.com/liteactor/liteactor/messages"
	"github.com/liteactor/liteactor/supervisor"
	"github.com/ncruces/go-sqlite3"
	"github.com/rs/zerolog"
)

// Result is what Exec reports.
type Result struct {
	// RowsAffected is the number of rows the statement inserted, updated or
	// deleted (SQLite's changes()); for several statements run as one, the
	// last one's.
	RowsAffected int64
	// LastInsertID is the rowid of the most recent successful insert on the
	// writer connection (SQLite's last_insert_rowid()), which may be an
	// earlier write's if this statement inserted nothing.
	LastInsertID int64
}

// Rows is a fully materialised query result.
type Rows struct {
	// Columns are the result column names, in order.
	Columns []string
	// Values holds one slice per row, in the order SQLite returned them,
	// each value an int64, float64, string, []byte or nil (NULL). The
	// values are copies: they stay valid after the query.
	Values [][]any
}

// Stats is a snapshot of the engine's figures (the same type as the
// messages.GetStats reply).
type Stats = messages.Stats

// CheckpointResult is what a WAL checkpoint did (the same type as the
// messages.Checkpoint reply): Mode, LogFrames (frames in the WAL),
// Checkpointed (frames copied back into the database file), At (when it
// ran) and Err.
type CheckpointResult = messages.CheckpointResult

// Engine owns every connection to one database file: one writer actor behind
// a bounded admission queue with group commit, a pool of reader actors, and
// a supervisor over them. Its methods are safe for concurrent use.
type Engine struct {
	path string
	cfg  Config
	log  zerolog.Logger
	tree *supervisor.Tree

	obs     []Observer // Config.Observers; empty: no hook cost
	obsPool sync.Pool  // of *observation, for Go API calls
	structs sync.Map   // reflect.Type -> *sqlstmt.Fields, for Collect and Cursor.ScanStruct
}

// Open opens (creating if needed) the database at path and starts the
// engine's actors. path ":memory:" gives a private in-memory database shared
// by the writer and every reader, gone at Close. Open fails with an error
// wrapping ErrInvalidConfig for a bad cfg, and with SQLite's error (for
// example sqlite3.NOTADB for a file that is not a database, which is left
// untouched, or sqlite3.CANTOPEN for a missing directory) otherwise. A
// failed Open leaves nothing running: no connection, goroutine, private
// actor system or in-memory database outlives it.
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
	e := &Engine{path: path, cfg: cfg, obs: append([]Observer(nil), cfg.Observers...)}
	e.log = cfg.Logger.With().Str("db", cfg.Name).Logger()
	tree, err := supervisor.Start(ctx, e.treeConfig())
	if err != nil {
		return nil, err
	}
	e.tree = tree
	return e, nil
}

// Path returns the path given to Open.
func (e *Engine) Path() string { return e.path }

// PID is the engine's front door for typed messages (package messages) from
// the service's own actors. A message it does not take (a request sent by
// value, messages.Exec{} instead of &messages.Exec{}, or a type of another
// package) gets, when it has a sender, a reply whose Err wraps
// ErrInvalidArg. While Close runs, requests are answered ErrClosed; once
// Close has stopped the engine the PID is gone, and protoactor answers a
// request that has a sender with *actor.DeadLetterResponse instead.
func (e *Engine) PID() *actor.PID { return e.tree.PID() }

// ActorSystem returns the actor system the engine runs in.
func (e *Engine) ActorSystem() *actor.ActorSystem { return e.tree.ActorSystem() }

// Exec runs one SQL statement with args through the writer and returns
// after the transaction holding it has committed. Several statements
// without args run atomically, as one. It passes the admission queue under
// the configured overflow policy. Errors: SQLite's (errors.Is(err,
// sqlite3.CONSTRAINT)), ErrInvalidArg, ErrQueueFull, ErrDropped, ErrClosed,
// or ctx's error if ctx ended while the request was queued (it never ran) or
// running (it was interrupted and rolled back).
func (e *Engine) Exec(ctx context.Context, sql string, args ...any) (Result, error) {
	r := actors.NewRequest(ctx, actors.KindExec)
	defer r.Release()
	r.SQL, r.Args = sql, args
	if err := e.write(ctx, r); err != nil {
		return Result{}, err
	}
	return Result(r.Result), nil
}

// Write runs fn on the writer connection inside its own SAVEPOINT of a
// group-commit transaction, and returns after COMMIT. It is atomic: if fn
// returns an error or panics, everything it did is rolled back and nothing
// else in the batch is affected. A panic comes back as a *PanicError
// wrapping ErrPanic and replaces the writer's connection.
//
// What fn may and may not do:
//   - Transaction control (BEGIN, COMMIT, ROLLBACK, and RELEASE or ROLLBACK
//     TO of the engine's savepoint, in any letter case) is denied with
//     ErrInvalidArg; savepoints of its own are allowed.
//   - Statements that would change the connection for later callers are
//     denied with ErrInvalidArg naming them: PRAGMAs with an argument other
//     than queries (table_info(t), integrity_check(n)...) and database
//     settings (user_version, application_id, defer_foreign_keys,
//     incremental_vacuum, optimize, auto_vacuum; foreign_keys, a no-op
//     inside a transaction); PRAGMA wal_checkpoint; ATTACH and DETACH. Use
//     Exclusive or Config for those.
//   - If SQLite rolls back the whole transaction under fn (INSERT OR
//     ROLLBACK conflict, RAISE(ROLLBACK), interrupt, I/O error), the Write
//     fails and nothing of it is committed, even if fn ignores that error
//     and goes on: later statements of fn are refused instead of committing
//     on their own.
//   - Statements fn leaves in progress (stepped, never reset) are reset when
//     it returns.
//   - Calls from fn into the same engine that would wait for the writer
//     (Exec, Write, Exclusive) or Close fail at once with ErrReentrant;
//     Query and Read run (they see the last committed state, not fn's).
//   - fn must not keep conn after returning, nor change it through the Go
//     API (hooks, authorizer, busy timeout, Close): that is not detected.
//   - fn should honour ctx: a running statement is interrupted when ctx
//     ends.
//
// fn may run more than once: when SQLite rolls back the whole transaction
// under another request of the same batch, the requests that had already
// run in it (their work rolled back with it) run again in a fresh
// transaction. Their effects commit once, but effects of fn outside the
// database happen again: keep them idempotent, or do them after Write
// returns. Nothing else makes fn run twice.
func (e *Engine) Write(ctx context.Context, fn func(conn *sqlite3.Conn) error) error {
	r := actors.NewRequest(ctx, actors.KindWrite)
	defer r.Release()
	r.Fn = fn
	return e.write(ctx, r)
}

// Exclusive runs fn alone on the writer connection, in autocommit mode,
// outside the engine's transactions and in order with the other writes. fn
// controls transactions itself: VACUUM, PRAGMAs that cannot run inside a
// transaction, its own BEGIN IMMEDIATE ... COMMIT. If fn returns with a
// transaction open, it is rolled back and Exclusive fails with
// ErrInvalidArg. Statements fn leaves in progress are reset. fn may change
// the connection's state (PRAGMAs, ATTACH: what Write refuses); when it ran
// such a statement, the writer's connection is replaced after the
// Exclusive is answered (it counts in Stats().Restarts.Writer, free of the
// restart budget), so later requests find it as Config made it. Changes
// made through the Go API (hooks, busy timeout...) are not detected. Calls
// into the engine from fn fail as Write's do (ErrReentrant).
func (e *Engine) Exclusive(ctx context.Context, fn func(conn *sqlite3.Conn) error) error {
	r := actors.NewRequest(ctx, actors.KindExclusive)
	defer r.Release()
	r.Fn = fn
	return e.write(ctx, r)
}

// write passes r through the observers, if any, to the writer.
func (e *Engine) write(ctx context.Context, r *actors.Request) error {
	if len(e.obs) > 0 {
		return e.observed(ctx, r, e.tree.Write)
	}
	return e.tree.Write(ctx, r)
}

// Query runs one SQL statement on a reader and returns every row. It sees
// every write that returned before it was called. Errors: SQLite's,
// ErrInvalidArg (also for transaction control: BEGIN, COMMIT, SAVEPOINT...),
// ErrReadTimeout, ErrClosed, or ctx's error.
func (e *Engine) Query(ctx context.Context, sql string, args ...any) (*Rows, error) {
	r := actors.NewRequest(ctx, actors.KindQuery)
	defer r.Release()
	r.SQL, r.Args = sql, args
	if err := e.read(ctx, r); err != nil {
		return nil, err
	}
	return (*Rows)(r.Rows), nil
}

// Read runs fn on a reader connection inside one read transaction: fn sees
// one consistent snapshot that includes every write that returned before
// Read was called. The connection is query_only: statements that write fail
// with sqlite3.READONLY; transaction control and the statements Write
// refuses for changing the connection (PRAGMA query_only=0, ATTACH, VACUUM
// INTO, wal_checkpoint...) fail with ErrInvalidArg. Statements fn leaves in
// progress are reset when it returns. Query and Read from fn fail with
// ErrReentrant (with every reader in such a callback they would wait
// forever); writes through the engine from fn run. A read waits for a free
// reader up to ReadTimeout (ErrReadTimeout) and ctx. A panic comes back as
// a *PanicError wrapping ErrPanic.
func (e *Engine) Read(ctx context.Context, fn func(conn *sqlite3.Conn) error) error {
	r := actors.NewRequest(ctx, actors.KindRead)
	defer r.Release()
	r.Fn = fn
	return e.read(ctx, r)
}

// read passes r through the observers, if any, to the readers.
func (e *Engine) read(ctx context.Context, r *actors.Request) error {
	if len(e.obs) > 0 {
		return e.observed(ctx, r, e.tree.Read)
	}
	return e.tree.Read(ctx, r)
}

// Checkpoint runs wal_checkpoint(mode) on the writer connection between
// batches: sqlite3.CHECKPOINT_PASSIVE, CHECKPOINT_FULL or
// CHECKPOINT_TRUNCATE. RESTART (behind long readers it stalls every writer)
// and unknown modes are refused with ErrInvalidArg, as they are for a
// messages.Checkpoint. The result's Err is the error returned.
func (e *Engine) Checkpoint(ctx context.Context, mode sqlite3.CheckpointMode) (CheckpointResult, error) {
	return e.tree.Checkpoint(ctx, mode)
}

// Stats returns a snapshot of the engine's figures. It reads atomic
// counters and takes each queue's lock once; it never waits for an actor.
func (e *Engine) Stats() Stats { return e.tree.Stats() }

// Close shuts the engine down gracefully. It stops admitting (new calls get
// ErrClosed), lets the writer finish every admitted write and the readers
// every queued read, runs wal_checkpoint(TRUNCATE), closes every connection
// and stops the actors.
//
// The first Close's ctx bounds the drain: if it ends before every admitted
// request was answered, whatever has not started is answered ErrClosed,
// running statements are left to finish, and the result is ctx's error.
// Once the drain has completed the rest is bounded and done whatever ctx
// does, and the result is nil (also for a ctx cancelled before the call).
// Every Close returns the shutdown's result, or its own ctx's error if its
// ctx ends first while the drain goes on. Close is idempotent and safe to
// call concurrently with other calls; called from inside a callback it
// fails at once with ErrReentrant.
func (e *Engine) Close(ctx context.Context) error { return e.tree.Close(ctx) }
