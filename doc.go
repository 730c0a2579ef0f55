// Package liteactor is an actor-style concurrency engine for SQLite.
//
// One Engine owns one database file. Writes (Exec, Write, WriteTx,
// WriteQuery, Exclusive and the typed messages of package messages) pass a
// bounded admission queue with an overflow policy (Block, BlockTimeout, Reject, DropOldest) and are committed
// by a single writer actor in groups: up to Config.MaxBatch queued writes
// share one BEGIN IMMEDIATE ... COMMIT, so one fsync serves many callers.
// Reads (Query, QueryRow, QueryFunc, Read, ReadTx...) go to a pool of reader actors, each with its own
// query_only connection; a read is handed to an idle reader at once. A
// supervisor actor restarts what crashes and drains everything on Close.
//
// # Guarantees
//
//   - Every admitted request gets exactly one outcome: its result, its own
//     error, ErrDropped, ErrQueueFull (a parked write whose BlockTimeout ran
//     out), ErrReadTimeout, ErrClosed, or its ctx's error.
//   - A write returns only after the COMMIT that holds it returned; if that
//     COMMIT fails, every write of the batch fails and none is acknowledged.
//   - Each Write is atomic, and a failing or panicking Write rolls back only
//     itself, never its batch-mates.
//   - A request whose ctx ends while it is queued never runs; a running
//     statement is interrupted and its work rolled back.
//   - A read that starts after a write returned sees that write.
//   - A panic in a callback reaches its caller as an error wrapping ErrPanic;
//     the connection is replaced; no admitted request is lost or run twice
//     by a restart.
//
// # Arguments and results
//
// Every call that takes SQL arguments binds them the same way: nil, bool,
// every int and uint kind (named types by their kind; a uint above
// math.MaxInt64 is refused), float32/64, string, []byte, time.Time (UTC text
// in TimeLayout: sorts as text, scans back exactly), pointers (nil binds
// NULL), driver.Valuer (sql.NullString, sql.Null[T]) and sql.NamedArg for
// :name, @name and $name parameters. Arguments are all positional or all
// named: mixing them, a named argument the statement lacks or a parameter
// left without one is ErrInvalidArg, as is any other type. Binding never
// panics.
//
// Results come back materialised (Query, QueryLimit, WriteQuery: Rows),
// scanned into typed destinations (QueryRow and Row.Scan, Cursor.Scan,
// Collect into structs by column name), or streamed row by row on the
// reader (QueryFunc). WriteTx and ReadTx give a callback a Tx with the same
// calls on its connection, through that connection's statement cache.
// Calls that run on a reader refuse statements that write
// (ErrNotReadOnly: they write nothing); WriteQuery runs INSERT ... RETURNING
// through the writer.
//
// SQLite's own errors pass through unchanged: errors.Is(err,
// sqlite3.CONSTRAINT) works. Open refuses a bad Config with ErrInvalidConfig
// naming the field, and a file that is not a database with sqlite3.NOTADB,
// leaving the file untouched.
package liteactor
