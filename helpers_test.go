package liteactor_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/liteactor/liteactor"
	"github.com/ncruces/go-sqlite3"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// open opens an engine on a fresh file and closes it at cleanup.
func open(t testing.TB, cfg liteactor.Config) (*liteactor.Engine, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "test.db")
	e, err := liteactor.Open(context.Background(), path, cfg)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := e.Close(context.Background()); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return e, path
}

func mustExec(t testing.TB, e *liteactor.Engine, sql string, args ...any) liteactor.Result {
	t.Helper()
	res, err := e.Exec(context.Background(), sql, args...)
	if err != nil {
		t.Fatalf("Exec(%q): %v", sql, err)
	}
	return res
}

func count(t testing.TB, e *liteactor.Engine, sql string, args ...any) int64 {
	t.Helper()
	rows, err := e.Query(context.Background(), sql, args...)
	if err != nil {
		t.Fatalf("Query(%q): %v", sql, err)
	}
	return rows.Values[0][0].(int64)
}

// holdWriter occupies the writer with a Write blocked inside its callback
// until release is called, so the test controls what queues behind it.
// release fails the test if the holding write fails.
func holdWriter(t testing.TB, e *liteactor.Engine) (release func()) {
	t.Helper()
	h := hold(t, e)
	return func() {
		if err := h(); err != nil {
			t.Errorf("holding write: %v", err)
		}
	}
}

// hold is holdWriter for tests that expect the holding write to fail: its
// release returns the holder's error.
func hold(t testing.TB, e *liteactor.Engine) (release func() error) {
	t.Helper()
	started, rel, done := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	go func() {
		done <- e.Write(context.Background(), func(*sqlite3.Conn) error {
			close(started)
			<-rel
			return nil
		})
	}()
	<-started
	return func() error {
		close(rel)
		return <-done
	}
}

// waitFor polls cond until it holds or 10s pass.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

func waitQueued(t testing.TB, e *liteactor.Engine, depth, parked int) {
	t.Helper()
	waitFor(t, "queue depth", func() bool {
		s := e.Stats()
		return s.QueueDepth == depth && s.QueueParked == parked
	})
}

type outcome struct {
	id  int
	err error
}

// execAsync runs an insert of id in a goroutine and reports its outcome.
func execAsync(ctx context.Context, e *liteactor.Engine, out chan<- outcome, id int) {
	go func() {
		_, err := e.Exec(ctx, "INSERT INTO t(id) VALUES (?)", id)
		out <- outcome{id, err}
	}()
}
