// Package liteactor is an actor-style concurrency engine for SQLite.
//
// One Engine owns one database file. Writes (Exec, Write, Exclusive and the
// typed messages of package messages) pass a bounded admission queue with an
// overflow policy (Block, BlockTimeout, Reject, DropOldest) and are committed
// by a single writer actor in groups: up to Config.MaxBatch queued writes
// share one BEGIN IMMEDIATE ... COMMIT, so one fsync serves many callers.
// Reads (Query, Read) go to a pool of reader actors, each with its own
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
// SQLite's own errors pass through unchanged: errors.Is(err,
// sqlite3.CONSTRAINT) works. Open refuses a bad Config with ErrInvalidConfig
// naming the field, and a file that is not a database with sqlite3.NOTADB,
// leaving the file untouched.
package liteactor
