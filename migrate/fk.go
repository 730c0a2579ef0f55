package migrate

import (
	"fmt"
	"strings"

	"github.com/ncruces/go-sqlite3"

	"github.com/liteactor/liteactor/check"
	"github.com/liteactor/liteactor/internal/sqlstmt"
)

// inOwnTransaction runs fn in a BEGIN IMMEDIATE transaction of its own on a
// connection in autocommit mode (inside Engine.Exclusive). With fkOff it
// follows SQLite's table-rebuild procedure: PRAGMA foreign_keys=OFF before
// BEGIN, PRAGMA foreign_key_check before COMMIT, and foreign_keys restored
// afterwards (also when fn fails or panics). Any error rolls back.
func inOwnTransaction(conn *sqlite3.Conn, fkOff bool, fn func(*sqlite3.Conn) error) (err error) {
	if fkOff {
		on, err := foreignKeysOn(conn)
		if err != nil {
			return err
		}
		if on {
			if err := conn.Exec(`PRAGMA foreign_keys = OFF`); err != nil {
				return err
			}
			defer func() {
				if rerr := conn.Exec(`PRAGMA foreign_keys = ON`); rerr != nil && err == nil {
					err = fmt.Errorf("migrate: restoring foreign_keys: %w", rerr)
				}
			}()
		}
	}
	if _, err := conn.BeginImmediate(); err != nil {
		return err
	}
	defer func() {
		if err != nil && !conn.GetAutocommit() {
			_ = conn.Exec(`ROLLBACK`) // the engine also rolls back a transaction left open
		}
	}()
	if err := fn(conn); err != nil {
		return err
	}
	if fkOff {
		if err := foreignKeyCheck(conn); err != nil {
			return err
		}
	}
	return conn.Exec(`COMMIT`)
}

func foreignKeysOn(conn *sqlite3.Conn) (bool, error) {
	on := false
	err := sqlstmt.Query(conn, `PRAGMA foreign_keys`, nil, func(s *sqlite3.Stmt) error { on = s.ColumnBool(0); return nil })
	return on, err
}

// ForeignKeyViolation is one row reported by PRAGMA foreign_key_check, as
// package check reports it (check.Violation: child table, rowid, parent
// table, constraint index).
type ForeignKeyViolation = check.Violation

// foreignKeyCheck returns ErrForeignKeyViolation naming up to ten violations.
func foreignKeyCheck(conn *sqlite3.Conn) error {
	vs, err := check.ForeignKeysConn(conn, "")
	if err != nil || len(vs) == 0 {
		return err
	}
	names := make([]string, 0, 10)
	for i, v := range vs {
		if i == 10 {
			names = append(names, fmt.Sprintf("and %d more", len(vs)-10))
			break
		}
		names = append(names, describeViolation(v))
	}
	return fmt.Errorf("%w: %d rows: %s", ErrForeignKeyViolation, len(vs), strings.Join(names, "; "))
}

// describeViolation names a violation as "child rowid N -> parent (fk K)",
// or "child -> parent (fk K)" for a WITHOUT ROWID child.
func describeViolation(v ForeignKeyViolation) string {
	if !v.HasRowID {
		return fmt.Sprintf("%s -> %s (fk %d)", v.Table, v.Parent, v.FKIndex)
	}
	return fmt.Sprintf("%s rowid %d -> %s (fk %d)", v.Table, v.RowID, v.Parent, v.FKIndex)
}
