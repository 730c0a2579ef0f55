package sqliterepo

import (
	"fmt"

	"github.com/ncruces/go-sqlite3"
)

// bind binds args to s's parameters in order. It accepts the few types this package stores.
func bind(s *sqlite3.Stmt, args ...any) error {
	for i, a := range args {
		var err error
		switch v := a.(type) {
		case nil:
			err = s.BindNull(i + 1)
		case string:
			err = s.BindText(i+1, v)
		case int:
			err = s.BindInt64(i+1, int64(v))
		case int64:
			err = s.BindInt64(i+1, v)
		case bool:
			err = s.BindBool(i+1, v)
		default:
			return fmt.Errorf("sqliterepo: cannot bind %T", a)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// stmt is a statement prepared once and run many times within one Write or Read closure.
type stmt struct{ s *sqlite3.Stmt }

func prepare(c *sqlite3.Conn, sql string) (*stmt, error) {
	s, _, err := c.Prepare(sql)
	if err != nil {
		return nil, err
	}
	return &stmt{s}, nil
}

// exec binds args and runs the statement to completion.
func (st *stmt) exec(args ...any) error {
	if err := bind(st.s, args...); err != nil {
		return err
	}
	return st.s.Exec()
}

// each binds args and calls row for every result row; row reads the columns from st.s.
func (st *stmt) each(row func(s *sqlite3.Stmt) error, args ...any) error {
	if err := st.s.Reset(); err != nil {
		return err
	}
	if err := bind(st.s, args...); err != nil {
		return err
	}
	for st.s.Step() {
		if err := row(st.s); err != nil {
			_ = st.s.Reset()
			return err
		}
	}
	return st.s.Err()
}

func (st *stmt) close() { _ = st.s.Close() }

// execOnce prepares, runs and finalizes one statement.
func execOnce(c *sqlite3.Conn, sql string, args ...any) error {
	st, err := prepare(c, sql)
	if err != nil {
		return err
	}
	defer st.close()
	return st.exec(args...)
}

// queryOnce prepares one statement, calls row for each result row, and finalizes it.
func queryOnce(c *sqlite3.Conn, sql string, row func(s *sqlite3.Stmt) error, args ...any) error {
	st, err := prepare(c, sql)
	if err != nil {
		return err
	}
	defer st.close()
	return st.each(row, args...)
}
