package actors

import (
	"errors"

	"github.com/liteactor/liteactor/internal/sqlstmt"
)

// Sentinel errors. The root package liteactor re-exports them; callers test
// them with errors.Is.
var (
	// ErrClosed: the engine is closed or closing, or its shutdown deadline
	// passed before the request ran.
	ErrClosed = errors.New("liteactor: engine closed")
	// ErrQueueFull: the admission queue had no room (Reject), or none came
	// within Queue.Timeout (BlockTimeout).
	ErrQueueFull = errors.New("liteactor: write queue full")
	// ErrDropped: the request was evicted from the admission queue by a newer
	// one under the DropOldest policy. It never ran.
	ErrDropped = errors.New("liteactor: request dropped from the write queue")
	// ErrReadTimeout: no reader became free within ReadTimeout.
	ErrReadTimeout = errors.New("liteactor: timed out waiting for a reader")
	// ErrPanic: a callback (or SQLite itself) panicked; the error also carries
	// the panic value. The connection it ran on is replaced.
	ErrPanic = errors.New("liteactor: panic")
	// ErrInvalidConfig: Open was given a configuration it cannot use; the
	// message names the field.
	ErrInvalidConfig = errors.New("liteactor: invalid config")
	// ErrInvalidArg: a statement argument of an unsupported type, or a call
	// whose SQL shape the method does not accept (for example several
	// statements passed to Query). It is the SQL layer's sentinel
	// (internal/sqlstmt), so the layer's errors match it.
	ErrInvalidArg = sqlstmt.ErrInvalidArg
	// ErrScan, ErrTooManyRows and ErrNotReadOnly are the SQL layer's
	// (internal/sqlstmt), re-exported.
	ErrScan        = sqlstmt.ErrScan
	ErrTooManyRows = sqlstmt.ErrTooManyRows
	ErrNotReadOnly = sqlstmt.ErrNotReadOnly
)
