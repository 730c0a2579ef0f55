package actors

import "github.com/ncruces/go-sqlite3"

// columnNames returns the statement's result column names.
func columnNames(s *sqlite3.Stmt) []string {
	n := s.ColumnCount()
	cols := make([]string, n)
	for i := range cols {
		cols[i] = s.ColumnName(i)
	}
	return cols
}

// scanRow copies the current row out of SQLite memory: int64, float64,
// string, []byte or nil per column.
func scanRow(s *sqlite3.Stmt, n int) []any {
	row := make([]any, n)
	for i := range row {
		switch s.ColumnType(i) {
		case sqlite3.INTEGER:
			row[i] = s.ColumnInt64(i)
		case sqlite3.FLOAT:
			row[i] = s.ColumnFloat(i)
		case sqlite3.TEXT:
			row[i] = s.ColumnText(i)
		case sqlite3.BLOB:
			row[i] = s.ColumnBlob(i, []byte{})
		default:
			row[i] = nil
		}
	}
	return row
}

// runQuery executes a cached statement with args and materialises every row.
func runQuery(c *Conn, sql string, args []any) (*Rows, error) {
	s, err := c.Prepare(sql)
	if err != nil {
		return nil, err
	}
	if err := Bind(s, args); err != nil {
		s.ClearBindings()
		return nil, err
	}
	rows := &Rows{Columns: columnNames(s)}
	n := len(rows.Columns)
	for s.Step() {
		rows.Values = append(rows.Values, scanRow(s, n))
	}
	// Once the interrupt ctx is done, Step returns false with Err() =
	// INTERRUPT without running sqlite3_step, and Reset then reports OK:
	// take the loop's error first, or part of the rows passes for all.
	err = s.Err()
	if rerr := s.Reset(); err == nil {
		err = rerr
	}
	if len(args) > 0 {
		s.ClearBindings()
	}
	if err != nil {
		return nil, err
	}
	return rows, nil
}

// runExec executes a cached statement with args.
func runExec(c *Conn, sql string, args []any) (Result, error) {
	s, err := c.Prepare(sql)
	if err != nil {
		return Result{}, err
	}
	if err := Bind(s, args); err != nil {
		s.ClearBindings()
		return Result{}, err
	}
	err = s.Exec()
	if len(args) > 0 {
		s.ClearBindings()
	}
	if err != nil {
		return Result{}, err
	}
	return Result{RowsAffected: c.Changes(), LastInsertID: c.LastInsertRowID()}, nil
}
