package check

import (
	"context"
	"fmt"
	"math"

	"github.com/ncruces/go-sqlite3"

	"github.com/liteactor/liteactor"
	"github.com/liteactor/liteactor/internal/sqlstmt"
)

// Options narrows an integrity or quick check.
type Options struct {
	// Table, when not empty, checks only that table and its indexes
	// (PRAGMA integrity_check(TABLE)); MaxFindings is then SQLite's default
	// of 100.
	Table string
	// MaxFindings stops the check after that many findings; 0 means no
	// limit (every finding is reported).
	MaxFindings int
}

// Report is the outcome of integrity_check or quick_check.
type Report struct {
	// OK is true when SQLite found nothing wrong ("ok").
	OK bool
	// Findings are SQLite's messages, in the order it reported them, such
	// as "row 3 missing from index idx_a" or "NULL value in t.a"; empty when
	// OK.
	Findings []string
}

// Integrity runs PRAGMA integrity_check on a reader: the full check of
// b-tree structure, free-list and page accounting, index contents against
// their tables, UNIQUE, NOT NULL and CHECK constraints. It reads the whole
// database. The error is for a check that could not run (engine errors,
// ctx); findings go in the Report.
func Integrity(ctx context.Context, eng *liteactor.Engine, opts Options) (Report, error) {
	var r Report
	err := eng.Read(ctx, func(conn *sqlite3.Conn) (err error) {
		r, err = IntegrityConn(conn, opts)
		return err
	})
	return r, err
}

// Quick runs PRAGMA quick_check on a reader: integrity_check without the
// comparison of index contents against their tables, so it is much faster
// (linear rather than O(N log N)) and misses index/table mismatches.
func Quick(ctx context.Context, eng *liteactor.Engine, opts Options) (Report, error) {
	var r Report
	err := eng.Read(ctx, func(conn *sqlite3.Conn) (err error) {
		r, err = QuickConn(conn, opts)
		return err
	})
	return r, err
}

// IntegrityConn is [Integrity] on a connection the caller holds.
func IntegrityConn(conn *sqlite3.Conn, opts Options) (Report, error) {
	return run(conn, "integrity_check", opts)
}

// QuickConn is [Quick] on a connection the caller holds.
func QuickConn(conn *sqlite3.Conn, opts Options) (Report, error) {
	return run(conn, "quick_check", opts)
}

func run(conn *sqlite3.Conn, pragma string, opts Options) (Report, error) {
	if opts.MaxFindings < 0 {
		return Report{}, fmt.Errorf("check: MaxFindings %d < 0", opts.MaxFindings)
	}
	sql := fmt.Sprintf("PRAGMA %s(%d)", pragma, math.MaxInt32)
	if opts.Table != "" {
		sql = fmt.Sprintf("PRAGMA %s(%s)", pragma, sqlite3.Quote(opts.Table))
	} else if opts.MaxFindings > 0 {
		sql = fmt.Sprintf("PRAGMA %s(%d)", pragma, opts.MaxFindings)
	}
	var r Report
	err := sqlstmt.Query(conn, sql, nil, func(stmt *sqlite3.Stmt) error {
		r.Findings = append(r.Findings, stmt.ColumnText(0))
		return nil
	})
	if err != nil {
		return Report{}, fmt.Errorf("check: %s: %w", pragma, err)
	}
	if len(r.Findings) == 1 && r.Findings[0] == "ok" {
		return Report{OK: true}, nil
	}
	return r, nil
}
