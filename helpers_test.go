package liteactor_test

import (
	"context"
	"testing"

	"github.com/liteactor/liteactor"
	"github.com/liteactor/liteactor/internal/enginetest"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// open opens an engine on a fresh file and closes it at cleanup.
func open(t testing.TB, cfg liteactor.Config) (*liteactor.Engine, string) {
	t.Helper()
	return enginetest.Open(t, func(ctx context.Context, path string) (*liteactor.Engine, error) {
		return liteactor.Open(ctx, path, cfg)
	})
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

func waitQueued(t testing.TB, e *liteactor.Engine, depth, parked int) {
	t.Helper()
	enginetest.WaitFor(t, "queue depth", func() bool {
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
