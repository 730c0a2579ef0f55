package check

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/ncruces/go-sqlite3"

	"github.com/liteactor/liteactor"
	"github.com/liteactor/liteactor/internal/sqlstmt"
)

// Violation is one row of a child table whose foreign key has no parent row.
type Violation struct {
	// Table is the child table holding the row.
	Table string
	// RowID is the row's rowid when HasRowID; a WITHOUT ROWID child table
	// has none (HasRowID false).
	RowID    int64
	HasRowID bool
	// Parent is the table the foreign key refers to.
	Parent string
	// FKIndex identifies the constraint within Table: the id column of
	// PRAGMA foreign_key_list(Table) (schema.ForeignKey.ID).
	FKIndex int
}

// ForeignKeys runs PRAGMA foreign_key_check on a reader and returns every
// violation, sorted by table, then rowid, then constraint. table, when not empty,
// limits the check to that child table. No violations is an empty result and
// a nil error. Violations exist only if rows were written with
// foreign_keys=OFF (the engine turns it on for its connections) or the
// constraints were added later.
func ForeignKeys(ctx context.Context, eng *liteactor.Engine, table string) ([]Violation, error) {
	var v []Violation
	err := eng.Read(ctx, func(conn *sqlite3.Conn) (err error) {
		v, err = ForeignKeysConn(conn, table)
		return err
	})
	return v, err
}

// ForeignKeysConn is [ForeignKeys] on a connection the caller holds.
func ForeignKeysConn(conn *sqlite3.Conn, table string) ([]Violation, error) {
	sql := `SELECT "table", rowid, parent, fkid FROM pragma_foreign_key_check`
	var args []any
	if table != "" {
		sql += "(?1)"
		args = []any{table}
	}
	var out []Violation
	err := sqlstmt.Query(conn, sql, args, func(stmt *sqlite3.Stmt) error {
		v := Violation{Table: stmt.ColumnText(0), Parent: stmt.ColumnText(2), FKIndex: stmt.ColumnInt(3)}
		if stmt.ColumnType(1) != sqlite3.NULL {
			v.RowID, v.HasRowID = stmt.ColumnInt64(1), true
		}
		out = append(out, v)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("check: foreign_key_check: %w", err)
	}
	slices.SortStableFunc(out, func(a, b Violation) int {
		return cmp.Or(strings.Compare(a.Table, b.Table), cmp.Compare(a.RowID, b.RowID), cmp.Compare(a.FKIndex, b.FKIndex))
	})
	return out, nil
}
