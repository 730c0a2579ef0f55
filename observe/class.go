package observe

import (
	"context"
	"errors"

	"github.com/liteactor/liteactor"
	"github.com/ncruces/go-sqlite3"
)

// Class sorts an operation's error into a small, fixed set of names fit
// for a metric label: "ok" for nil; "vetoed", "canceled",
// "deadline_exceeded", "queue_full", "dropped", "closed", "read_timeout",
// "panic", "invalid_arg" for the engine's sentinels and ctx errors;
// "sqlite_" plus SQLite's primary result code in lower case
// ("sqlite_constraint", "sqlite_busy", ...) for SQLite errors; "error" for
// anything else. The first match in that order wins: a statement
// interrupted because its ctx was cancelled is "canceled".
func Class(err error) string {
	switch {
	case err == nil:
		return "ok"
	case errors.Is(err, liteactor.ErrVetoed):
		return "vetoed"
	case errors.Is(err, context.Canceled):
		return "canceled"
	case errors.Is(err, context.DeadlineExceeded):
		return "deadline_exceeded"
	case errors.Is(err, liteactor.ErrQueueFull):
		return "queue_full"
	case errors.Is(err, liteactor.ErrDropped):
		return "dropped"
	case errors.Is(err, liteactor.ErrClosed):
		return "closed"
	case errors.Is(err, liteactor.ErrReadTimeout):
		return "read_timeout"
	case errors.Is(err, liteactor.ErrPanic):
		return "panic"
	case errors.Is(err, liteactor.ErrInvalidArg):
		return "invalid_arg"
	}
	var code sqlite3.ErrorCode
	if errors.As(err, &code) {
		return sqliteClass(code)
	}
	return "error"
}

// sqliteClass names SQLite's primary result codes.
func sqliteClass(code sqlite3.ErrorCode) string {
	switch code {
	case sqlite3.ERROR:
		return "sqlite_error"
	case sqlite3.INTERNAL:
		return "sqlite_internal"
	case sqlite3.PERM:
		return "sqlite_perm"
	case sqlite3.ABORT:
		return "sqlite_abort"
	case sqlite3.BUSY:
		return "sqlite_busy"
	case sqlite3.LOCKED:
		return "sqlite_locked"
	case sqlite3.NOMEM:
		return "sqlite_nomem"
	case sqlite3.READONLY:
		return "sqlite_readonly"
	case sqlite3.INTERRUPT:
		return "sqlite_interrupt"
	case sqlite3.IOERR:
		return "sqlite_ioerr"
	case sqlite3.CORRUPT:
		return "sqlite_corrupt"
	case sqlite3.NOTFOUND:
		return "sqlite_notfound"
	case sqlite3.FULL:
		return "sqlite_full"
	case sqlite3.CANTOPEN:
		return "sqlite_cantopen"
	case sqlite3.PROTOCOL:
		return "sqlite_protocol"
	case sqlite3.EMPTY:
		return "sqlite_empty"
	case sqlite3.SCHEMA:
		return "sqlite_schema"
	case sqlite3.TOOBIG:
		return "sqlite_toobig"
	case sqlite3.CONSTRAINT:
		return "sqlite_constraint"
	case sqlite3.MISMATCH:
		return "sqlite_mismatch"
	case sqlite3.MISUSE:
		return "sqlite_misuse"
	case sqlite3.NOLFS:
		return "sqlite_nolfs"
	case sqlite3.AUTH:
		return "sqlite_auth"
	case sqlite3.FORMAT:
		return "sqlite_format"
	case sqlite3.RANGE:
		return "sqlite_range"
	case sqlite3.NOTADB:
		return "sqlite_notadb"
	}
	return "sqlite_error"
}
