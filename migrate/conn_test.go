package migrate

import (
	"path/filepath"
	"testing"

	"github.com/ncruces/go-sqlite3"
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
	if err := query(conn, sql, func(s *sqlite3.Stmt) error { n = s.ColumnInt64(0); return nil }); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}
