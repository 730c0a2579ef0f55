package reliability_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/liteactor/liteactor"
	"github.com/ncruces/go-sqlite3"
)

// stormCall is one call of the panic storm and the outcome it got.
type stormCall struct {
	kind   string // "write", "exec", "cancelled-write", "query", "panic-write", "panic-read"
	id     int64  // row id a writing call inserts
	err    error
	answer int // how many times the call returned (must be 1)
}

// TestPanicStorm sends thousands of panicking Write and Read callbacks among
// normal writes, queries and writes whose ctx ends early, from many
// goroutines. The engine must keep serving; every call returns exactly one
// outcome; a panicking callback gets ErrPanic with its value; no normal write
// is lost; a write that returned an error is not in the table and one that
// succeeded is; and Stats counts the restarts. Callback panics never spend
// the restart budget (10 within 10s here), so the engine does not escalate.
func TestPanicStorm(t *testing.T) {
	const goroutines, perG = 16, 250
	path := filepath.Join(t.TempDir(), "storm.db")
	cfg := testConfig(3)
	cfg.MaxBatch = 16
	e := open(t, path, cfg)
	mustExec(t, e, "CREATE TABLE t (id INTEGER PRIMARY KEY, g INTEGER NOT NULL)")

	calls := make([][]stormCall, goroutines)
	var wg sync.WaitGroup
	var nextID atomic.Int64
	for g := range goroutines {
		rng := rand.New(rand.NewPCG(uint64(g), 9))
		wg.Go(func() {
			ctx := context.Background()
			for i := range perG {
				c := stormCall{id: nextID.Add(1)}
				switch p := rng.IntN(100); {
				case p < 30:
					c.kind = "panic-write"
					c.err = e.Write(ctx, func(conn *sqlite3.Conn) error {
						if err := conn.Exec(fmt.Sprintf("INSERT INTO t VALUES (%d, %d)", c.id, g)); err != nil {
							return err
						}
						panic(fmt.Sprintf("storm %d", c.id))
					})
				case p < 55:
					c.kind = "panic-read"
					c.err = e.Read(ctx, func(conn *sqlite3.Conn) error {
						panic(fmt.Sprintf("storm %d", c.id))
					})
				case p < 70:
					c.kind = "write"
					c.err = e.Write(ctx, func(conn *sqlite3.Conn) error {
						return conn.Exec(fmt.Sprintf("INSERT INTO t VALUES (%d, %d)", c.id, g))
					})
				case p < 82:
					c.kind = "exec"
					_, c.err = e.Exec(ctx, "INSERT INTO t VALUES (?, ?)", c.id, g)
				case p < 90:
					// A write whose ctx may end while it is queued or
					// running: it must be in the table iff it succeeded.
					c.kind = "cancelled-write"
					cctx, cancel := context.WithTimeout(ctx, time.Duration(rng.IntN(300))*time.Microsecond)
					_, c.err = e.Exec(cctx, "INSERT INTO t VALUES (?, ?)", c.id, g)
					cancel()
				default:
					c.kind = "query"
					_, c.err = e.Query(ctx, "SELECT count(*) FROM t WHERE g = ?", g)
				}
				c.answer++
				calls[g] = append(calls[g], c)
				_ = i
			}
		})
	}
	wg.Wait()

	present := map[int64]bool{}
	rows, err := e.Query(context.Background(), "SELECT id FROM t")
	if err != nil {
		t.Fatalf("engine stopped serving after the storm: %v", err)
	}
	for _, r := range rows.Values {
		present[r[0].(int64)] = true
	}
	count := map[string]int{}
	var writePanics, readPanics, cancelledOK, cancelledErr int
	for _, cs := range calls {
		for _, c := range cs {
			count[c.kind]++
			if c.answer != 1 {
				t.Fatalf("%s #%d answered %d times", c.kind, c.id, c.answer)
			}
			switch c.kind {
			case "panic-write", "panic-read":
				var pe *liteactor.PanicError
				if !errors.Is(c.err, liteactor.ErrPanic) || !errors.As(c.err, &pe) || pe.Value != fmt.Sprintf("storm %d", c.id) {
					t.Fatalf("%s #%d: got %v, want ErrPanic carrying %q", c.kind, c.id, c.err, fmt.Sprintf("storm %d", c.id))
				}
				if c.kind == "panic-write" {
					writePanics++
					if present[c.id] {
						t.Fatalf("panicking write #%d: its insert was committed, want it rolled back", c.id)
					}
				} else {
					readPanics++
				}
			case "write", "exec":
				if c.err != nil {
					t.Fatalf("normal %s #%d failed: %v", c.kind, c.id, c.err)
				}
				if !present[c.id] {
					t.Fatalf("normal %s #%d succeeded but its row is missing", c.kind, c.id)
				}
			case "cancelled-write":
				switch {
				case c.err == nil:
					cancelledOK++
					if !present[c.id] {
						t.Fatalf("write #%d succeeded but its row is missing", c.id)
					}
				case errors.Is(c.err, context.DeadlineExceeded):
					cancelledErr++
					if present[c.id] {
						t.Fatalf("write #%d returned %v but its row was committed", c.id, c.err)
					}
				default:
					t.Fatalf("write #%d with a deadline: %v, want nil or DeadlineExceeded", c.id, c.err)
				}
			case "query":
				if c.err != nil {
					t.Fatalf("query failed: %v", c.err)
				}
			}
		}
	}
	// Panicking writes that shared a batch share one restart.
	waitRestarts(t, e, fmt.Sprintf("%d reader restarts (one per panicking Read), 1..%d writer restarts", readPanics, writePanics),
		func(w, r uint64) bool { return r == uint64(readPanics) && w >= 1 && w <= uint64(writePanics) })
	st := e.Stats()
	t.Logf("calls %v; panics: %d write, %d read; deadline writes: %d ok, %d expired; restarts: writer %d, reader %d; batches %d",
		count, writePanics, readPanics, cancelledOK, cancelledErr, st.Restarts.Writer, st.Restarts.Reader, st.Batches)
	if st.Admitted != st.Completed+st.Expired {
		t.Errorf("Stats: admitted %d, completed %d + expired %d: some admitted write has no outcome", st.Admitted, st.Completed, st.Expired)
	}
	// Still serving: a write and a read after the storm.
	mustExec(t, e, "INSERT INTO t VALUES (?, -1)", nextID.Add(1))
	if n := queryInt(t, e, "SELECT count(*) FROM t WHERE g = -1"); n != 1 {
		t.Fatalf("write after the storm not visible: %d", n)
	}
	integrityOK(t, e)
}
