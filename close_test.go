package liteactor_test

import (
	"context"
	"errors"
	"os"
	"strconv"
	"sync"
	"testing"

	"github.com/liteactor/liteactor"
	"github.com/liteactor/liteactor/internal/enginetest"
	"github.com/ncruces/go-sqlite3"
)

func TestCloseUnderLoad(t *testing.T) {
	ctx := context.Background()
	path := t.TempDir() + "/load.db"
	e, err := liteactor.Open(ctx, path, liteactor.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	mustExec(t, e, "CREATE TABLE t(id INTEGER PRIMARY KEY, a INTEGER, b INTEGER)")

	var mu sync.Mutex
	acked := map[int64]bool{}
	var wg sync.WaitGroup
	unexpected := make(chan error, 64)
	check := func(err error) bool {
		if err == nil {
			return true
		}
		if !errors.Is(err, liteactor.ErrClosed) {
			select {
			case unexpected <- err:
			default:
			}
		}
		return false
	}
	started := make(chan struct{}, 16)
	for w := range 8 {
		wg.Go(func() {
			for i := 0; ; i++ {
				id := int64(w*1_000_000 + i)
				var err error
				if i%2 == 0 {
					_, err = e.Exec(ctx, "INSERT INTO t(id, a, b) VALUES (?, 1, 1)", id)
				} else { // a two-statement Write: both rows or neither
					err = e.Write(ctx, func(c *sqlite3.Conn) error {
						if err := c.Exec("INSERT INTO t(id, a, b) VALUES (" + strconv.FormatInt(id, 10) + ", 2, 0)"); err != nil {
							return err
						}
						return c.Exec("UPDATE t SET b = 2 WHERE id = " + strconv.FormatInt(id, 10))
					})
				}
				if !check(err) {
					return
				}
				mu.Lock()
				acked[id] = true
				mu.Unlock()
				if i == 10 {
					started <- struct{}{}
				}
			}
		})
	}
	for range 4 {
		wg.Go(func() {
			for {
				if _, err := e.Query(ctx, "SELECT count(*) FROM t"); !check(err) {
					return
				}
			}
		})
	}
	for range 8 {
		<-started
	}
	if err := e.Close(ctx); err != nil {
		t.Fatalf("Close: %v", err)
	}
	wg.Wait()
	close(unexpected)
	for err := range unexpected {
		t.Errorf("call during Close returned %v, want nil or ErrClosed", err)
	}
	if err := e.Close(ctx); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := e.Exec(ctx, "INSERT INTO t(id) VALUES (-1)"); !errors.Is(err, liteactor.ErrClosed) {
		t.Errorf("Exec after Close: %v", err)
	}
	if _, err := e.Query(ctx, "SELECT 1"); !errors.Is(err, liteactor.ErrClosed) {
		t.Errorf("Query after Close: %v", err)
	}
	if err := e.Write(ctx, func(*sqlite3.Conn) error { return nil }); !errors.Is(err, liteactor.ErrClosed) {
		t.Errorf("Write after Close: %v", err)
	}
	if fi, err := os.Stat(path + "-wal"); err == nil && fi.Size() != 0 {
		t.Errorf("WAL file holds %d bytes after Close", fi.Size())
	}

	e2, err := liteactor.Open(ctx, path, liteactor.MinimalConfig())
	if err != nil {
		t.Fatal(err)
	}
	defer e2.Close(ctx)
	rows, err := e2.Query(ctx, "SELECT id, a, b FROM t")
	if err != nil {
		t.Fatal(err)
	}
	onDisk := map[int64]bool{}
	for _, r := range rows.Values {
		id, a, b := r[0].(int64), r[1].(int64), r[2].(int64)
		onDisk[id] = true
		if a != b {
			t.Errorf("row %d is half of a Write (a=%d b=%d)", id, a, b)
		}
	}
	for id := range acked {
		if !onDisk[id] {
			t.Errorf("acknowledged write %d is missing after reopen", id)
		}
	}
	if len(acked) == 0 {
		t.Fatal("no write was acknowledged before Close")
	}
	t.Logf("%d writes acknowledged, %d rows on disk", len(acked), len(onDisk))
}

func TestCloseDeadlineAnswersQueuedWithErrClosed(t *testing.T) {
	ctx := context.Background()
	e, err := liteactor.Open(ctx, t.TempDir()+"/d.db", liteactor.MinimalConfig())
	if err != nil {
		t.Fatal(err)
	}
	mustExec(t, e, "CREATE TABLE t(id INTEGER PRIMARY KEY)")
	release := enginetest.HoldWriter(t, e)
	out := make(chan outcome, 3)
	for i := 1; i <= 3; i++ {
		execAsync(ctx, e, out, i)
	}
	waitQueued(t, e, 3, 0)
	cctx, cancel := context.WithCancel(ctx)
	cancel() // the deadline has passed before the writer is free
	closed := make(chan error, 1)
	go func() { closed <- e.Close(cctx) }()
	for range 3 {
		if o := <-out; !errors.Is(o.err, liteactor.ErrClosed) {
			t.Errorf("queued write %d: got %v, want ErrClosed", o.id, o.err)
		}
	}
	if err := <-closed; !errors.Is(err, context.Canceled) {
		t.Errorf("Close: got %v, want context.Canceled", err)
	}
	release() // the running write still completes with its own outcome
}
