package backup

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/ncruces/go-sqlite3"
	"go.uber.org/goleak"

	"github.com/liteactor/liteactor"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func config() liteactor.Config {
	cfg := liteactor.MinimalConfig()
	cfg.Readers = 2
	return cfg
}

func openEngine(t testing.TB, path string) *liteactor.Engine {
	t.Helper()
	eng, err := liteactor.Open(context.Background(), path, config())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { eng.Close(context.Background()) })
	return eng
}

// seeded opens an engine on a new file holding rows rows of ~500 bytes in
// table t (about rows/7 pages), plus an index.
func seeded(t testing.TB, rows int) (*liteactor.Engine, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "live.db")
	eng := openEngine(t, path)
	_, err := eng.Exec(context.Background(), `CREATE TABLE t (id INTEGER PRIMARY KEY, pad BLOB NOT NULL, tag TEXT);
		CREATE INDEX t_tag ON t (tag);
		WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < `+itoa(rows)+`)
		INSERT INTO t SELECT i, randomblob(500), 'tag' || (i % 10) FROM n;`)
	if err != nil {
		t.Fatal(err)
	}
	return eng, path
}

func itoa(i int) string { return strconv.Itoa(i) }

// rawInt runs sql on a private read-only connection to path and returns
// the first column of the first row as int64.
func rawInt(t testing.TB, path, sql string) int64 {
	t.Helper()
	uri, err := readOnlyURI(path)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := sqlite3.OpenFlags(uri, sqlite3.OPEN_READONLY|sqlite3.OPEN_URI)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	stmt, _, err := conn.Prepare(sql)
	if err != nil {
		t.Fatal(err)
	}
	defer stmt.Close()
	if !stmt.Step() {
		t.Fatalf("%s: no row: %v", sql, stmt.Err())
	}
	return stmt.ColumnInt64(0)
}

func engineInt(t testing.TB, eng *liteactor.Engine, sql string) int64 {
	t.Helper()
	r, err := eng.Query(context.Background(), sql)
	if err != nil {
		t.Fatal(err)
	}
	return r.Values[0][0].(int64)
}

// noLeftovers fails if dir holds anything but the named files.
func noLeftovers(t testing.TB, dir string, allowed ...string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		ok := false
		for _, a := range allowed {
			ok = ok || e.Name() == a
		}
		if !ok {
			t.Errorf("unexpected file %s in %s", e.Name(), dir)
		}
	}
}
