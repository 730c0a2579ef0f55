package maintenance

import (
	"context"
	"fmt"

	"github.com/liteactor/liteactor/internal/sqlstmt"
	"github.com/ncruces/go-sqlite3"

	"github.com/liteactor/liteactor"
)

// AutoVacuumMode is the database's auto_vacuum setting.
type AutoVacuumMode uint8

const (
	// AutoVacuumNone: freed pages go to the free list and stay in the file
	// until VACUUM (SQLite's default).
	AutoVacuumNone AutoVacuumMode = 0
	// AutoVacuumFull: free pages are moved to the end of the file and the
	// file truncated at every commit.
	AutoVacuumFull AutoVacuumMode = 1
	// AutoVacuumIncremental: free pages are tracked so that
	// [IncrementalVacuum] can return them on demand.
	AutoVacuumIncremental AutoVacuumMode = 2
)

// String names the mode.
func (m AutoVacuumMode) String() string {
	switch m {
	case AutoVacuumNone:
		return "NONE"
	case AutoVacuumFull:
		return "FULL"
	case AutoVacuumIncremental:
		return "INCREMENTAL"
	}
	return fmt.Sprintf("AutoVacuumMode(%d)", uint8(m))
}

// AutoVacuum reads the database's auto_vacuum mode on a reader.
func AutoVacuum(ctx context.Context, eng *liteactor.Engine) (AutoVacuumMode, error) {
	var m int64
	err := eng.Read(ctx, func(conn *sqlite3.Conn) (err error) {
		// PRAGMA auto_vacuum answers from the connection's cache of the
		// header, refreshed only when a read transaction starts: start one.
		if err := conn.Exec("SELECT count(*) FROM sqlite_schema"); err != nil {
			return err
		}
		m, err = pragmaInt(conn, "auto_vacuum")
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("maintenance: auto_vacuum: %w", err)
	}
	return AutoVacuumMode(m), nil
}

// SetAutoVacuum sets the auto_vacuum mode through eng.Exclusive. Between
// NONE and FULL or INCREMENTAL the database must be rebuilt for the change
// to take effect, so SetAutoVacuum then runs VACUUM too (with [Vacuum]'s
// cost: writes wait, reads go on); between FULL and INCREMENTAL no VACUUM
// is needed. It returns the mode in force afterwards.
func SetAutoVacuum(ctx context.Context, eng *liteactor.Engine, mode AutoVacuumMode) (AutoVacuumMode, error) {
	if mode > AutoVacuumIncremental {
		return 0, fmt.Errorf("maintenance: unknown auto_vacuum mode %d", mode)
	}
	var now int64
	err := eng.Exclusive(ctx, func(conn *sqlite3.Conn) error {
		before, err := pragmaInt(conn, "auto_vacuum")
		if err != nil {
			return err
		}
		if err := conn.Exec(fmt.Sprintf("PRAGMA auto_vacuum = %d", mode)); err != nil {
			return err
		}
		if (before == 0) != (mode == AutoVacuumNone) {
			if err := conn.Exec("VACUUM"); err != nil {
				return err
			}
		}
		now, err = pragmaInt(conn, "auto_vacuum")
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("maintenance: set auto_vacuum: %w", err)
	}
	return AutoVacuumMode(now), nil
}

// IncrementalVacuum returns up to pages free pages to the file system
// (all of them when pages <= 0) with PRAGMA incremental_vacuum, through
// eng.Write. It only does something in AutoVacuumIncremental mode; in the
// other modes freed is 0. It reports how many pages were freed.
func IncrementalVacuum(ctx context.Context, eng *liteactor.Engine, pages int) (freed int64, err error) {
	err = eng.Write(ctx, func(conn *sqlite3.Conn) error {
		before, err := pragmaInt(conn, "freelist_count")
		if err != nil {
			return err
		}
		sql := "PRAGMA incremental_vacuum"
		if pages > 0 {
			sql = fmt.Sprintf("PRAGMA incremental_vacuum(%d)", pages)
		}
		// incremental_vacuum returns a row per step: run it to completion.
		if err := sqlstmt.Query(conn, sql, nil, func(*sqlite3.Stmt) error { return nil }); err != nil {
			return err
		}
		after, err := pragmaInt(conn, "freelist_count")
		freed = before - after
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("maintenance: incremental_vacuum: %w", err)
	}
	return freed, nil
}
