package batch

import (
	"errors"
	"fmt"

	"github.com/ncruces/go-sqlite3"

	"github.com/liteactor/liteactor/internal/sqlstmt"
)

// ErrRowShape is wrapped by the error returned when a row does not hold
// exactly one value per column.
var ErrRowShape = errors.New("batch: row has the wrong number of values")

// Inserter inserts rows through a connection the caller holds (typically
// inside eng.Write), as multi-row INSERT statements of up to RowsPerStatement
// rows, prepared once and reused. It is not safe for concurrent use; Close it
// before the connection's closure returns.
type Inserter struct {
	conn    *sqlite3.Conn
	spec    Spec
	perStmt int
	full    *sqlite3.Stmt // RowsPerStatement rows, prepared on first use
}

// NewInserter validates spec against conn's bound-variable limit
// (SQLITE_LIMIT_VARIABLE_NUMBER, 32766 by default) and returns an Inserter.
// maxRows, when > 0, caps the rows per statement below what the limit allows.
func NewInserter(conn *sqlite3.Conn, spec Spec, maxRows int) (*Inserter, error) {
	limit := conn.Limit(sqlite3.LIMIT_VARIABLE_NUMBER, -1)
	per, err := rowsPerStatement(limit, len(spec.Columns), maxRows)
	if err != nil {
		return nil, err
	}
	if _, err := spec.insertSQL(1); err != nil { // validate identifiers and mode now
		return nil, err
	}
	return &Inserter{conn: conn, spec: spec, perStmt: per}, nil
}

// rowsPerStatement is how many rows of ncols values fit in limit variables,
// capped by maxRows when > 0.
func rowsPerStatement(limit, ncols, maxRows int) (int, error) {
	if ncols < 1 {
		return 0, fmt.Errorf("%w: no columns", ErrInvalidSpec)
	}
	if ncols > limit {
		return 0, fmt.Errorf("%w: %d columns exceed the bound-variable limit %d", ErrInvalidSpec, ncols, limit)
	}
	per := limit / ncols
	if maxRows > 0 && maxRows < per {
		per = maxRows
	}
	return per, nil
}

// RowsPerStatement is the number of rows each full INSERT statement carries.
func (in *Inserter) RowsPerStatement() int { return in.perStmt }

// Insert inserts rows, RowsPerStatement at a time, and returns the number of
// rows changed as SQLite counts them (for ModeIgnore the rows inserted, for
// ModeUpsert the rows inserted or updated). It stops at the first error; rows of
// statements that already ran stay written in the caller's transaction, so
// run it where an error rolls back (an engine Write closure returning the
// error). Every row must hold len(spec.Columns) values, else the error wraps
// [ErrRowShape] and nothing of that statement is written.
func (in *Inserter) Insert(rows [][]any) (changed int64, err error) {
	for start := 0; start < len(rows); start += in.perStmt {
		end := min(start+in.perStmt, len(rows))
		n, err := in.insertChunk(rows[start:end], start)
		changed += n
		if err != nil {
			return changed, err
		}
	}
	return changed, nil
}

// insertChunk inserts up to perStmt rows in one statement; offset is the
// index of rows[0] in the caller's slice, for error messages.
func (in *Inserter) insertChunk(rows [][]any, offset int) (int64, error) {
	ncols := len(in.spec.Columns)
	for i, r := range rows {
		if len(r) != ncols {
			return 0, fmt.Errorf("%w: row %d has %d values for %d columns", ErrRowShape, offset+i, len(r), ncols)
		}
	}
	stmt := in.full
	if len(rows) == in.perStmt && stmt == nil {
		s, err := in.prepare(len(rows))
		if err != nil {
			return 0, err
		}
		in.full, stmt = s, s
	} else if len(rows) != in.perStmt {
		s, err := in.prepare(len(rows))
		if err != nil {
			return 0, err
		}
		defer s.Close()
		stmt = s
	}
	p := 1
	for i, r := range rows {
		for _, v := range r {
			if err := bind(stmt, p, v); err != nil {
				stmt.ClearBindings()
				return 0, fmt.Errorf("batch: row %d: %w", offset+i, err)
			}
			p++
		}
	}
	if err := stmt.Exec(); err != nil {
		return 0, fmt.Errorf("batch: insert into %q (rows %d..%d): %w", in.spec.Table, offset, offset+len(rows)-1, err)
	}
	return in.conn.Changes(), nil
}

func (in *Inserter) prepare(rows int) (*sqlite3.Stmt, error) {
	sql, err := in.spec.insertSQL(rows)
	if err != nil {
		return nil, err
	}
	stmt, err := sqlstmt.PrepareOne(in.conn, sql)
	if err != nil {
		return nil, fmt.Errorf("batch: prepare insert into %q: %w", in.spec.Table, err)
	}
	return stmt, nil
}

// Close finalizes the prepared statement. It is safe to call more than once.
func (in *Inserter) Close() error {
	err := in.full.Close()
	in.full = nil
	return err
}
