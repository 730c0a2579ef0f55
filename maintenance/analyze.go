package maintenance

import (
	"context"
	"fmt"

	"github.com/ncruces/go-sqlite3"

	"github.com/liteactor/liteactor"
	"github.com/liteactor/liteactor/schema"
)

// Analyze gathers the query planner's statistics (sqlite_stat1) with
// ANALYZE: for every table and index when table is "", else for that table
// (or index) only, quoted. It runs through eng.Write: atomic, in order with
// the other writes. Readers pick the new statistics up when they next
// prepare a statement.
func Analyze(ctx context.Context, eng *liteactor.Engine, table string) error {
	sql := "ANALYZE"
	if table != "" {
		q, err := schema.Quote(table)
		if err != nil {
			return err
		}
		sql += " " + q
	}
	if err := eng.Write(ctx, func(conn *sqlite3.Conn) error { return conn.Exec(sql) }); err != nil {
		return fmt.Errorf("maintenance: %s: %w", sql, err)
	}
	return nil
}

// Optimize runs PRAGMA optimize through eng.Write: SQLite analyzes the tables
// whose statistics are missing or stale (it is cheap when nothing is, and
// limits its own work with an analysis_limit). SQLite recommends it
// periodically and before closing long-lived connections; see [Optimizer].
func Optimize(ctx context.Context, eng *liteactor.Engine) error {
	if err := eng.Write(ctx, func(conn *sqlite3.Conn) error { return conn.Exec("PRAGMA optimize") }); err != nil {
		return fmt.Errorf("maintenance: optimize: %w", err)
	}
	return nil
}
