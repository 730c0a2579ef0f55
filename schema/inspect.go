package schema

import (
	"errors"
	"fmt"

	"github.com/ncruces/go-sqlite3"

	"github.com/liteactor/liteactor/internal/sqlstmt"
)

// ErrNoSuchTable is wrapped by the error an inspection of a table or view
// returns when the main schema has none of that name.
var ErrNoSuchTable = errors.New("schema: no such table")

// Inspector reads and extends the schema through a connection the caller
// holds. Its methods run on that connection, in whatever transaction it is
// in, and must not be called concurrently (a *sqlite3.Conn is not safe for
// concurrent use).
type Inspector struct {
	conn *sqlite3.Conn
}

// Inspect returns an Inspector on conn, typically the connection an engine
// closure receives.
func Inspect(conn *sqlite3.Conn) Inspector { return Inspector{conn: conn} }

// Tables lists the ordinary and virtual tables of the main schema, by name,
// without SQLite's internal sqlite_ tables.
func (in Inspector) Tables() ([]Table, error) {
	var out []Table
	err := sqlstmt.Query(in.conn, `SELECT name, type, ncol, wr, strict FROM pragma_table_list
		WHERE schema = 'main' AND type IN ('table', 'virtual') AND name NOT LIKE 'sqlite\_%' ESCAPE '\'
		ORDER BY name`, nil, func(s *sqlite3.Stmt) error {
		out = append(out, Table{
			Name: s.ColumnText(0), Type: s.ColumnText(1), Columns: s.ColumnInt(2),
			WithoutRowID: s.ColumnBool(3), Strict: s.ColumnBool(4),
		})
		return nil
	})
	return out, err
}

// TableExists reports whether the main schema has a table (ordinary or
// virtual) called name, compared case-insensitively like SQLite does.
func (in Inspector) TableExists(name string) (bool, error) {
	return sqlstmt.Exists(in.conn, `SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?1 COLLATE NOCASE`, name)
}

// IndexExists reports whether the main schema records an index called name
// in sqlite_schema (automatic UNIQUE and PRIMARY KEY indexes of rowid tables
// included; the primary key of a WITHOUT ROWID table is the table itself and
// is not an index there), compared case-insensitively.
func (in Inspector) IndexExists(name string) (bool, error) {
	return sqlstmt.Exists(in.conn, `SELECT 1 FROM sqlite_schema WHERE type = 'index' AND name = ?1 COLLATE NOCASE`, name)
}

// ColumnExists reports whether table has a column called column (hidden and
// generated columns included), compared case-insensitively. It returns an
// error wrapping [ErrNoSuchTable] when there is no such table or view.
func (in Inspector) ColumnExists(table, column string) (bool, error) {
	if _, err := in.requireRelation(table); err != nil {
		return false, err
	}
	return sqlstmt.Exists(in.conn, `SELECT 1 FROM pragma_table_xinfo(?1, 'main') WHERE name = ?2 COLLATE NOCASE`, table, column)
}

// Columns lists the columns of a table or view in declaration order, hidden
// and generated columns included. It returns an error wrapping
// [ErrNoSuchTable] when there is no such table or view.
func (in Inspector) Columns(table string) ([]Column, error) {
	if _, err := in.requireRelation(table); err != nil {
		return nil, err
	}
	var out []Column
	err := sqlstmt.Query(in.conn, `SELECT name, type, "notnull", dflt_value, pk, hidden FROM pragma_table_xinfo(?1, 'main') ORDER BY cid`,
		[]any{table}, func(s *sqlite3.Stmt) error {
			c := Column{
				Name: s.ColumnText(0), Type: s.ColumnText(1), NotNull: s.ColumnBool(2),
				PrimaryKey: s.ColumnInt(4), Hidden: s.ColumnInt(5),
			}
			if s.ColumnType(3) != sqlite3.NULL {
				c.Default, c.HasDefault = s.ColumnText(3), true
			}
			out = append(out, c)
			return nil
		})
	return out, err
}

// Indexes lists the indexes of a table by name, with their key columns. It
// returns an error wrapping [ErrNoSuchTable] when there is no such table.
func (in Inspector) Indexes(table string) ([]Index, error) {
	declared, err := in.requireRelation(table)
	if err != nil {
		return nil, err
	}
	var out []Index
	err = sqlstmt.Query(in.conn, `SELECT name, "unique", origin, partial FROM pragma_index_list(?1, 'main') ORDER BY name`,
		[]any{table}, func(s *sqlite3.Stmt) error {
			out = append(out, Index{
				Name: s.ColumnText(0), Unique: s.ColumnBool(1), Origin: s.ColumnText(2),
				Partial: s.ColumnBool(3), Table: declared,
			})
			return nil
		})
	if err != nil {
		return nil, err
	}
	for i := range out {
		if out[i].Columns, err = in.indexColumns(out[i].Name); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (in Inspector) indexColumns(index string) ([]IndexColumn, error) {
	var cols []IndexColumn
	err := sqlstmt.Query(in.conn, `SELECT cid, name, "desc", coll FROM pragma_index_xinfo(?1, 'main') WHERE key ORDER BY seqno`,
		[]any{index}, func(s *sqlite3.Stmt) error {
			cols = append(cols, IndexColumn{
				Name: s.ColumnText(1), Expression: s.ColumnInt(0) == -2,
				Desc: s.ColumnBool(2), Collation: s.ColumnText(3),
			})
			return nil
		})
	return cols, err
}

// ForeignKeys lists the foreign-key constraints of a child table by ID. It
// returns an error wrapping [ErrNoSuchTable] when there is no such table.
func (in Inspector) ForeignKeys(table string) ([]ForeignKey, error) {
	declared, err := in.requireRelation(table)
	if err != nil {
		return nil, err
	}
	var out []ForeignKey
	err = sqlstmt.Query(in.conn, `SELECT id, "table", "from", "to", on_update, on_delete, "match"
		FROM pragma_foreign_key_list(?1, 'main') ORDER BY id, seq`, []any{table}, func(s *sqlite3.Stmt) error {
		id := s.ColumnInt(0)
		if len(out) == 0 || out[len(out)-1].ID != id {
			out = append(out, ForeignKey{
				ID: id, Table: declared, Parent: s.ColumnText(1),
				OnUpdate: s.ColumnText(4), OnDelete: s.ColumnText(5), Match: s.ColumnText(6),
			})
		}
		fk := &out[len(out)-1]
		fk.From = append(fk.From, s.ColumnText(2))
		fk.To = append(fk.To, s.ColumnText(3))
		return nil
	})
	return out, err
}

// requireRelation returns an ErrNoSuchTable error unless table names a table
// or view of the main schema.
// It returns the name as declared.
func (in Inspector) requireRelation(table string) (string, error) {
	var name string
	err := sqlstmt.Query(in.conn, `SELECT name FROM sqlite_schema WHERE type IN ('table', 'view') AND name = ?1 COLLATE NOCASE`,
		[]any{table}, func(s *sqlite3.Stmt) error { name = s.ColumnText(0); return nil })
	if err != nil {
		return "", err
	}
	if name == "" {
		return "", fmt.Errorf("%w: %q", ErrNoSuchTable, table)
	}
	return name, nil
}
