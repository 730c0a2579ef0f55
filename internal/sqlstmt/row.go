package sqlstmt

import "github.com/ncruces/go-sqlite3"

// Columns returns the statement's result column names, in order.
func Columns(s *sqlite3.Stmt) []string {
	cols := make([]string, s.ColumnCount())
	for i := range cols {
		cols[i] = s.ColumnName(i)
	}
	return cols
}

// Value returns column i of the current row copied out of SQLite's memory,
// by the value's storage class: int64, float64, string, []byte (never nil; an
// empty blob is an empty slice) or nil for NULL.
func Value(s *sqlite3.Stmt, i int) any {
	switch s.ColumnType(i) {
	case sqlite3.INTEGER:
		return s.ColumnInt64(i)
	case sqlite3.FLOAT:
		return s.ColumnFloat(i)
	case sqlite3.TEXT:
		return s.ColumnText(i)
	case sqlite3.BLOB:
		return s.ColumnBlob(i, []byte{})
	}
	return nil
}

// Row returns the first n columns of the current row, each as [Value]
// returns it, in a new slice.
func Row(s *sqlite3.Stmt, n int) []any {
	row := make([]any, n)
	for i := range row {
		row[i] = Value(s, i)
	}
	return row
}
