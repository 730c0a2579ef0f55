// Package sqldb runs database/sql on a liteactor engine, so that code
// written for *sql.DB (sqlc's generated queries, sqlx, goose migrations,
// ORMs) uses the engine unchanged:
//
//	db := sqldb.OpenDB(eng) // eng is a *liteactor.Engine
//	defer db.Close()        // does not close eng
//
// # Where each call runs
//
//	call                                   runs                                      isolation
//	db.ExecContext                         Engine.Exec: the writer's admission       serializable; atomic per call;
//	                                       queue, group-committed with other writes  several statements without args: one unit
//	db.QueryContext / QueryRowContext      a reader (Engine.Read), rows streamed     one snapshot for the whole result
//	  (statement only reads)               in chunks; the reader is held until
//	                                       Rows.Close / the last row
//	db.QueryContext / QueryRowContext      the writer (Engine.Write), rows           serializable; atomic (own savepoint),
//	  (statement writes: INSERT RETURNING)   materialised                              group-committed
//	db.BeginTx(ReadOnly: true)             one reader held until Commit/Rollback     one snapshot, taken at BeginTx;
//	                                                                                 writes fail (sqlite3.READONLY)
//	db.BeginTx (read-write)                the writer held (Engine.Exclusive,        serializable: BEGIN IMMEDIATE;
//	                                       BEGIN IMMEDIATE) until Commit/Rollback    every other write waits behind it
//	db.PrepareContext                      checked on a reader (or the tx's          -
//	                                       connection); runs as Exec/Query do
//
// A statement that writes is told apart by SQLite (sqlite3_stmt_readonly),
// never by its keywords; the bridge remembers which statements write, so
// the reader is asked only once.
//
// # What a read-write transaction costs everyone else
//
// SQLite has one writer. A read-write transaction holds the engine's writer
// from BEGIN IMMEDIATE to Commit or Rollback: while it lasts, no other write
// runs, so there is no group commit; every ExecContext, Engine.Exec, Write,
// checkpoint and other transaction waits in the admission queue (under its
// overflow policy) behind it. Readers are not blocked (WAL). Keep
// transactions short, and prefer db.ExecContext (group-committed) or
// Engine.Write (a closure: atomic, group-committed, never waits for the
// caller) for writes that need no round trips. A goroutine inside a
// read-write transaction must not call db.ExecContext (outside the
// transaction): that write waits behind its own transaction until the
// limit ends it.
//
// WithTxLimit (default DefaultTxLimit, 10s) bounds how long a transaction
// may hold the writer: past it the running statement is interrupted, the
// transaction rolled back, and its later calls fail with ErrTxExpired. An
// abandoned transaction (its caller panicked, or forgot Commit) therefore
// stops the writes for at most that long.
//
// # Readers held by streams
//
// A query's rows are read in chunks (64 rows, then 256 at a time) on the
// reader that runs it, in one read transaction: a result that fits the
// first chunk gives its reader back as soon as it is read; a larger one
// holds the reader until Rows.Close, the last row, the query's ctx ends
// (database/sql closes the Rows then), or WithReadLimit (default
// DefaultReadLimit, 1 min, counted from the first chunk) passes
// (ErrRowsExpired). Rows never closed therefore hold a reader at most that
// long. (The first chunk itself, like any running statement, is bounded by
// the query's ctx.) A held reader serves nothing else: with
// Config.Readers readers, that many open streams or read-only transactions
// make the next read wait (Config.ReadTimeout, liteactor.ErrReadTimeout);
// in particular, a query issued while iterating another one's rows needs a
// second reader.
//
// # Values
//
// Arguments are what database/sql hands a driver after its conversions
// (driver.Valuer, sql.Null*, named types and pointers are converted before
// the driver sees them): nil, int64, float64, bool, []byte, string and
// time.Time, bound by the engine's binder as Engine.Exec binds them.
// sql.Named("id", v) binds :id, @id or $id. Results come back by storage
// class (int64, float64, string, []byte, nil), except that a column
// declared DATE, DATETIME or TIMESTAMP gives a time.Time when its value
// decodes as one (any text format SQLite's date functions accept, unix
// time, julian day), and a column declared BOOL or BOOLEAN gives a bool for
// 0 and 1.
//
// # Errors, cancellation, shutdown
//
// SQLite's errors and the engine's pass through wrapped: errors.Is(err,
// sqlite3.CONSTRAINT), errors.Is(err, liteactor.ErrQueueFull) work;
// sql.ErrNoRows comes from database/sql as usual. A ctx that ends
// interrupts the running statement (in a transaction, SQLite may then roll
// the whole transaction back: ErrTxAborted). Once the engine is closing,
// every call fails with an error wrapping liteactor.ErrClosed; open
// streams and transactions end at once (rolled back), so Engine.Close is
// not held up. Closing the *sql.DB does not close the engine.
//
// # Observers
//
// The bridge uses only the engine's public calls, so Config.Observers see
// them as the engine's own: db.ExecContext as "exec" with its SQL and
// arguments; a query as one "read" (no SQL: a closure) lasting as long as
// its reader is held; a writing query as a "write"; a read-write
// transaction as one "exclusive" lasting from BeginTx to Commit/Rollback,
// and a read-only one as one "read"; PrepareContext (and the first
// ExecContext with named arguments of a statement) as a short "read".
// Statements inside a transaction are not seen one by one.
package sqldb
