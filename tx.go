package liteactor

import (
	"context"
	"errors"
	"fmt"

	"github.com/liteactor/liteactor/actors"
	"github.com/liteactor/liteactor/internal/sqlstmt"
	"github.com/ncruces/go-sqlite3"
)

// Tx is the handle a WriteTx or ReadTx callback gets: statements with
// arguments on the callback's connection, prepared once and kept in that
// connection's statement cache. Every method runs one statement (several is
// ErrInvalidArg) and binds and scans as Exec, Query and Cursor.Scan do.
// The ctx given to WriteTx or ReadTx bounds them: a running statement is
// interrupted when it ends.
//
// A Tx is valid only during its callback and on the callback's goroutine;
// after the callback returns every method fails with ErrInvalidArg. On a
// reader (ReadTx), statements that write are ErrNotReadOnly. Transaction
// control (BEGIN, COMMIT, ROLLBACK, the engine's savepoint) is
// ErrInvalidArg: the engine owns the transaction.
type Tx struct {
	c    sqlstmt.Conn
	e    *Engine
	done bool
}

// Conn returns the raw connection, for what the handle does not cover
// (scripts, blobs, custom functions). The rules of Write and Read apply to
// it; it must not be kept past the callback.
func (tx *Tx) Conn() *sqlite3.Conn { return tx.c.Conn }

// Exec runs one statement with args and reports its changes and the
// connection's last insert rowid.
func (tx *Tx) Exec(sql string, args ...any) (Result, error) {
	if err := tx.usable(); err != nil {
		return Result{}, err
	}
	if err := tx.c.Exec(sql, args...); err != nil {
		return Result{}, denied(err)
	}
	return Result{RowsAffected: tx.c.Conn.Changes(), LastInsertID: tx.c.Conn.LastInsertRowID()}, nil
}

// Query runs one statement with args and returns every row, copied out.
func (tx *Tx) Query(sql string, args ...any) (*Rows, error) {
	if err := tx.usable(); err != nil {
		return nil, err
	}
	cols, vals, err := tx.c.All(sql, args)
	if err != nil {
		return nil, denied(err)
	}
	return &Rows{Columns: cols, Values: vals}, nil
}

// QueryRow returns a Row whose Scan runs one statement with args on the
// transaction's connection and copies its first row out (no row:
// ErrNoRows).
func (tx *Tx) QueryRow(sql string, args ...any) *Row {
	return &Row{tx: tx, e: tx.e, sql: sql, args: args}
}

// QueryFunc runs one statement with args and calls fn with a Cursor on
// every row, without materialising them; it stops at fn's first error and
// returns it. fn may run further statements on tx, the same SQL included.
func (tx *Tx) QueryFunc(fn func(*Cursor) error, sql string, args ...any) error {
	if err := tx.usable(); err != nil {
		return err
	}
	return denied(walk(tx.c, tx.e, sql, args, fn))
}

// denied makes a statement the engine's authorizer refused (transaction
// control, the engine's savepoint) ErrInvalidArg, as Write reports it.
func denied(err error) error {
	if err != nil && errors.Is(err, sqlite3.AUTH) && !errors.Is(err, ErrInvalidArg) {
		return fmt.Errorf("%w: statement denied (the engine owns the transaction): %w", ErrInvalidArg, err)
	}
	return err
}

func (tx *Tx) usable() error {
	if tx.done {
		return fmt.Errorf("%w: Tx used after its callback returned", ErrInvalidArg)
	}
	return nil
}

// WriteTx is Write with a Tx handle: fn runs on the writer connection
// inside its own SAVEPOINT of a group-commit transaction, and WriteTx
// returns after COMMIT. It is atomic: if fn returns an error or panics,
// everything it did is rolled back and nothing else in the batch is
// affected. Statements run through tx use the writer's statement cache.
// Errors are Write's.
func (e *Engine) WriteTx(ctx context.Context, fn func(tx *Tx) error) error {
	r := actors.NewRequest(ctx, actors.KindWrite)
	defer r.Release()
	r.Stmts = txFunc(e, fn)
	return e.write(ctx, r)
}

// ReadTx is Read with a Tx handle: fn runs on a reader connection inside
// one read transaction (one snapshot including every write that returned
// before ReadTx was called). Statements that write are ErrNotReadOnly.
// Errors are Read's.
func (e *Engine) ReadTx(ctx context.Context, fn func(tx *Tx) error) error {
	r := actors.NewRequest(ctx, actors.KindRead)
	defer r.Release()
	r.Stmts = txFunc(e, fn)
	return e.read(ctx, r)
}

// txFunc adapts fn to the connection's statement runner; the Tx dies with
// the callback.
func txFunc(e *Engine, fn func(*Tx) error) func(sqlstmt.Conn, *actors.Request) error {
	return func(c sqlstmt.Conn, _ *actors.Request) error {
		tx := &Tx{c: c, e: e}
		defer func() { tx.done = true }()
		return fn(tx)
	}
}
