package migrate

import (
	"fmt"
	"strings"

	"github.com/ncruces/go-sqlite3"
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
	err := query(conn, `PRAGMA foreign_keys`, func(s *sqlite3.Stmt) error { on = s.ColumnBool(0); return nil })
	return on, err
}

// ForeignKeyViolation is one row reported by PRAGMA foreign_key_check.
type ForeignKeyViolation struct {
	Table  string // the child table
	RowID  int64  // the child row (0 for a WITHOUT ROWID table)
	Parent string // the table the key refers to
	FKID   int    // the foreign key's index in PRAGMA foreign_key_list(Table)
}

// String describes the violation as "child rowid N -> parent (fk K)".
func (v ForeignKeyViolation) String() string {
	return fmt.Sprintf("%s rowid %d -> %s (fk %d)", v.Table, v.RowID, v.Parent, v.FKID)
}

func foreignKeyViolations(conn *sqlite3.Conn) ([]ForeignKeyViolation, error) {
	var out []ForeignKeyViolation
	err := query(conn, `PRAGMA foreign_key_check`, func(s *sqlite3.Stmt) error {
		out = append(out, ForeignKeyViolation{Table: s.ColumnText(0), RowID: s.ColumnInt64(1), Parent: s.ColumnText(2), FKID: s.ColumnInt(3)})
		return nil
	})
	return out, err
}

// foreignKeyCheck returns ErrForeignKeyViolation naming up to ten violations.
func foreignKeyCheck(conn *sqlite3.Conn) error {
	vs, err := foreignKeyViolations(conn)
	if err != nil || len(vs) == 0 {
		return err
	}
	names := make([]string, 0, 10)
	for i, v := range vs {
		if i == 10 {
			names = append(names, fmt.Sprintf("and %d more", len(vs)-10))
			break
		}
		names = append(names, v.String())
	}
	return fmt.Errorf("%w: %d rows: %s", ErrForeignKeyViolation, len(vs), strings.Join(names, "; "))
}
