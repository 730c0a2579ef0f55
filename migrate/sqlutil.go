package migrate

import (
	"fmt"

	"github.com/ncruces/go-sqlite3"
)

// query runs one statement on conn, binding args (string, int64, nil), and
// calls row for every result row. The statement is always finalized.
func query(conn *sqlite3.Conn, sql string, row func(*sqlite3.Stmt) error, args ...any) error {
	stmt, _, err := conn.Prepare(sql)
	if err != nil {
		return err
	}
	defer stmt.Close()
	for i, a := range args {
		switch v := a.(type) {
		case string:
			err = stmt.BindText(i+1, v)
		case int64:
			err = stmt.BindInt64(i+1, v)
		case nil:
			err = stmt.BindNull(i + 1)
		default:
			err = fmt.Errorf("migrate: internal error: cannot bind %T", a)
		}
		if err != nil {
			return err
		}
	}
	for stmt.Step() {
		if row != nil {
			if err := row(stmt); err != nil {
				return err
			}
		}
	}
	return stmt.Err()
}

// exec runs one statement with args and no result rows.
func exec(conn *sqlite3.Conn, sql string, args ...any) error {
	return query(conn, sql, nil, args...)
}

// tableExists reports whether main has a table of that name.
func tableExists(conn *sqlite3.Conn, name string) (bool, error) {
	found := false
	err := query(conn, `SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?`,
		func(*sqlite3.Stmt) error { found = true; return nil }, name)
	return found, err
}
