package reliability_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/liteactor/liteactor"
	"github.com/ncruces/go-sqlite3"
)

// advOp is one hostile or normal call of the adversarial suite. run makes
// the call for write id (its rows are w(id, n) and n rows part(wid=id)) and
// returns its error; writes says whether the call may have written id's
// rows (then they must be present and whole if err is nil, absent if not);
// check, if set, judges the error itself.
type advOp struct {
	name   string
	writes bool
	run    func(ctx context.Context, e *liteactor.Engine, id int64, rng *rand.Rand) error
	check  func(err error) error
}

// insertWhole writes id's row and its n parts on c.
func insertWhole(c *sqlite3.Conn, id int64, n int) error {
	if err := c.Exec(fmt.Sprintf("INSERT INTO w(id, n) VALUES (%d, %d)", id, n)); err != nil {
		return err
	}
	for k := range n {
		if err := c.Exec(fmt.Sprintf("INSERT INTO part(wid, k) VALUES (%d, %d)", id, k)); err != nil {
			return err
		}
	}
	return nil
}

func wantIs(target error) func(error) error {
	return func(err error) error {
		if !errors.Is(err, target) {
			return fmt.Errorf("got %v, want %v", err, target)
		}
		return nil
	}
}

// advCatalogue is the misuse catalogue of issue 13 plus normal traffic,
// cancellations and panics.
func advCatalogue() []advOp {
	write := func(fn func(c *sqlite3.Conn, id int64, n int) error) func(context.Context, *liteactor.Engine, int64, *rand.Rand) error {
		return func(ctx context.Context, e *liteactor.Engine, id int64, rng *rand.Rand) error {
			n := 1 + rng.IntN(4)
			return e.Write(ctx, func(c *sqlite3.Conn) error { return fn(c, id, n) })
		}
	}
	ignore := func(error) {}
	return []advOp{
		{name: "exec", writes: true, run: func(ctx context.Context, e *liteactor.Engine, id int64, _ *rand.Rand) error {
			_, err := e.Exec(ctx, "INSERT INTO w(id, n) VALUES (?, 0)", id)
			return err
		}},
		{name: "write", writes: true, run: write(insertWhole)},
		{name: "write-cancelled", writes: true, run: func(ctx context.Context, e *liteactor.Engine, id int64, rng *rand.Rand) error {
			ctx, cancel := context.WithTimeout(ctx, time.Duration(rng.IntN(2000))*time.Microsecond)
			defer cancel()
			return e.Write(ctx, func(c *sqlite3.Conn) error { return insertWhole(c, id, 3) })
		}},
		{name: "exec-cancelled", writes: true, run: func(ctx context.Context, e *liteactor.Engine, id int64, rng *rand.Rand) error {
			ctx, cancel := context.WithTimeout(ctx, time.Duration(rng.IntN(1000))*time.Microsecond)
			defer cancel()
			_, err := e.Exec(ctx, "INSERT INTO w(id, n) VALUES (?, 0)", id)
			return err
		}},
		{name: "write-panics", writes: true, check: wantIs(liteactor.ErrPanic), run: write(func(c *sqlite3.Conn, id int64, n int) error {
			insertWhole(c, id, n)
			panic("adversarial panic")
		})},
		{name: "write-errors", writes: true, check: func(err error) error {
			if err == nil {
				return errors.New("nil error")
			}
			return nil
		}, run: write(func(c *sqlite3.Conn, id int64, n int) error {
			insertWhole(c, id, n)
			return errors.New("callback refuses")
		})},
		{name: "or-rollback-then-continue", writes: true, check: func(err error) error {
			if err == nil {
				return errors.New("a Write whose transaction SQLite rolled back succeeded")
			}
			return nil
		}, run: write(func(c *sqlite3.Conn, id int64, n int) error {
			insertWhole(c, id, n)
			ignore(c.Exec("INSERT OR ROLLBACK INTO w(id, n) VALUES (1, 0)"))
			ignore(c.Exec(fmt.Sprintf("INSERT INTO part(wid, k) VALUES (%d, 100)", id)))
			ignore(c.Exec(fmt.Sprintf("SAVEPOINT s; INSERT INTO part(wid, k) VALUES (%d, 101); RELEASE s", id)))
			return nil
		})},
		{name: "release-engine-savepoint", writes: true, check: wantIs(liteactor.ErrInvalidArg), run: write(func(c *sqlite3.Conn, id int64, n int) error {
			insertWhole(c, id, n)
			return c.Exec("RELEASE LITEACTOR_WRITE")
		})},
		{name: "commit-in-write", writes: true, check: wantIs(liteactor.ErrInvalidArg), run: write(func(c *sqlite3.Conn, id int64, n int) error {
			insertWhole(c, id, n)
			return c.Exec("COMMIT")
		})},
		{name: "leak-returning", writes: true, run: write(func(c *sqlite3.Conn, id int64, n int) error {
			if err := insertWhole(c, id, n); err != nil {
				return err
			}
			s, _, err := c.Prepare("SELECT id FROM w")
			if err != nil {
				return err
			}
			s.Step() // left in progress
			return nil
		})},
		{name: "pragma-state", writes: true, run: write(func(c *sqlite3.Conn, id int64, n int) error {
			for _, p := range []string{"PRAGMA query_only=1", "PRAGMA locking_mode=EXCLUSIVE", "PRAGMA ignore_check_constraints=1", "PRAGMA writable_schema=1", "ATTACH ':memory:' AS x"} {
				if err := c.Exec(p); !errors.Is(err, sqlite3.AUTH) {
					return fmt.Errorf("%s in Write: %v, want it denied", p, err)
				}
			}
			return insertWhole(c, id, n)
		})},
		{name: "reentrant-exec", writes: true, run: write(func(c *sqlite3.Conn, id int64, n int) error {
			if _, err := advEngine.Exec(context.Background(), "INSERT INTO w(id, n) VALUES (?, 0)", -id); !errors.Is(err, liteactor.ErrReentrant) {
				return fmt.Errorf("re-entrant Exec: %v", err)
			}
			if err := advEngine.Close(context.Background()); !errors.Is(err, liteactor.ErrReentrant) {
				return fmt.Errorf("re-entrant Close: %v", err)
			}
			return insertWhole(c, id, n)
		})},
		// Conn.Close fails (BUSY) while the engine's statements are
		// prepared: either outcome is fine, the invariants must hold.
		{name: "close-conn", writes: true, check: func(error) error { return nil }, run: write(func(c *sqlite3.Conn, id int64, n int) error {
			insertWhole(c, id, n)
			c.Close()
			return nil
		})},
		// Guards removed through the Go API are back for the next request.
		{name: "unset-guards", writes: true, check: func(error) error { return nil }, run: write(func(c *sqlite3.Conn, id int64, n int) error {
			c.SetAuthorizer(nil)
			c.CommitHook(nil)
			c.RollbackHook(nil)
			return insertWhole(c, id, n)
		})},
		{name: "unset-guards-read", run: func(ctx context.Context, e *liteactor.Engine, _ int64, _ *rand.Rand) error {
			return e.Read(ctx, func(c *sqlite3.Conn) error { return c.SetAuthorizer(nil) })
		}},
		{name: "nil-write", check: wantIs(liteactor.ErrInvalidArg), run: func(ctx context.Context, e *liteactor.Engine, _ int64, _ *rand.Rand) error {
			return e.Write(ctx, nil)
		}},
		{name: "nul-exec", writes: true, check: wantIs(liteactor.ErrInvalidArg), run: func(ctx context.Context, e *liteactor.Engine, id int64, _ *rand.Rand) error {
			_, err := e.Exec(ctx, fmt.Sprintf("INSERT INTO w(id, n) VALUES (%d, 0)\x00; INSERT INTO w(id, n) VALUES (%d, 0)", id, -id))
			return err
		}},
		{name: "exclusive-state", writes: true, run: func(ctx context.Context, e *liteactor.Engine, id int64, _ *rand.Rand) error {
			return e.Exclusive(ctx, func(c *sqlite3.Conn) error {
				if err := c.Exec("PRAGMA ignore_check_constraints=1; PRAGMA foreign_keys=OFF"); err != nil {
					return err
				}
				return c.Exec(fmt.Sprintf("INSERT INTO w(id, n) VALUES (%d, 0)", id))
			})
		}},
		{name: "check-violation", writes: true, check: wantIs(sqlite3.CONSTRAINT), run: func(ctx context.Context, e *liteactor.Engine, id int64, _ *rand.Rand) error {
			_, err := e.Exec(ctx, "INSERT INTO w(id, n) VALUES (?, -1)", id) // CHECK (n >= 0), even after exclusive-state
			return err
		}},
		{name: "query", run: func(ctx context.Context, e *liteactor.Engine, _ int64, _ *rand.Rand) error {
			_, err := e.Query(ctx, "SELECT count(*) FROM w")
			return err
		}},
		{name: "query-cancelled", run: func(ctx context.Context, e *liteactor.Engine, _ int64, rng *rand.Rand) error {
			ctx, cancel := context.WithTimeout(ctx, time.Duration(rng.IntN(1000))*time.Microsecond)
			defer cancel()
			rows, err := e.Query(ctx, "SELECT * FROM part")
			if err == nil && rows == nil {
				return errors.New("nil rows with nil error")
			}
			return nil
		}},
		{name: "query-hostile", run: func(ctx context.Context, e *liteactor.Engine, _ int64, rng *rand.Rand) error {
			sqls := []string{"PRAGMA wal_checkpoint(RESTART)", "VACUUM INTO ':memory:'", "ATTACH ':memory:' AS x", "PRAGMA query_only=0", "BEGIN", "SELECT 1\x00; x"}
			sql := sqls[rng.IntN(len(sqls))]
			_, err := e.Query(ctx, sql)
			if strings.HasPrefix(sql, "VACUUM") && err != nil {
				return nil // inside a shared read transaction SQLite refuses it before the authorizer sees the ATTACH
			}
			if !errors.Is(err, liteactor.ErrInvalidArg) {
				return fmt.Errorf("Query(%q): %v, want ErrInvalidArg", sql, err)
			}
			return nil
		}},
		{name: "read-leaks-and-reenters", writes: true, run: func(ctx context.Context, e *liteactor.Engine, id int64, _ *rand.Rand) error {
			return e.Read(ctx, func(c *sqlite3.Conn) error {
				s, _, err := c.Prepare("SELECT * FROM part")
				if err != nil {
					return err
				}
				s.Step()
				if _, err := e.Query(context.Background(), "SELECT 1"); !errors.Is(err, liteactor.ErrReentrant) {
					return fmt.Errorf("re-entrant Query: %v", err)
				}
				// The writer is another actor: writing from a Read runs.
				if _, err := e.Exec(context.Background(), "INSERT INTO w(id, n) VALUES (?, 0)", id); err != nil {
					return fmt.Errorf("Exec from a Read callback: %v", err)
				}
				return nil
			})
		}},
		{name: "read-panics", check: wantIs(liteactor.ErrPanic), run: func(ctx context.Context, e *liteactor.Engine, _ int64, _ *rand.Rand) error {
			return e.Read(ctx, func(*sqlite3.Conn) error { panic("adversarial read panic") })
		}},
		{name: "checkpoint", run: func(ctx context.Context, e *liteactor.Engine, _ int64, _ *rand.Rand) error {
			_, err := e.Checkpoint(ctx, sqlite3.CHECKPOINT_PASSIVE)
			if errors.Is(err, sqlite3.BUSY) {
				return nil
			}
			return err
		}},
	}
}

// advEngine is the engine under test, for callbacks that call back into it.
// Only TestAdversarial sets it.
var advEngine *liteactor.Engine

// TestAdversarial mixes normal traffic with the misuse catalogue, random
// cancellations and panics from several goroutines for a while (default
// 10s; LITEACTOR_ADVERSARIAL_DURATION, e.g. "5m", runs longer;
// LITEACTOR_ADVERSARIAL_SEED replays a run), then checks the invariants:
// every call returned once; every acknowledged write is present and whole;
// nothing of a failed write is present; misuse got its documented error;
// writes kept flowing (a write succeeds at the end, and the whole run ends
// before a generous deadline, which fails the test if it passes).
func TestAdversarial(t *testing.T) {
	dur := 10 * time.Second
	if v := os.Getenv("LITEACTOR_ADVERSARIAL_DURATION"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			t.Fatalf("LITEACTOR_ADVERSARIAL_DURATION: %v", err)
		}
		dur = d
	}
	seed := uint64(time.Now().UnixNano())
	if v := os.Getenv("LITEACTOR_ADVERSARIAL_SEED"); v != "" {
		s, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			t.Fatalf("LITEACTOR_ADVERSARIAL_SEED: %v", err)
		}
		seed = s
	}
	t.Logf("seed %d (LITEACTOR_ADVERSARIAL_SEED=%d replays the choices), duration %v", seed, seed, dur)

	cfg := testConfig(2)
	cfg.MaxBatch = 8
	e := open(t, filepath.Join(t.TempDir(), "adv.db"), cfg)
	advEngine = e
	defer func() { advEngine = nil }()
	mustExec(t, e, "CREATE TABLE w (id INTEGER PRIMARY KEY, n INTEGER NOT NULL CHECK (n >= 0))")
	mustExec(t, e, "CREATE TABLE part (wid INTEGER NOT NULL, k INTEGER NOT NULL, PRIMARY KEY (wid, k))")
	mustExec(t, e, "INSERT INTO w VALUES (1, 0)") // the row OR ROLLBACK conflicts with

	ops := advCatalogue()
	type outcome struct {
		op  int
		id  int64
		err error
	}
	const workers = 6
	var (
		nextID  atomic.Int64
		mu      sync.Mutex
		results []outcome
		calls   atomic.Int64
	)
	nextID.Store(1000)
	stop := time.Now().Add(dur)
	var wg sync.WaitGroup
	for g := range workers {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(seed, uint64(g)))
			var local []outcome
			for time.Now().Before(stop) {
				i := rng.IntN(len(ops))
				if rng.IntN(3) == 0 { // one call in three is plain traffic
					i = rng.IntN(3)
				}
				id := nextID.Add(1)
				err := ops[i].run(context.Background(), e, id, rng)
				calls.Add(1)
				local = append(local, outcome{i, id, err})
			}
			mu.Lock()
			results = append(results, local...)
			mu.Unlock()
		})
	}
	finished := make(chan struct{})
	go func() { wg.Wait(); close(finished) }()
	select {
	case <-finished:
	case <-time.After(dur + 2*time.Minute):
		buf := make([]byte, 1<<20)
		t.Fatalf("workers still running %v after the end of the run (%d calls returned): wedged\n%s",
			2*time.Minute, calls.Load(), buf[:runtime.Stack(buf, true)])
	}

	// Writes keep flowing after the storm.
	mustExec(t, e, "INSERT INTO w(id, n) VALUES (2, 0)")
	rows, err := e.Query(context.Background(), "SELECT w.id, w.n, (SELECT count(*) FROM part WHERE wid = w.id) FROM w")
	if err != nil {
		t.Fatal(err)
	}
	present := map[int64][2]int64{}
	for _, r := range rows.Values {
		present[r[0].(int64)] = [2]int64{r[1].(int64), r[2].(int64)}
	}
	orphans := queryInt(t, e, "SELECT count(*) FROM part WHERE wid NOT IN (SELECT id FROM w)")
	if orphans != 0 {
		t.Errorf("%d parts without their row: a write committed in part", orphans)
	}
	perOp := make([][2]int, len(ops)) // ok, failed
	for _, o := range results {
		op := ops[o.op]
		if o.err == nil {
			perOp[o.op][0]++
		} else {
			perOp[o.op][1]++
		}
		if op.check != nil {
			if err := op.check(o.err); err != nil {
				t.Errorf("%s (id %d): %v", op.name, o.id, err)
			}
		} else if o.err != nil && !strings.HasSuffix(op.name, "-cancelled") && !errors.Is(o.err, context.DeadlineExceeded) {
			t.Errorf("%s (id %d): unexpected error %v", op.name, o.id, o.err)
		}
		if _, ok := present[-o.id]; ok {
			t.Errorf("%s (id %d): a refused statement's row %d is present", op.name, o.id, -o.id)
		}
		if !op.writes {
			continue
		}
		got, ok := present[o.id]
		switch {
		case o.err == nil && !ok:
			t.Errorf("%s (id %d) acknowledged, row missing", op.name, o.id)
		case o.err == nil && got[0] != got[1]:
			t.Errorf("%s (id %d) acknowledged, %d of %d parts present", op.name, o.id, got[1], got[0])
		case o.err != nil && ok:
			t.Errorf("%s (id %d) failed (%v), yet its row is present", op.name, o.id, o.err)
		}
	}
	for i, c := range perOp {
		t.Logf("%-26s ok %5d  failed %5d", ops[i].name, c[0], c[1])
	}
	if perOp[0][0] == 0 && perOp[1][0] == 0 {
		t.Errorf("no normal write succeeded during the run")
	}
	integrityOK(t, e)
	st := e.Stats()
	t.Logf("%d calls; restarts: writer %d, reader %d; WAL %d bytes", len(results), st.Restarts.Writer, st.Restarts.Reader, st.WAL.Bytes)
}
