package target

import (
	"context"
	"errors"

	"github.com/liteactor/liteactor/sqldb"
)

// sqldbKind is target (f): database/sql on the liteactor engine through
// package sqldb, driven by the same database/sql code as (c) and (d)
// (sqlDB), so a sqlc or sqlx user sees what moving to the engine costs and
// gains without changing a line: Insert is a group-committed ExecContext,
// Get/Scan stream from the engine's readers, Transfer is an interactive
// transaction holding the writer, BulkLoad a prepared statement in one.
func sqldbKind() Kind {
	return Kind{
		ID:    "sqldb",
		Label: "(f) database/sql on the engine (sqldb)",
		Desc: "sqldb.OpenDB on the engine of (a) (DefaultConfig, Readers and Synchronous per workload); " +
			"the same database/sql calls as (c)/(d)",
		Open:     openSQLDB,
		Classify: classifyLiteactor,
	}
}

// engineDB is an sqlDB whose *sql.DB runs on an engine; Close closes both.
type engineDB struct {
	*sqlDB
	l *lite
}

func openSQLDB(ctx context.Context, opt Options) (Target, error) {
	e, err := OpenEngine(ctx, opt)
	if err != nil {
		return nil, err
	}
	db := sqldb.OpenDB(e)
	return &engineDB{sqlDB: &sqlDB{w: db, r: db}, l: &lite{e: e}}, nil
}

// Counters returns the engine's cumulative Stats counters, as (a) does.
func (s *engineDB) Counters() map[string]float64 { return s.l.Counters() }

func (s *engineDB) Close() error { return errors.Join(s.sqlDB.Close(), s.l.Close()) }
