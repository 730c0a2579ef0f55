package reliability_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/liteactor/liteactor"
	"github.com/ncruces/go-sqlite3"
)

const heapCap = 8 << 20

// oomConfig caps every connection's SQLite heap at heapCap through
// InitHook, so replacements get the cap too.
func oomConfig() liteactor.Config {
	cfg := testConfig(2)
	cfg.InitHook = func(c *sqlite3.Conn) error {
		c.HardHeapLimit(heapCap)
		return nil
	}
	return cfg
}

// TestOutOfMemory drives connections into their heap cap. ncruces panics
// when it cannot allocate on the Go side (here: binding an argument larger
// than the cap): the caller gets ErrNoMemory, the engine replaces the
// connection (with the cap again) and keeps serving; writes batched with the
// one that ran out of memory are not lost. When SQLite itself cannot
// allocate, the caller gets sqlite3.NOMEM and the connection keeps serving.
func TestOutOfMemory(t *testing.T) {
	ctx := context.Background()
	e := open(t, filepath.Join(t.TempDir(), "oom.db"), oomConfig())
	mustExec(t, e, "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
	big := strings.Repeat("x", 2*heapCap)

	// A reader runs out of memory.
	for range 3 {
		_, err := e.Query(ctx, "SELECT length(?)", big)
		checkOOM(t, "query binding an argument beyond the cap", err)
		if n := queryInt(t, e, "SELECT count(*) FROM t"); n != 0 {
			t.Fatalf("count after OOM: %d", n)
		}
	}
	waitRestarts(t, e, "3 reader restarts (one connection replaced per out-of-memory panic)", func(_, r uint64) bool { return r == 3 })
	// The replacement connections have the cap too.
	e.Read(ctx, func(c *sqlite3.Conn) error {
		if got := c.HardHeapLimit(-1); got != heapCap {
			t.Errorf("replacement reader's heap cap %d, want %d", got, heapCap)
		}
		return nil
	})

	// The writer runs out of memory in the middle of a batch of normal
	// writes.
	var wg sync.WaitGroup
	errs := make([]error, 40)
	for i := range errs {
		wg.Go(func() {
			if i%10 == 5 {
				_, errs[i] = e.Exec(ctx, "INSERT INTO t VALUES (?, ?)", i, big)
			} else {
				_, errs[i] = e.Exec(ctx, "INSERT INTO t VALUES (?, 'ok')", i)
			}
		})
	}
	wg.Wait()
	for i, err := range errs {
		if i%10 == 5 {
			checkOOM(t, "oversized insert", err)
		} else if err != nil {
			t.Errorf("normal insert %d batched with out-of-memory writes: %v", i, err)
		}
	}
	if n := queryInt(t, e, "SELECT count(*) FROM t WHERE v = 'ok'"); n != 36 {
		t.Fatalf("%d normal inserts present, want 36", n)
	}
	if n := queryInt(t, e, "SELECT count(*) FROM t WHERE v <> 'ok'"); n != 0 {
		t.Fatalf("%d oversized inserts present", n)
	}
	waitRestarts(t, e, "4 writer restarts (one per out-of-memory panic)", func(w, _ uint64) bool { return w == 4 })

	// SQLite's own allocations beyond the cap: ncruces panics on every
	// SQLITE_NOMEM too, so these are out-of-memory panics as well.
	_, err := e.Query(ctx, "SELECT length(randomblob(?))", 2*heapCap)
	checkOOM(t, "randomblob in a query", err)
	_, err = e.Exec(ctx, "INSERT INTO t VALUES (1000, randomblob(?))", 2*heapCap)
	checkOOM(t, "randomblob in an insert", err)
	mustExec(t, e, "INSERT INTO t VALUES (1001, 'after')")
	if n := queryInt(t, e, "SELECT count(*) FROM t"); n != 37 {
		t.Fatalf("%d rows after the out-of-memory errors, want 37", n)
	}
	integrityOK(t, e)
	st := e.Stats()
	t.Logf("restarts: writer %d, reader %d", st.Restarts.Writer, st.Restarts.Reader)
}

// checkOOM: err is the out-of-memory panic, reported as ErrNoMemory (not
// ErrPanic: nothing panicked in the caller's code).
func checkOOM(t *testing.T, what string, err error) {
	t.Helper()
	if !errors.Is(err, liteactor.ErrNoMemory) || errors.Is(err, liteactor.ErrPanic) || !strings.Contains(fmt.Sprint(err), "sqlite3: out of memory") {
		t.Errorf("%s: %v, want ErrNoMemory carrying sqlite3's out of memory", what, err)
	}
}

// TestRestartBudgetEscalation spends the writer's restart budget (2 failures
// a minute) with out-of-memory panics, which, unlike callback panics, count.
// As documented, the supervisor escalates to its parent; with none given,
// protoactor's root restarts the whole tree. The engine keeps serving, the
// data survives (also for :memory:, whose database must outlive every
// connection closing at once), and no normal write is lost.
func TestRestartBudgetEscalation(t *testing.T) {
	for _, path := range []string{"file", ":memory:"} {
		t.Run(path, func(t *testing.T) {
			if path == "file" {
				path = filepath.Join(t.TempDir(), "esc.db")
			}
			ctx := context.Background()
			cfg := oomConfig()
			cfg.Readers = 1
			cfg.Restarts = liteactor.RestartBudget{Max: 2, Within: time.Minute}
			e := open(t, path, cfg)
			mustExec(t, e, "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
			big := strings.Repeat("x", 2*heapCap)
			for i := range 6 {
				_, err := e.Exec(ctx, "INSERT INTO t VALUES (?, ?)", 100+i, big)
				checkOOM(t, "oversized insert", err)
				mustExec(t, e, "INSERT INTO t VALUES (?, 'ok')", i)
				if n := queryInt(t, e, "SELECT count(*) FROM t"); n != int64(i+1) {
					t.Fatalf("after %d out-of-memory panics: %d rows, want %d", i+1, n, i+1)
				}
			}
			integrityOK(t, e)
		})
	}
}
