package sqldb

import (
	"database/sql/driver"
	"strings"

	"github.com/ncruces/go-sqlite3"
)

// colKind is how a result column's values are handed to database/sql,
// chosen by the column's declared type (sqlite3_column_decltype).
type colKind uint8

const (
	colPlain colKind = iota // by storage class: int64, float64, string, []byte, nil
	colTime                 // DATE, DATETIME, TIMESTAMP: time.Time when the value decodes as one
	colBool                 // BOOL, BOOLEAN: bool for the integers 0 and 1
)

// kindOf maps a declared type to its colKind: "DATETIME", "timestamp",
// "DATE", "BOOLEAN" and "BOOL" (any case, with or without a size in
// parentheses); everything else, and expressions (no declared type), are
// plain.
func kindOf(decl string) colKind {
	if i := strings.IndexByte(decl, '('); i >= 0 {
		decl = decl[:i]
	}
	switch strings.ToUpper(strings.TrimSpace(decl)) {
	case "DATE", "DATETIME", "TIMESTAMP":
		return colTime
	case "BOOL", "BOOLEAN":
		return colBool
	}
	return colPlain
}

// columns describes a statement's result columns.
type columns struct {
	names []string
	decl  []string
	kinds []colKind
}

func columnsOf(s *sqlite3.Stmt) columns {
	n := s.ColumnCount()
	c := columns{names: make([]string, n), decl: make([]string, n), kinds: make([]colKind, n)}
	for i := range n {
		c.names[i] = s.ColumnName(i)
		c.decl[i] = s.ColumnDeclType(i)
		c.kinds[i] = kindOf(c.decl[i])
	}
	return c
}

// value returns column i of s's current row as a driver.Value copied out of
// SQLite's memory: int64, float64, string, []byte (never aliasing SQLite's
// memory), nil for NULL; time.Time for a DATE/DATETIME/TIMESTAMP column
// whose value decodes as a time (text in any format SQLite's date functions
// accept, a unix time or a julian day, as sqlite3.TimeFormatAuto decodes
// them; otherwise the value as stored); bool for 0 and 1 in a BOOL/BOOLEAN
// column.
func value(s *sqlite3.Stmt, i int, k colKind) driver.Value {
	var v driver.Value
	switch s.ColumnType(i) {
	case sqlite3.INTEGER:
		n := s.ColumnInt64(i)
		if k == colBool && (n == 0 || n == 1) {
			return n == 1
		}
		v = n
	case sqlite3.FLOAT:
		v = s.ColumnFloat(i)
	case sqlite3.TEXT:
		v = s.ColumnText(i)
	case sqlite3.BLOB:
		return s.ColumnBlob(i, []byte{})
	default:
		return nil
	}
	if k == colTime {
		if t, err := sqlite3.TimeFormatAuto.Decode(v); err == nil {
			return t
		}
	}
	return v
}
