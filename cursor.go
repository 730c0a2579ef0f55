package liteactor

import (
	"reflect"

	"github.com/liteactor/liteactor/internal/sqlstmt"
	"github.com/ncruces/go-sqlite3"
)

// Cursor is the current row of a result being walked: what QueryFunc's
// callback gets, once per row. It is valid only during that call (the row
// lives in SQLite's memory, and the statement moves on when the callback
// returns); Scan copies values out.
type Cursor struct {
	s       *sqlite3.Stmt
	structs *Engine // owner of the per-type field mappings

	// The struct mapping of the last type scanned into (one per walk).
	typ  reflect.Type
	plan [][]int
}

// Scan copies the row's columns into dest, one destination per column:
// pointers to every int and uint kind (range-checked), float32/64, string,
// []byte (a copy), bool, time.Time, any; a pointer to a pointer (nil for
// NULL); sql.Null[T] and any sql.Scanner; named types by their kind. NULL
// into a destination that cannot hold it, a value out of range and a
// destination count different from the column count are errors wrapping
// ErrScan that name the column. It never panics.
func (c *Cursor) Scan(dest ...any) error { return sqlstmt.Scan(c.s, dest...) }

// ScanStruct scans the row into the struct dest points to, each column into
// the field of that name: a `db:"name"` tag, else the field's name, matched
// exactly, else case-insensitively (fields of embedded structs count as
// the outer struct's). A column no field takes is an error wrapping
// ErrScan; a field no column fills is left as it is. The type's mapping is
// built once per engine, the column plan once per walk.
func (c *Cursor) ScanStruct(dest any) error {
	v := reflect.ValueOf(dest)
	if v.Kind() != reflect.Pointer || v.IsNil() {
		return fmtScan("ScanStruct needs a non-nil pointer to a struct, got %T", dest)
	}
	v = v.Elem()
	if v.Type() != c.typ || c.plan == nil {
		f, err := c.structs.fieldsOf(v.Type())
		if err != nil {
			return err
		}
		plan, err := f.Plan(sqlstmt.Columns(c.s))
		if err != nil {
			return err
		}
		c.typ, c.plan = v.Type(), plan
	}
	return sqlstmt.ScanStruct(c.s, c.plan, v)
}

// Columns returns the result's column names, in order.
func (c *Cursor) Columns() []string { return sqlstmt.Columns(c.s) }

// Values returns the row's values copied out, as Rows.Values holds them
// (int64, float64, string, []byte or nil).
func (c *Cursor) Values() []any { return sqlstmt.Row(c.s, c.s.ColumnCount()) }

// Stmt returns the statement being walked, for what Scan does not cover
// (ColumnRawText, ColumnType, ...). It must not be stepped, reset,
// finalized or kept past the callback.
func (c *Cursor) Stmt() *sqlite3.Stmt { return c.s }

// fieldsOf returns t's field mapping, built once per engine.
func (e *Engine) fieldsOf(t reflect.Type) (*sqlstmt.Fields, error) {
	if f, ok := e.structs.Load(t); ok {
		return f.(*sqlstmt.Fields), nil
	}
	f, err := sqlstmt.FieldsOf(t)
	if err != nil {
		return nil, err
	}
	e.structs.Store(t, f)
	return f, nil
}

// walk runs sql with args on c and calls fn with a Cursor on every row; the
// scan stops at fn's first error, which is returned as is.
func walk(c sqlstmt.Conn, e *Engine, sql string, args []any, fn func(*Cursor) error) error {
	cur := Cursor{structs: e}
	return c.Query(sql, args, func(s *sqlite3.Stmt) error {
		cur.s = s
		return fn(&cur)
	})
}
