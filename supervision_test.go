package liteactor_test

import (
	"context"
	"errors"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/liteactor/liteactor"
	"github.com/ncruces/go-sqlite3"
)

// A writer whose connection cannot be reopened spends its restart budget and
// escalates; when the tree above gives up, the engine answers everything
// still waiting with ErrClosed instead of leaving callers hanging.
func TestBrokenWriterEscalatesAndAnswersErrClosed(t *testing.T) {
	var failOpen atomic.Bool
	cfg := liteactor.MinimalConfig()
	cfg.Restarts = liteactor.RestartBudget{Max: 2, Within: time.Minute}
	cfg.InitHook = func(*sqlite3.Conn) error {
		if failOpen.Load() {
			return errors.New("disk went away")
		}
		return nil
	}
	e, err := liteactor.Open(context.Background(), filepath.Join(t.TempDir(), "b.db"), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close(context.Background())
	mustExec(t, e, "CREATE TABLE t(v)")

	failOpen.Store(true)
	// The panic replaces the writer's connection; every reopen now fails.
	if err := e.Write(context.Background(), func(*sqlite3.Conn) error { panic("trigger") }); !errors.Is(err, liteactor.ErrPanic) {
		t.Fatalf("got %v, want ErrPanic", err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := e.Exec(context.Background(), "INSERT INTO t VALUES (1)")
		done <- err
	}()
	select {
	case err := <-done:
		if !errors.Is(err, liteactor.ErrClosed) {
			t.Fatalf("write to an engine whose writer cannot start: got %v, want ErrClosed", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("a write to an engine whose writer cannot start never got an outcome")
	}
	if s := e.Stats(); s.Restarts.Writer < 2 {
		t.Errorf("writer restarts = %d, want the budget (2) spent", s.Restarts.Writer)
	}
	if _, err := e.Query(context.Background(), "SELECT 1"); !errors.Is(err, liteactor.ErrClosed) {
		t.Errorf("read after the engine stopped: got %v, want ErrClosed", err)
	}
}
