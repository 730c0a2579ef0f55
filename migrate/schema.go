package migrate

import (
	"cmp"
	"slices"

	"github.com/ncruces/go-sqlite3"

	"github.com/liteactor/liteactor/internal/sqlstmt"
)

// SchemaObject is a table, index, view or trigger as recorded in
// sqlite_schema.
type SchemaObject struct {
	Type    string `json:"type"`              // "table", "index", "view" or "trigger"
	Name    string `json:"name"`              // the object's name
	Table   string `json:"table,omitempty"`   // the table an index or trigger belongs to (tbl_name)
	SQL     string `json:"sql,omitempty"`     // the CREATE statement SQLite stores
	Version string `json:"version,omitempty"` // the migration that last created or changed it (Validate, Repair)
}

func (o SchemaObject) key() string { return o.Type + "\x00" + o.Name }

// schemaDelta is what one migration did to the schema, stored as JSON in the
// history table's schema_delta column: objects it created or changed (with
// their new SQL), and objects it dropped.
type schemaDelta struct {
	Set  []SchemaObject `json:"set,omitempty"`
	Drop []SchemaObject `json:"drop,omitempty"` // Type and Name only
}

// snapshot lists the user objects of the main schema with their SQL, in
// creation order (rowid of sqlite_schema). It leaves out SQLite's internal
// objects (sqlite_*), automatic indexes (no SQL), the shadow tables of
// virtual tables, and the history table with its indexes and triggers.
func snapshot(conn *sqlite3.Conn, historyTable string) ([]SchemaObject, error) {
	var out []SchemaObject
	err := sqlstmt.Query(conn, `
		SELECT type, name, tbl_name, sql FROM sqlite_schema
		WHERE sql IS NOT NULL
		  AND name NOT LIKE 'sqlite\_%' ESCAPE '\'
		  AND tbl_name <> ?1 COLLATE NOCASE
		  AND name NOT IN (SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = 'shadow')
		ORDER BY rowid`, []any{historyTable},
		func(s *sqlite3.Stmt) error {
			out = append(out, SchemaObject{Type: s.ColumnText(0), Name: s.ColumnText(1), Table: s.ColumnText(2), SQL: s.ColumnText(3)})
			return nil
		})
	return out, err
}

// diffSchema returns what changed from before to after.
func diffSchema(before, after []SchemaObject) schemaDelta {
	old := make(map[string]SchemaObject, len(before))
	for _, o := range before {
		old[o.key()] = o
	}
	var d schemaDelta
	for _, o := range after {
		prev, ok := old[o.key()]
		if !ok || prev.SQL != o.SQL || prev.Table != o.Table {
			d.Set = append(d.Set, o)
		}
		delete(old, o.key())
	}
	for _, o := range before {
		if _, gone := old[o.key()]; gone {
			d.Drop = append(d.Drop, SchemaObject{Type: o.Type, Name: o.Name})
		}
	}
	return d
}

// expectedSchema folds the deltas of applied migrations, in the order they
// were applied, into the objects the migrations left behind. Each object
// carries the version that last set it. The result is ordered tables,
// indexes, views, triggers, and by first creation within each type: an order
// in which the objects can be created.
func expectedSchema(rows []historyRow) []SchemaObject {
	type entry struct {
		obj SchemaObject
		seq int
	}
	objs := make(map[string]entry)
	seq := 0
	for _, r := range rows {
		for _, o := range r.delta.Set {
			o.Version = r.Version
			e, ok := objs[o.key()]
			if !ok {
				e.seq = seq
				seq++
			}
			e.obj = o
			objs[o.key()] = e
		}
		for _, o := range r.delta.Drop {
			delete(objs, o.key())
		}
	}
	entries := make([]entry, 0, len(objs))
	for _, e := range objs {
		entries = append(entries, e)
	}
	slices.SortFunc(entries, func(a, b entry) int {
		return cmp.Or(cmp.Compare(typeRank(a.obj.Type), typeRank(b.obj.Type)), cmp.Compare(a.seq, b.seq))
	})
	out := make([]SchemaObject, len(entries))
	for i, e := range entries {
		out[i] = e.obj
	}
	return out
}

func typeRank(t string) int {
	switch t {
	case "table":
		return 0
	case "index":
		return 1
	case "view":
		return 2
	default:
		return 3
	}
}
