package sqlstmt

import (
	"errors"
	"fmt"

	"github.com/ncruces/go-sqlite3"
)

// Cache is a statement cache owned by the caller (for example the engine's
// per-connection LRU). Statements handed to Put belong to the cache, which
// finalizes them on eviction and before its connection closes; the helpers
// of [Conn] only reset them and clear their bindings.
type Cache interface {
	// Get returns the statement cached for sql, or nil.
	Get(sql string) *sqlite3.Stmt
	// Put takes ownership of s, just prepared for sql.
	Put(sql string, s *sqlite3.Stmt)
}

// Conn runs one statement at a time, with arguments, on a connection. With
// a nil Cache each call prepares its statement and finalizes it before
// returning; with a Cache, statements come from it and go back to it reset,
// bindings cleared. A Conn is a value: build one where it is needed. It is
// not safe for concurrent use (nor is the connection).
type Conn struct {
	Conn  *sqlite3.Conn
	Cache Cache // optional
	// ReadOnly marks a query_only connection (a reader's): a statement that
	// writes (sqlite3_stmt_readonly false) and fails there with SQLite's
	// READONLY is reported as ErrNotReadOnly. (The check is not made before
	// the statement runs: SQLite calls some PRAGMAs that only read, such as
	// PRAGMA journal_mode, not read-only; query_only is what stops writes.)
	ReadOnly bool
}

// PrepareOne prepares sql, which must hold exactly one statement (trailing
// white space, comments and semicolons allowed). Empty SQL is
// ErrEmptyStatement, several statements ErrMultiStatement (both wrap
// ErrInvalidArg); SQLite's errors are returned as they are. The caller
// owns the statement and must Close it.
func PrepareOne(conn *sqlite3.Conn, sql string) (*sqlite3.Stmt, error) {
	s, tail, err := conn.Prepare(sql)
	if err != nil {
		return nil, err
	}
	if s == nil {
		return nil, ErrEmptyStatement
	}
	if !Blank(tail) {
		s.Close()
		return nil, ErrMultiStatement
	}
	return s, nil
}

// prepare returns a statement for sql (exactly one statement, see
// [PrepareOne]), ready to bind: the cached one if the Cache has it, else a
// new one, which goes into the Cache when there is one. owned says the
// caller must Close it (release does): always without a Cache, and with one
// when the cached statement is in use by a scan still walking its rows (the
// same SQL run again from inside a row callback gets a statement of its
// own). A cached statement is never Closed, only reset. With ReadOnly set,
// a statement that writes is ErrNotReadOnly.
func (c Conn) prepare(sql string) (s *sqlite3.Stmt, owned bool, err error) {
	if c.Cache != nil {
		s = c.Cache.Get(sql)
	}
	if s == nil || s.Busy() {
		owned = c.Cache == nil || s != nil
		if s, err = PrepareOne(c.Conn, sql); err != nil {
			return nil, false, err
		}
		if !owned {
			c.Cache.Put(sql, s)
		}
	}
	return s, owned, nil
}

// release hands s back after a call and returns the call's err: s is
// finalized when the caller owns it; otherwise its bindings are cleared
// (when any were set) so no argument stays referenced. With ReadOnly set,
// a statement that writes (sqlite3_stmt_readonly false) and failed with
// SQLite's READONLY (the connection is query_only) reports ErrNotReadOnly.
func (c Conn) release(s *sqlite3.Stmt, owned, bound bool, err error) error {
	if c.ReadOnly && err != nil && errors.Is(err, sqlite3.READONLY) && !s.ReadOnly() && !errors.Is(err, ErrNotReadOnly) {
		err = fmt.Errorf("%w: %w", ErrNotReadOnly, err)
	}
	if owned {
		s.Close()
	} else if bound {
		s.ClearBindings()
	}
	return err
}

// Exec runs sql (one statement) with args to completion, discarding any
// rows. Errors: ErrInvalidArg (bad argument or SQL shape), SQLite's (an
// interrupted statement reports sqlite3.INTERRUPT).
func (c Conn) Exec(sql string, args ...any) error {
	s, owned, err := c.prepare(sql)
	if err != nil {
		return err
	}
	if err = Bind(s, args); err == nil {
		err = s.Exec()
	}
	return c.release(s, owned, len(args) > 0, err)
}

// Query runs sql (one statement) with args and calls row for every result
// row, as [Each] does: it returns nil only after the last row was seen.
func (c Conn) Query(sql string, args []any, row func(*sqlite3.Stmt) error) error {
	s, owned, err := c.prepare(sql)
	if err != nil {
		return err
	}
	if err = Bind(s, args); err == nil {
		err = Each(s, row)
	}
	return c.release(s, owned, len(args) > 0, err)
}

// All runs sql (one statement) with args and returns its column names and
// every row, as [All] copies them, or an error and no rows.
func (c Conn) All(sql string, args []any) (cols []string, rows [][]any, err error) {
	return c.AllMax(sql, args, 0)
}

// AllMax is All with a limit: more than max rows (max > 0) is
// ErrTooManyRows, and no rows; the scan stops at row max+1.
func (c Conn) AllMax(sql string, args []any, max int) (cols []string, rows [][]any, err error) {
	return c.AppendAll(nil, sql, args, max)
}

// AppendAll is AllMax appending the rows to dst (whose spare capacity a
// caller may have allocated with something else); with no rows it returns
// dst unchanged, as AllMax returns nil.
func (c Conn) AppendAll(dst [][]any, sql string, args []any, max int) (cols []string, rows [][]any, err error) {
	s, owned, err := c.prepare(sql)
	if err != nil {
		return nil, nil, err
	}
	if err = Bind(s, args); err == nil {
		cols, rows, err = appendAll(dst, s, max)
	}
	err = c.release(s, owned, len(args) > 0, err)
	return cols, rows, err
}

// Exists reports whether sql (one statement) with args returns at least one
// row. It reads no further than the first row.
func (c Conn) Exists(sql string, args ...any) (bool, error) {
	s, owned, err := c.prepare(sql)
	if err != nil {
		return false, err
	}
	found := false
	if err = Bind(s, args); err == nil {
		found = s.Step()
		err = Finish(s)
	}
	err = c.release(s, owned, len(args) > 0, err)
	return found && err == nil, err
}

// Exec is Conn{Conn: conn}.Exec: one uncached statement.
func Exec(conn *sqlite3.Conn, sql string, args ...any) error {
	return Conn{Conn: conn}.Exec(sql, args...)
}

// Query is Conn{Conn: conn}.Query: one uncached statement.
func Query(conn *sqlite3.Conn, sql string, args []any, row func(*sqlite3.Stmt) error) error {
	return Conn{Conn: conn}.Query(sql, args, row)
}

// Exists is Conn{Conn: conn}.Exists: one uncached statement.
func Exists(conn *sqlite3.Conn, sql string, args ...any) (bool, error) {
	return Conn{Conn: conn}.Exists(sql, args...)
}
