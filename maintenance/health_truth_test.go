package maintenance

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ncruces/go-sqlite3"

	"github.com/liteactor/liteactor"
)

// Finding 9: a database whose pages are corrupt is not Healthy.
func TestCheckReportsCorruptPages(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "corrupt.db")
	eng, err := liteactor.Open(ctx, path, liteactor.MinimalConfig())
	if err != nil {
		t.Fatal(err)
	}
	fill(t, eng, 200)
	var pageSize int64
	eng.Read(ctx, func(c *sqlite3.Conn) (err error) { pageSize, err = pragmaInt(c, "page_size"); return err })
	if err := eng.Close(ctx); err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	// Garbage over a b-tree page of the table (page 1 is the schema, which
	// Open reads: keep it intact so that Open succeeds).
	garbage := []byte(strings.Repeat("\xde\xad\xbe\xef", int(pageSize)/4))
	if _, err := f.WriteAt(garbage, 2*pageSize); err != nil {
		t.Fatal(err)
	}
	f.Close()
	eng = openAt(t, path, liteactor.MinimalConfig())
	h := Check(ctx, eng, HealthOptions{})
	if h.Status == Healthy || !strings.Contains(strings.Join(h.Reasons, "; "), "quick_check") {
		t.Fatalf("corrupt database: %v %q, want not healthy with quick_check's finding", h.Status, h.Reasons)
	}
	t.Logf("%v: %q", h.Status, h.Reasons)
}

// Finding 9: a database every write fails on (READONLY) is not Healthy,
// although an empty transaction still commits: opened read-only, or with a
// query_only writer.
func TestCheckReportsReadOnlyWriter(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "ro.db")
	rw := openAt(t, path, liteactor.MinimalConfig())
	fill(t, rw, 10)
	if err := rw.Close(ctx); err != nil {
		t.Fatal(err)
	}
	ro := openAt(t, "file:"+path+"?mode=ro", liteactor.MinimalConfig())
	if _, err := ro.Exec(ctx, "CREATE TABLE t(x)"); err == nil {
		t.Fatal("a write succeeded on a read-only database")
	}
	if h := Check(ctx, ro, HealthOptions{}); h.Status != Unhealthy || !strings.Contains(strings.Join(h.Reasons, "; "), "readonly") {
		t.Fatalf("read-only database: %v %q, want Unhealthy naming READONLY", h.Status, h.Reasons)
	}

	cfg := liteactor.MinimalConfig()
	cfg.InitHook = func(c *sqlite3.Conn) error { return c.Exec("PRAGMA query_only=1") }
	eng := openEngine(t, cfg)
	if _, err := eng.Exec(ctx, "CREATE TABLE t(x)"); err == nil {
		t.Fatal("a write succeeded on a query_only writer")
	}
	h := Check(ctx, eng, HealthOptions{})
	if h.Status != Unhealthy || !strings.Contains(strings.Join(h.Reasons, "; "), "readonly") {
		t.Fatalf("read-only writer: %v %q, want Unhealthy naming READONLY", h.Status, h.Reasons)
	}
	// The probe changed nothing on a healthy engine.
	eng2 := openEngine(t, liteactor.MinimalConfig())
	if _, err := eng2.Exec(ctx, "PRAGMA user_version = 7"); err != nil {
		t.Fatal(err)
	}
	if h := Check(ctx, eng2, HealthOptions{}); h.Status != Healthy {
		t.Fatalf("healthy engine: %v %q", h.Status, h.Reasons)
	}
	rows, err := eng2.Query(ctx, "PRAGMA user_version")
	if err != nil || rows.Values[0][0] != int64(7) {
		t.Fatalf("user_version after Check: %v, %v", rows, err)
	}
}

func openAt(t *testing.T, path string, cfg liteactor.Config) *liteactor.Engine {
	t.Helper()
	eng, err := liteactor.Open(context.Background(), path, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { eng.Close(context.Background()) })
	return eng
}
