package actors

import "github.com/liteactor/liteactor/internal/sqlstmt"

// stmts is the connection's statement runner: the caller's SQL prepared
// once and kept in the connection's statement cache.
func (c *Conn) stmts() sqlstmt.Conn {
	return sqlstmt.Conn{Conn: c.Conn, Cache: c.cache}
}

// runQuery runs a caller's one statement with args and materialises every
// row: all of them, or an error (an interrupted scan reports INTERRUPT,
// never part of the rows).
// On a reader (readOnly) a statement that writes is ErrNotReadOnly before it
// runs.
func runQuery(c *Conn, sql string, args []any, readOnly bool) (*Rows, error) {
	st := c.stmts()
	st.ReadOnly = readOnly
	// One allocation holds the result and room for its first row: a point
	// query's only one.
	res := new(struct {
		Rows
		first [1][]any
	})
	cols, vals, err := st.AppendAll(res.first[:0], sql, args, 0)
	if err != nil {
		return nil, err
	}
	if len(vals) == 0 {
		vals = nil // no rows: nil, as before
	}
	res.Columns, res.Values = cols, vals
	return &res.Rows, nil
}

// runExec runs a caller's one statement with args.
func runExec(c *Conn, sql string, args []any) (Result, error) {
	if err := c.stmts().Exec(sql, args...); err != nil {
		return Result{}, err
	}
	return Result{RowsAffected: c.Changes(), LastInsertID: c.LastInsertRowID()}, nil
}
