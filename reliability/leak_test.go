package reliability_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/liteactor/liteactor"
	"github.com/ncruces/go-sqlite3"
	"go.uber.org/goleak"
)

func openFDs(t testing.TB) int {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatalf("count open files: %v", err)
	}
	return len(ents)
}

// TestNoLeaksAfterClose runs a mixed workload with everything that replaces
// connections (panicking callbacks, out-of-memory panics, a spent restart
// budget that escalates and restarts the whole tree) and checks that after
// Close the process holds exactly the goroutines and file descriptors it
// held before Open.
func TestNoLeaksAfterClose(t *testing.T) {
	for _, path := range []string{"file", ":memory:"} {
		t.Run(path, func(t *testing.T) {
			if path == "file" {
				path = filepath.Join(t.TempDir(), "leak.db")
			}
			ctx := context.Background()
			fds := openFDs(t)
			ignore := goleak.IgnoreCurrent()

			cfg := oomConfig()
			cfg.Readers = 3
			cfg.Restarts = liteactor.RestartBudget{Max: 2, Within: time.Minute}
			e, err := liteactor.Open(ctx, path, cfg)
			if err != nil {
				t.Fatal(err)
			}
			mustExec(t, e, "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
			if n := openFDs(t); n <= fds && path != ":memory:" {
				t.Fatalf("%d descriptors open with the engine running, %d before: the count proves nothing", n, fds)
			}
			big := strings.Repeat("x", 2*heapCap)
			var wg sync.WaitGroup
			for g := range 4 {
				wg.Go(func() {
					for i := range 25 {
						id := g*1000 + i
						switch i % 5 {
						case 0:
							e.Exec(ctx, "INSERT INTO t VALUES (?, ?)", id, big) // writer out of memory
						case 1:
							e.Write(ctx, func(*sqlite3.Conn) error { panic("boom") })
						case 2:
							e.Read(ctx, func(*sqlite3.Conn) error { panic("boom") })
						case 3:
							e.Query(ctx, "SELECT length(?)", big) // reader out of memory
						default:
							if _, err := e.Exec(ctx, "INSERT INTO t VALUES (?, 'ok')", id); err != nil {
								t.Errorf("insert: %v", err)
							}
						}
					}
				})
			}
			wg.Wait()
			if n := queryInt(t, e, "SELECT count(*) FROM t"); n != 20 {
				t.Errorf("%d rows, want 20", n)
			}
			st := e.Stats()
			closeEngine(t, e)
			if n := openFDs(t); n != fds {
				t.Errorf("%d file descriptors open after Close, %d before Open", n, fds)
			}
			if err := waitNoGoroutines(ignore); err != nil {
				t.Error(err)
			}
			t.Logf("restarts: writer %d, reader %d; descriptors back to %d", st.Restarts.Writer, st.Restarts.Reader, fds)
		})
	}
}

// TestStatementsDoNotAccumulate runs thousands of distinct statements with
// the statement cache at its default size and disabled, and checks that
// the number of prepared statements alive on the writer and on a reader
// stays bounded.
func TestStatementsDoNotAccumulate(t *testing.T) {
	for _, size := range []int{0, 8} {
		t.Run(fmt.Sprintf("cache %d", size), func(t *testing.T) {
			cfg := testConfig(1)
			cfg.StatementCacheSize = size
			e := open(t, filepath.Join(t.TempDir(), "stmts.db"), cfg)
			mustExec(t, e, "CREATE TABLE t (id INTEGER PRIMARY KEY)")
			ctx := context.Background()
			for i := range 2000 {
				if _, err := e.Exec(ctx, fmt.Sprintf("INSERT INTO t VALUES (%d)", i)); err != nil {
					t.Fatal(err)
				}
				if _, err := e.Query(ctx, fmt.Sprintf("SELECT * FROM t WHERE id = %d", i)); err != nil {
					t.Fatal(err)
				}
			}
			count := func(c *sqlite3.Conn) (n int) {
				for range c.Stmts() {
					n++
				}
				return n
			}
			var w, r int
			if err := e.Write(ctx, func(c *sqlite3.Conn) error { w = count(c); return nil }); err != nil {
				t.Fatal(err)
			}
			if err := e.Read(ctx, func(c *sqlite3.Conn) error { r = count(c); return nil }); err != nil {
				t.Fatal(err)
			}
			limit := size + 20 // the cache plus the engine's own statements
			if w > limit || r > limit {
				t.Fatalf("after 2000 distinct statements: %d statements alive on the writer, %d on the reader, want at most %d", w, r, limit)
			}
			t.Logf("statements alive: writer %d, reader %d", w, r)
		})
	}
}
