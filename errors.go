package liteactor

import (
	"database/sql"
	"fmt"

	"github.com/liteactor/liteactor/actors"
)

// Sentinel errors. Every error the engine returns for one of these
// conditions wraps the sentinel: test with errors.Is. SQLite's own errors
// pass through unchanged, so errors.Is(err, sqlite3.CONSTRAINT) works too.
var (
	// ErrClosed: the engine is closed or closing; or Close's deadline passed
	// before the request ran (it never ran).
	ErrClosed = actors.ErrClosed
	// ErrQueueFull: the write queue had no room (Reject), or none came within
	// Queue.Timeout (BlockTimeout). The request never ran.
	ErrQueueFull = actors.ErrQueueFull
	// ErrDropped: under DropOldest, a newer write evicted this queued one. It
	// never ran.
	ErrDropped = actors.ErrDropped
	// ErrReadTimeout: no reader became free within ReadTimeout. The read
	// never ran.
	ErrReadTimeout = actors.ErrReadTimeout
	// ErrPanic: the callback (or SQLite under it) panicked. The error is a
	// *PanicError carrying the panic value; what the callback did was rolled
	// back, and its connection is replaced.
	ErrPanic = actors.ErrPanic
	// ErrInvalidConfig: Open refused the Config; the message names the field.
	ErrInvalidConfig = actors.ErrInvalidConfig
	// ErrInvalidArg: an argument of an unsupported type, a wrong argument
	// count, several statements where one is expected, a nil callback, SQL
	// text with a NUL byte, transaction control inside Exec, Write, Query or
	// Read, or a statement that would change the connection for later
	// callers (see Engine.Write). The message names what was refused.
	// Nothing of the statement ran.
	ErrInvalidArg = actors.ErrInvalidArg
	// ErrReentrant: a callback (Write, Read, Exclusive) called back into the
	// engine running it (Exec, Query, Write, Read, Exclusive, Close). The
	// call fails at once, since it would wait for the actor running the
	// callback; nothing of it ran. Use the callback's conn instead.
	ErrReentrant = actors.ErrReentrant
	// ErrNoMemory: SQLite ran out of memory on the request (for example a
	// huge blob). The request failed and nothing of it was committed; the
	// connection it ran on is replaced and the engine keeps serving.
	ErrNoMemory = actors.ErrNoMemory
	// ErrReadTooOld: the read's transaction stayed open longer than
	// WAL.ReadTxnMaxAge and was interrupted (see WALConfig).
	ErrReadTooOld = actors.ErrReadTooOld
	// ErrNoRows: QueryRow's Scan found no row. It is sql.ErrNoRows itself,
	// so code written for database/sql (errors.Is(err, sql.ErrNoRows), even
	// err == sql.ErrNoRows) works unchanged.
	ErrNoRows = sql.ErrNoRows
	// ErrScan: a result value could not be stored in a Scan destination
	// (NULL into a non-pointer, a value out of range, text that does not
	// parse, an unsupported type, a column no struct field takes). The
	// message names the column.
	ErrScan = actors.ErrScan
	// ErrTooManyRows: QueryLimit's query returned more rows than its limit.
	// No rows are returned with it.
	ErrTooManyRows = actors.ErrTooManyRows
	// ErrNotReadOnly: a statement that writes (sqlite3_stmt_readonly says
	// so) was given to a call that runs on a reader (Query, QueryRow,
	// QueryFunc, QueryLimit, ReadTx) and failed there: readers are
	// query_only, so it wrote nothing. It wraps sqlite3.READONLY. Run
	// statements that write and return rows (INSERT ... RETURNING) with
	// WriteQuery or inside WriteTx.
	ErrNotReadOnly = actors.ErrNotReadOnly
	// ErrFileReplaced: the database file (or its -wal file) the engine has
	// open was renamed over, moved or deleted while it ran. The write was
	// not acknowledged (rolled back, or, for Exclusive, written into the
	// old file); every later write fails the same way until the engine is
	// closed and reopened. Stats().FileReplaced reports it.
	ErrFileReplaced = actors.ErrFileReplaced
)

// PanicError is the error a caller gets when its callback, or SQLite under
// it, panicked: on the Go API (Write, Read, Exclusive, Exec, Query) and in
// the Err of a typed-message reply alike, so errors.As(err, &pe) finds it
// on both paths. It wraps ErrPanic and, when the panic value is an error,
// that error too. What the callback did was rolled back and its connection
// is replaced.
type PanicError struct {
	// Value is what was passed to panic.
	Value any
	// Stack is the stack of the goroutine that panicked, as
	// runtime/debug.Stack reports it; nil when the panic was caught outside
	// a callback (SQLite itself, for example out of memory).
	Stack []byte
}

func (e *PanicError) Error() string { return fmt.Sprintf("liteactor: panic: %v", e.Value) }

// Unwrap makes errors.Is(err, ErrPanic) true, and exposes a panicked error.
func (e *PanicError) Unwrap() []error {
	if err, ok := e.Value.(error); ok {
		return []error{ErrPanic, err}
	}
	return []error{ErrPanic}
}

// newPanicError is the engine's actors.PanicFunc.
func newPanicError(value any, stack []byte) error { return &PanicError{Value: value, Stack: stack} }
