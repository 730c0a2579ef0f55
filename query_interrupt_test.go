package liteactor_test

import (
	"context"
	"errors"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/ncruces/go-sqlite3"

	"github.com/liteactor/liteactor"
	"github.com/liteactor/liteactor/messages"
)

// cancelAtConfig registers cancel_at(x, n) on every connection: it returns x
// and, when x == n, calls the cancel function stored in cancel, so a test
// ends a query's ctx from inside its scan at a row of its choosing.
func cancelAtConfig(cancel *atomic.Pointer[context.CancelFunc]) liteactor.Config {
	cfg := liteactor.MinimalConfig()
	cfg.InitHook = func(c *sqlite3.Conn) error {
		return c.CreateFunction("cancel_at", 2, 0, func(ctx sqlite3.Context, arg ...sqlite3.Value) {
			if arg[0].Int64() == arg[1].Int64() {
				if f := cancel.Load(); f != nil {
					(*f)()
				}
			}
			ctx.ResultInt64(arg[0].Int64())
		})
	}
	return cfg
}

const countTo10k = `WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 10000)
	SELECT cancel_at(x, ?) FROM n`

// TestQueryCancelledMidScanFails is issue 13 finding 1: once the interrupt
// ctx is done, ncruces' Step returns false without running sqlite3_step and
// Reset reports OK, so Query returned the rows read so far with a nil error.
// The ctx is cancelled from inside the scan (no timing involved): the Query
// must fail with an error wrapping ctx's error and sqlite3.INTERRUPT, and
// return no rows.
func TestQueryCancelledMidScanFails(t *testing.T) {
	var cancel atomic.Pointer[context.CancelFunc]
	e, _ := open(t, cancelAtConfig(&cancel))
	for _, at := range []int{1, 2, 3, 100, 5000, 9999} {
		ctx, c := context.WithCancel(context.Background())
		cancel.Store(&c)
		rows, err := e.Query(ctx, countTo10k, at)
		c()
		if err == nil || rows != nil {
			n := -1
			if rows != nil {
				n = len(rows.Values)
			}
			t.Fatalf("cancel at row %d: %d rows, err %v; want no rows and an error", at, n, err)
		}
		if !errors.Is(err, context.Canceled) || !errors.Is(err, sqlite3.INTERRUPT) {
			t.Fatalf("cancel at row %d: %v; want context.Canceled and sqlite3.INTERRUPT", at, err)
		}
	}
	// The reader serves the next query in full.
	cancel.Store(nil)
	rows, err := e.Query(context.Background(), countTo10k, 0)
	if err != nil || len(rows.Values) != 10000 {
		t.Fatalf("after the interrupts: %v", err)
	}
}

// TestTypedQueryInterruptedMidScanFails: a typed messages.Query carries no
// ctx, but WAL.ReadTxnMaxAge interrupts it like one. Interrupted mid-scan,
// its reply must carry the error and no rows (before the fix it carried
// ErrReadTooOld together with the rows read so far). wait_interrupt(x, n)
// blocks at row n until the reader's interrupt fires: the outcome waits on
// that signal, not on a timing.
func TestTypedQueryInterruptedMidScanFails(t *testing.T) {
	system := actor.NewActorSystem()
	defer system.Shutdown()
	cfg := liteactor.DefaultConfig()
	cfg.ActorSystem = system
	cfg.Readers = 1
	cfg.WAL.Interval = 5 * time.Millisecond
	cfg.WAL.ReadTxnMaxAge = 20 * time.Millisecond
	cfg.InitHook = func(c *sqlite3.Conn) error {
		return c.CreateFunction("wait_interrupt", 2, 0, func(ctx sqlite3.Context, arg ...sqlite3.Value) {
			if arg[0].Int64() == arg[1].Int64() {
				select {
				case <-ctx.Conn().GetInterrupt().Done():
				case <-time.After(30 * time.Second):
					ctx.ResultError(errors.New("test: the read was never interrupted"))
					return
				}
			}
			ctx.ResultInt64(arg[0].Int64())
		})
	}
	e, err := liteactor.Open(context.Background(), filepath.Join(t.TempDir(), "m.db"), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close(context.Background())
	out := make(chan any, 1)
	svc := system.Root.Spawn(actor.PropsFromProducer(func() actor.Actor { return &service{eng: e, out: out} }))
	defer func() { system.Root.StopFuture(svc).Wait() }()

	q := ask(t, system, svc, out, &messages.Query{SQL: `WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 10000)
		SELECT wait_interrupt(x, 100) FROM n`}).(*messages.QueryResult)
	if q.Err == nil || q.Rows != nil || q.Columns != nil {
		t.Fatalf("interrupted typed Query: %d rows, err %v; want no rows and an error", len(q.Rows), q.Err)
	}
	if !errors.Is(q.Err, liteactor.ErrReadTooOld) || !errors.Is(q.Err, sqlite3.INTERRUPT) {
		t.Fatalf("interrupted typed Query: %v; want ErrReadTooOld and sqlite3.INTERRUPT", q.Err)
	}
}
