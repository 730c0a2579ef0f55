package liteactor

import (
	"context"
	"fmt"

	"github.com/liteactor/liteactor/actors"
	"github.com/liteactor/liteactor/internal/sqlstmt"
)

// QueryRow returns a Row for one SQL statement with args; its Scan runs the
// statement on a reader and copies the first row into the destinations
// (no row: ErrNoRows, which is sql.ErrNoRows). Nothing is materialised. It
// sees every write that returned before Scan was called. Errors are Query's,
// plus ErrScan; a statement that writes is ErrNotReadOnly (run INSERT ...
// RETURNING with WriteQuery, or in WriteTx with Tx.QueryRow).
func (e *Engine) QueryRow(ctx context.Context, sql string, args ...any) *Row {
	return &Row{ctx: ctx, e: e, sql: sql, args: args}
}

// QueryFunc runs one SQL statement with args on a reader and calls fn with
// a Cursor on every row, in order, without materialising the result: memory
// stays flat however many rows there are. It stops at fn's first error and
// returns it as is; it returns nil only after the last row.
//
// The walk holds its reader, in one read transaction (one snapshot that
// includes every write that returned before QueryFunc was called), until
// fn has seen the last row or failed. That lease is bounded by ctx: once
// ctx ends the next step fails with ctx's error (and WAL.ReadTxnMaxAge, when
// set, ends it with ErrReadTooOld); fn itself is not interrupted, so keep
// it short and never wait in it for another read of the same engine (with
// every reader leased, that read waits ReadTimeout). fn runs on the
// reader's goroutine; a panic in it is returned as a *PanicError. Errors
// are Query's, plus fn's own, ErrScan from Cursor.Scan, and ErrNotReadOnly
// for a statement that writes.
func (e *Engine) QueryFunc(ctx context.Context, fn func(*Cursor) error, sql string, args ...any) error {
	r := e.readStmts(ctx, sql, args)
	defer r.Release()
	r.Stmts = func(c sqlstmt.Conn, _ *actors.Request) error { return walk(c, e, sql, args, fn) }
	return e.read(ctx, r)
}

// QueryLimit is Query with a bound on the rows it materialises: a result of
// more than max rows is ErrTooManyRows and no rows (the scan stops at row
// max+1, so the bound also bounds the memory and time spent). max must be
// positive (else ErrInvalidArg). A statement that writes is ErrNotReadOnly.
func (e *Engine) QueryLimit(ctx context.Context, max int, sql string, args ...any) (*Rows, error) {
	if max <= 0 {
		return nil, fmt.Errorf("%w: QueryLimit max %d, want > 0", ErrInvalidArg, max)
	}
	var rows Rows
	r := e.readStmts(ctx, sql, args)
	defer r.Release()
	r.Stmts = func(c sqlstmt.Conn, _ *actors.Request) (err error) {
		rows.Columns, rows.Values, err = c.AllMax(sql, args, max)
		return err
	}
	r.Sealed = true // only the engine's code sees the connection
	if err := e.read(ctx, r); err != nil {
		return nil, err
	}
	return &rows, nil
}

// WriteQuery runs one SQL statement that writes and returns rows (INSERT,
// UPDATE or DELETE ... RETURNING) through the writer, like Exec, and
// returns its rows once the transaction holding it has committed. It takes
// any one statement (a SELECT runs on the writer too, seeing the writer's
// state); several statements are ErrInvalidArg. Errors are Exec's.
func (e *Engine) WriteQuery(ctx context.Context, sql string, args ...any) (*Rows, error) {
	r := actors.NewRequest(ctx, actors.KindQuery)
	defer r.Release()
	r.SQL, r.Args = sql, args
	if err := e.write(ctx, r); err != nil {
		return nil, err
	}
	return (*Rows)(r.Rows), nil
}

// readStmts is a read request for one statement that runs through the
// connection's statement runner (Request.Stmts, set by the caller); SQL and
// Args are recorded for observers.
func (e *Engine) readStmts(ctx context.Context, sql string, args []any) *actors.Request {
	r := actors.NewRequest(ctx, actors.KindRead)
	r.SQL, r.Args = sql, args
	return r
}
