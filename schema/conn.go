package schema

import (
	"fmt"
	"strings"

	"github.com/ncruces/go-sqlite3"
)

// query prepares sql, binds args (strings and ints only, which is all this
// package needs), and calls row for every result row.
func query(conn *sqlite3.Conn, sql string, args []any, row func(*sqlite3.Stmt) error) error {
	stmt, _, err := conn.Prepare(sql)
	if err != nil {
		return err
	}
	defer stmt.Close()
	for i, a := range args {
		switch v := a.(type) {
		case string:
			err = stmt.BindText(i+1, v)
		case int:
			err = stmt.BindInt(i+1, v)
		default:
			err = fmt.Errorf("schema: internal: cannot bind %T", a)
		}
		if err != nil {
			return err
		}
	}
	for stmt.Step() {
		if err := row(stmt); err != nil {
			return err
		}
	}
	return stmt.Err()
}

// exists reports whether sql returns at least one row.
func exists(conn *sqlite3.Conn, sql string, args ...any) (bool, error) {
	found := false
	err := query(conn, sql, args, func(*sqlite3.Stmt) error { found = true; return nil })
	return found, err
}

// execOne runs sql, which must be exactly one statement: trailing SQL is
// rejected before anything runs.
func execOne(conn *sqlite3.Conn, sql string) error {
	stmt, tail, err := conn.Prepare(sql)
	if err != nil {
		return err
	}
	defer stmt.Close()
	if stmt == nil {
		return fmt.Errorf("%w: empty statement", ErrInvalidDefinition)
	}
	if strings.TrimSpace(tail) != "" {
		// Only comments and semicolons may follow the statement.
		next, _, err := conn.Prepare(tail)
		if err != nil {
			return fmt.Errorf("%w: trailing SQL in %q: %w", ErrInvalidDefinition, sql, err)
		}
		if next != nil {
			next.Close()
			return fmt.Errorf("%w: more than one statement in %q", ErrInvalidDefinition, sql)
		}
	}
	return stmt.Exec()
}
