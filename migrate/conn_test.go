package migrate

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ncruces/go-sqlite3"

	"github.com/liteactor/liteactor/internal/sqlstmt"
)

// openRaw opens a plain ncruces connection on a temporary file, for the
// parts of the package that work on a *sqlite3.Conn without an engine.
func openRaw(t *testing.T) *sqlite3.Conn {
	t.Helper()
	conn, err := sqlite3.Open(filepath.Join(t.TempDir(), "raw.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := conn.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return conn
}

func mustExec(t *testing.T, conn *sqlite3.Conn, sql string) {
	t.Helper()
	if err := conn.Exec(sql); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

func countRows(t *testing.T, conn *sqlite3.Conn, sql string) int64 {
	t.Helper()
	var n int64
	if err := sqlstmt.Query(conn, sql, nil, func(s *sqlite3.Stmt) error { n = s.ColumnInt64(0); return nil }); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

// SQLite compares table names case-insensitively: a history table created
// as "liteactor_migrations" is the one a caller names LITEACTOR_MIGRATIONS,
// not a missing one (which made the history look empty).
func TestHistoryTableNameIsCaseInsensitive(t *testing.T) {
	conn := openRaw(t)
	if err := ensureHistoryTable(conn, DefaultTable); err != nil {
		t.Fatal(err)
	}
	r := historyRow{Record: Record{Version: "1.0.0", Kind: KindBaseline, AppliedAt: time.Now()}}
	if err := insertHistory(conn, DefaultTable, r); err != nil {
		t.Fatal(err)
	}
	rows, err := loadHistory(conn, strings.ToUpper(DefaultTable))
	if err != nil || len(rows) != 1 || rows[0].Version != "1.0.0" {
		t.Fatalf("loadHistory(%q) = %+v, %v; want the one row", strings.ToUpper(DefaultTable), rows, err)
	}
	// The history table stays out of the schema snapshot under any case.
	objs, err := snapshot(conn, strings.ToUpper(DefaultTable))
	if err != nil || len(objs) != 0 {
		t.Fatalf("snapshot = %+v, %v; want no objects", objs, err)
	}
}
