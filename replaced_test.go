package liteactor_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/liteactor/liteactor"
	"github.com/liteactor/liteactor/internal/enginetest"
	"github.com/liteactor/liteactor/maintenance"
	"github.com/ncruces/go-sqlite3"
)

// makeDB creates a database at path with one table holding marker, with
// plain SQLite, and returns it closed (no -wal left).
func makeDB(t *testing.T, path, marker string) {
	t.Helper()
	c, err := sqlite3.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Exec("CREATE TABLE other(m TEXT); INSERT INTO other VALUES ('" + marker + "')"); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestFileReplaced: a database renamed over the engine's file, or the file
// unlinked, is detected before the next COMMIT: the write fails with
// ErrFileReplaced (and every later one), nothing more is acknowledged,
// Stats and the health check say so; the file now at the path is left
// intact. An idle engine notices it too (the WAL monitor asks the writer
// every interval), and an unlinked -wal file is noticed that way.
func TestFileReplaced(t *testing.T) {
	cases := []struct {
		name string
		idle bool // detect without a write
		do   func(t *testing.T, path string)
	}{
		{"renamed-over", false, func(t *testing.T, path string) {
			other := filepath.Join(filepath.Dir(path), "other.db")
			makeDB(t, other, "replacement")
			if err := os.Rename(other, path); err != nil {
				t.Fatal(err)
			}
		}},
		{"unlinked", false, func(t *testing.T, path string) {
			if err := os.Remove(path); err != nil {
				t.Fatal(err)
			}
		}},
		{"wal-unlinked", true, func(t *testing.T, path string) {
			if err := os.Remove(path + "-wal"); err != nil {
				t.Fatal(err)
			}
		}},
		{"renamed-over-idle", true, func(t *testing.T, path string) {
			other := filepath.Join(filepath.Dir(path), "other.db")
			makeDB(t, other, "replacement")
			if err := os.Rename(other, path); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := liteactor.DefaultConfig()
			cfg.WAL.Interval = 10 * time.Millisecond
			e, path := open(t, cfg)
			ctx := context.Background()
			mustExec(t, e, "CREATE TABLE t(x)")
			mustExec(t, e, "INSERT INTO t VALUES (1)")
			tc.do(t, path)
			if tc.idle {
				enginetest.WaitFor(t, "Stats().FileReplaced on an idle engine", func() bool { return e.Stats().FileReplaced })
			}
			for i := range 3 {
				_, err := e.Exec(ctx, "INSERT INTO t VALUES (2)")
				if !errors.Is(err, liteactor.ErrFileReplaced) {
					t.Fatalf("write %d after the replacement: %v, want ErrFileReplaced", i, err)
				}
			}
			err := e.Write(ctx, func(c *sqlite3.Conn) error { return c.Exec("INSERT INTO t VALUES (3)") })
			if !errors.Is(err, liteactor.ErrFileReplaced) {
				t.Fatalf("Write after the replacement: %v", err)
			}
			err = e.Exclusive(ctx, func(c *sqlite3.Conn) error { return nil })
			if !errors.Is(err, liteactor.ErrFileReplaced) {
				t.Fatalf("Exclusive after the replacement: %v", err)
			}
			if !e.Stats().FileReplaced {
				t.Fatal("Stats().FileReplaced is false")
			}
			if h := maintenance.Check(ctx, e, maintenance.HealthOptions{}); h.Status != maintenance.Unhealthy {
				t.Fatalf("health %v %v, want unhealthy", h.Status, h.Reasons)
			}
			if err := e.Close(ctx); err != nil {
				t.Fatal(err)
			}
			if tc.name == "unlinked" || tc.name == "wal-unlinked" {
				return
			}
			// The replacement is intact: plain SQLite reads it, with its
			// own table and none of the engine's.
			c, err := sqlite3.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			s, _, err := c.Prepare("SELECT (SELECT m FROM other), (SELECT count(*) FROM sqlite_schema WHERE name = 't'), (SELECT integrity_check FROM pragma_integrity_check)")
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if !s.Step() {
				t.Fatal(s.Err())
			}
			if m, n, ic := s.ColumnText(0), s.ColumnInt(1), s.ColumnText(2); m != "replacement" || n != 0 || ic != "ok" {
				t.Fatalf("the file at the path after Close: marker %q, engine tables %d, integrity %q", m, n, ic)
			}
		})
	}
}
