package liteactor

import (
	"context"
	"errors"
	"fmt"

	"github.com/liteactor/liteactor/actors"
	"github.com/liteactor/liteactor/internal/sqlstmt"
	"github.com/ncruces/go-sqlite3"
)

// Row is the result of QueryRow: one statement that has not run yet. Scan
// runs it and copies its first row out; any further rows are discarded, as
// in database/sql.
type Row struct {
	ctx  context.Context
	e    *Engine
	tx   *Tx // set: run on the transaction's connection
	sql  string
	args []any
}

// Scan runs the row's statement and copies its first row into dest, as
// Cursor.Scan does. No row is ErrNoRows (which is sql.ErrNoRows). Errors of
// the call itself are those of Query (or, inside a Tx, of the Tx), and
// ErrScan; on any error dest may have been partly written.
func (r *Row) Scan(dest ...any) error {
	if r.tx != nil {
		if err := r.tx.usable(); err != nil {
			return err
		}
		return denied(scanFirst(r.tx.c, r.sql, r.args, dest))
	}
	req := r.e.readStmts(r.ctx, r.sql, r.args)
	defer req.Release()
	req.Stmts, req.Dest, req.Sealed = scanRequest, dest, true
	return r.e.read(r.ctx, req)
}

// scanRequest scans the first row of r's statement into r.Dest (a function,
// not a closure: Scan then allocates neither it nor its Row).
func scanRequest(c sqlstmt.Conn, r *actors.Request) error {
	return scanFirst(c, r.SQL, r.Args, r.Dest)
}

// errFirst stops a scan after its first row.
var errFirst = errors.New("first row scanned")

// scanFirst runs sql with args on c and scans its first row into dest.
func scanFirst(c sqlstmt.Conn, sql string, args, dest []any) error {
	found := false
	err := c.Query(sql, args, func(s *sqlite3.Stmt) error {
		found = true
		if err := sqlstmt.Scan(s, dest...); err != nil {
			return err
		}
		return errFirst
	})
	switch {
	case err == errFirst:
		return nil
	case err != nil:
		return err
	case !found:
		return ErrNoRows
	}
	return nil
}

// fmtScan is an ErrScan error with a message.
func fmtScan(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrScan}, args...)...)
}
