package liteactor_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/liteactor/liteactor"
	"github.com/liteactor/liteactor/internal/enginetest"
	"github.com/ncruces/go-sqlite3"
)

// commitCounter is a commit hook for the writer connection (the only one
// that commits write transactions), set as Config.CommitHook. fail makes the
// hook veto commits, so COMMIT itself fails.
type commitCounter struct {
	commits atomic.Int64
	fail    atomic.Bool
}

func (c *commitCounter) hook() bool {
	c.commits.Add(1)
	return !c.fail.Load()
}

func TestGroupCommitBatchesConcurrentExecs(t *testing.T) {
	var cc commitCounter
	cfg := liteactor.MinimalConfig()
	cfg.CommitHook = cc.hook
	e, _ := open(t, cfg)
	mustExec(t, e, "CREATE TABLE t(id INTEGER PRIMARY KEY)")

	const n = 100
	release := enginetest.HoldWriter(t, e)
	before := cc.commits.Load()
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			_, err := e.Exec(context.Background(), "INSERT INTO t(id) VALUES (?)", i)
			errs <- err
		})
	}
	waitQueued(t, e, n, 0)
	release()
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	// The holder's transaction, then all n queued inserts in one more.
	if got := cc.commits.Load() - before; got != 2 {
		t.Errorf("%d commits for 1 held write + %d queued inserts, want 2", got, n)
	}
	if got := count(t, e, "SELECT count(*) FROM t"); got != n {
		t.Errorf("rows = %d, want %d", got, n)
	}
	if s := e.Stats(); s.MeanBatchSize <= 1 {
		t.Errorf("MeanBatchSize = %.2f, want > 1", s.MeanBatchSize)
	}
}

func TestGroupCommitUnderFreeRunningLoad(t *testing.T) {
	var cc commitCounter
	cfg := liteactor.MinimalConfig()
	cfg.CommitHook = cc.hook
	e, _ := open(t, cfg)
	mustExec(t, e, "CREATE TABLE t(id INTEGER PRIMARY KEY, g INTEGER)")
	before := cc.commits.Load()
	const goroutines, each = 32, 50
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for range each {
				if _, err := e.Exec(context.Background(), "INSERT INTO t(g) VALUES (?)", g); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	commits := cc.commits.Load() - before
	if commits >= goroutines*each {
		t.Errorf("%d commits for %d writes: no grouping", commits, goroutines*each)
	}
	if got := count(t, e, "SELECT count(*) FROM t"); got != goroutines*each {
		t.Errorf("rows = %d, want %d", got, goroutines*each)
	}
	t.Logf("%d writes in %d commits", goroutines*each, commits)
}

func TestFailingAndPanickingWritesRollBackOnlyThemselves(t *testing.T) {
	var cc commitCounter
	cfg := liteactor.MinimalConfig()
	cfg.CommitHook = cc.hook
	e, _ := open(t, cfg)
	mustExec(t, e, "CREATE TABLE t(id INTEGER PRIMARY KEY)")
	release := enginetest.HoldWriter(t, e)
	before := cc.commits.Load()

	ctx := context.Background()
	errBoom := errors.New("boom")
	results := make([]error, 5)
	var wg sync.WaitGroup
	submit := func(i int, f func() error) {
		wg.Go(func() { results[i] = f() })
		waitQueued(t, e, i+1, 0) // keep submission order = queue order
	}
	submit(0, func() error { _, err := e.Exec(ctx, "INSERT INTO t(id) VALUES (1)"); return err })
	submit(1, func() error {
		return e.Write(ctx, func(c *sqlite3.Conn) error {
			if err := c.Exec("INSERT INTO t(id) VALUES (2)"); err != nil {
				return err
			}
			return errBoom
		})
	})
	submit(2, func() error {
		return e.Write(ctx, func(c *sqlite3.Conn) error {
			if err := c.Exec("INSERT INTO t(id) VALUES (3)"); err != nil {
				return err
			}
			panic("callback panic")
		})
	})
	submit(3, func() error { _, err := e.Exec(ctx, "INSERT INTO t(id) VALUES (1)"); return err }) // duplicate key
	submit(4, func() error { _, err := e.Exec(ctx, "INSERT INTO t(id) VALUES (5)"); return err })
	release()
	wg.Wait()

	if results[0] != nil || results[4] != nil {
		t.Errorf("good writes failed: %v, %v", results[0], results[4])
	}
	if !errors.Is(results[1], errBoom) {
		t.Errorf("failing Write: got %v, want errBoom", results[1])
	}
	if !errors.Is(results[2], liteactor.ErrPanic) {
		t.Errorf("panicking Write: got %v, want ErrPanic", results[2])
	}
	if !errors.Is(results[3], sqlite3.CONSTRAINT) {
		t.Errorf("duplicate insert: got %v, want CONSTRAINT", results[3])
	}
	rows, err := e.Query(ctx, "SELECT id FROM t ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows.Values) != 2 || rows.Values[0][0] != int64(1) || rows.Values[1][0] != int64(5) {
		t.Errorf("rows = %v, want [[1] [5]]", rows.Values)
	}
	if got := cc.commits.Load() - before; got != 2 {
		t.Errorf("commits = %d, want 2 (holder + one batch of five)", got)
	}
}

func TestFailedCommitAcknowledgesNothing(t *testing.T) {
	var cc commitCounter
	cfg := liteactor.MinimalConfig()
	cfg.CommitHook = cc.hook
	e, _ := open(t, cfg)
	mustExec(t, e, "CREATE TABLE t(id INTEGER PRIMARY KEY)")
	release := enginetest.HoldWriterErr(t, e)
	out := make(chan outcome, 3)
	for i := 1; i <= 3; i++ {
		execAsync(context.Background(), e, out, i)
		waitQueued(t, e, i, 0)
	}
	cc.fail.Store(true)
	if err := release(); !errors.Is(err, sqlite3.CONSTRAINT) {
		t.Errorf("holding write: got %v, want the commit hook's CONSTRAINT error", err)
	}
	for range 3 {
		o := <-out
		if o.err == nil {
			t.Errorf("write %d acknowledged although its COMMIT failed", o.id)
		} else if !errors.Is(o.err, sqlite3.CONSTRAINT) {
			t.Errorf("write %d: got %v, want the commit hook's CONSTRAINT error", o.id, o.err)
		}
	}
	cc.fail.Store(false)
	if n := count(t, e, "SELECT count(*) FROM t"); n != 0 {
		t.Errorf("rows = %d after a failed commit, want 0", n)
	}
	mustExec(t, e, "INSERT INTO t(id) VALUES (10)") // the engine goes on
}
