package migrate

import (
	"fmt"
	"strings"

	"github.com/ncruces/go-sqlite3"

	"github.com/liteactor/liteactor/internal/sqlstmt"
)

// dropEverything drops every trigger, view and table of the main schema
// (indexes go with their tables), including the history table, inside the
// caller's transaction. Virtual tables go before ordinary ones so that their
// shadow tables are dropped by their module.
func dropEverything(conn *sqlite3.Conn) error {
	list := func(where string) ([]SchemaObject, error) {
		var out []SchemaObject
		err := sqlstmt.Query(conn, `SELECT type, name FROM sqlite_schema
			WHERE name NOT LIKE 'sqlite\_%' ESCAPE '\' AND `+where+` ORDER BY rowid`, nil,
			func(s *sqlite3.Stmt) error {
				out = append(out, SchemaObject{Type: s.ColumnText(0), Name: s.ColumnText(1)})
				return nil
			})
		return out, err
	}
	for _, where := range []string{
		`type = 'trigger'`,
		`type = 'view'`,
		`type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%'`,
		`type = 'table'`,
	} {
		objs, err := list(where)
		if err != nil {
			return err
		}
		for _, o := range objs {
			if err := conn.Exec(`DROP ` + strings.ToUpper(o.Type) + ` IF EXISTS ` + sqlite3.QuoteIdentifier(o.Name)); err != nil {
				return fmt.Errorf("migrate: reset: dropping %s %s: %w", o.Type, o.Name, err)
			}
		}
	}
	return nil
}

// resetConn drops everything and applies the whole chain from a fresh
// database, inside the caller's transaction. It returns the records of the
// applied migrations; on error, the attempted one is last (the caller
// rolls everything back).
func resetConn(conn *sqlite3.Conn, c *chain, o *options) ([]historyRow, error) {
	if err := dropEverything(conn); err != nil {
		return nil, err
	}
	var recs []historyRow
	for {
		var res stepResult
		err := applyNext(conn, c, o, &res)
		if res.attempted {
			recs = append(recs, res.rec)
		}
		if err != nil || !res.attempted {
			return recs, err
		}
	}
}
