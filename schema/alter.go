package schema

import (
	"errors"
	"fmt"
	"strings"

	"github.com/ncruces/go-sqlite3"

	"github.com/liteactor/liteactor/internal/sqlstmt"
)

// ErrIndexConflict is wrapped by the error [Inspector.CreateIndexIfMissing]
// returns when an index of the requested name exists but is not the
// requested index (another table, other columns, or other uniqueness).
var ErrIndexConflict = errors.New("schema: a different index of that name exists")

// AddColumnIfMissing adds col to table unless table already has a column of
// that name (compared case-insensitively), and reports whether it added it.
// An existing column is left as it is, whatever its type or constraints.
// When another connection adds the column between the check and the ALTER
// (possible only outside a write transaction), SQLite's "duplicate column
// name" error is absorbed and added is false. It returns an error wrapping
// [ErrNoSuchTable] when table does not exist, [ErrInvalidIdentifier] or
// [ErrInvalidDefinition] for a definition it cannot build safely, and SQLite's
// error when SQLite refuses the column.
func (in Inspector) AddColumnIfMissing(table string, col ColumnDef) (added bool, err error) {
	sql, err := AddColumnSQL(table, col)
	if err != nil {
		return false, err
	}
	present, err := in.ColumnExists(table, col.Name)
	if err != nil || present {
		return false, err
	}
	if err := execOne(in.conn, sql); err != nil {
		if isDuplicateColumn(err) {
			return false, nil
		}
		return false, fmt.Errorf("schema: add column %q to %q: %w", col.Name, table, err)
	}
	return true, nil
}

// CreateIndexIfMissing creates idx unless an index of that name exists, and
// reports whether it created it. It runs CREATE INDEX IF NOT EXISTS, so a
// concurrent creation of the same index is not an error. When an index of
// that name exists (before or after the statement) it must be on the same
// table with the same key columns in the same order and the same
// uniqueness; otherwise the error wraps [ErrIndexConflict]. The WHERE clause
// of a partial index is compared only as "partial or not". It returns an
// error wrapping [ErrNoSuchTable] when idx.Table does not exist.
func (in Inspector) CreateIndexIfMissing(idx IndexDef) (created bool, err error) {
	sql, err := CreateIndexSQL(idx)
	if err != nil {
		return false, err
	}
	if _, err := in.requireRelation(idx.Table); err != nil {
		return false, err
	}
	existed, err := in.IndexExists(idx.Name)
	if err != nil {
		return false, err
	}
	if !existed {
		if err := execOne(in.conn, sql); err != nil {
			return false, fmt.Errorf("schema: create index %q: %w", idx.Name, err)
		}
	}
	if err := in.sameIndex(idx); err != nil {
		return false, err
	}
	return !existed, nil
}

// isDuplicateColumn reports whether err is SQLite's refusal to add a column
// that exists. SQLite gives it no code of its own (plain SQLITE_ERROR), so the
// message is the only signal.
func isDuplicateColumn(err error) bool {
	return errors.Is(err, sqlite3.ERROR) && strings.Contains(err.Error(), "duplicate column name")
}

// sameIndex checks that the index called idx.Name matches idx.
func (in Inspector) sameIndex(idx IndexDef) error {
	var table string
	err := sqlstmt.Query(in.conn, `SELECT tbl_name FROM sqlite_schema WHERE type = 'index' AND name = ?1 COLLATE NOCASE`,
		[]any{idx.Name}, func(s *sqlite3.Stmt) error { table = s.ColumnText(0); return nil })
	if err != nil {
		return err
	}
	if table == "" {
		return fmt.Errorf("schema: index %q missing after CREATE INDEX IF NOT EXISTS", idx.Name)
	}
	if !asciiEqualFold(table, idx.Table) {
		return fmt.Errorf("%w: %q is on table %q, not %q", ErrIndexConflict, idx.Name, table, idx.Table)
	}
	indexes, err := in.Indexes(table)
	if err != nil {
		return err
	}
	for _, have := range indexes {
		if !asciiEqualFold(have.Name, idx.Name) {
			continue
		}
		if have.Unique != idx.Unique || have.Partial != (strings.TrimSpace(idx.Where) != "") {
			return fmt.Errorf("%w: %q has unique=%v partial=%v", ErrIndexConflict, idx.Name, have.Unique, have.Partial)
		}
		if len(have.Columns) != len(idx.Columns) {
			return fmt.Errorf("%w: %q has %d key columns, not %d", ErrIndexConflict, idx.Name, len(have.Columns), len(idx.Columns))
		}
		for i, c := range have.Columns {
			if c.Expression || !asciiEqualFold(c.Name, idx.Columns[i]) {
				return fmt.Errorf("%w: %q key %d is %q, not %q", ErrIndexConflict, idx.Name, i+1, c.Name, idx.Columns[i])
			}
		}
		return nil
	}
	return fmt.Errorf("schema: index %q not listed for table %q", idx.Name, table)
}

// asciiEqualFold is EqualNames.
func asciiEqualFold(a, b string) bool { return EqualNames(a, b) }

// EqualNames reports whether a and b name the same SQLite object: SQLite
// compares identifiers case-insensitively for ASCII letters only ("É" and
// "é" differ).
func EqualNames(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}
