package observe_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/liteactor/liteactor"
	"github.com/liteactor/liteactor/observe"
	"github.com/ncruces/go-sqlite3"
)

func TestClass(t *testing.T) {
	eng := open(t, liteactor.MinimalConfig())
	mustExec(t, eng, "CREATE TABLE t (id INTEGER PRIMARY KEY)")
	mustExec(t, eng, "INSERT INTO t VALUES (1)")
	_, constraint := eng.Exec(context.Background(), "INSERT INTO t VALUES (1)")
	_, syntax := eng.Query(context.Background(), "SELEKT 1")
	_, badArg := eng.Exec(context.Background(), "INSERT INTO t VALUES (?)", struct{}{})
	panicked := eng.Write(context.Background(), func(*sqlite3.Conn) error { panic("boom") })

	tests := []struct {
		err  error
		want string
	}{
		{nil, "ok"},
		{fmt.Errorf("%w: guard: %w", liteactor.ErrVetoed, errors.New("no")), "vetoed"},
		{context.Canceled, "canceled"},
		{fmt.Errorf("%w (%w)", context.Canceled, sqlite3.INTERRUPT), "canceled"},
		{fmt.Errorf("wrapped: %w", context.DeadlineExceeded), "deadline_exceeded"},
		{liteactor.ErrQueueFull, "queue_full"},
		{liteactor.ErrDropped, "dropped"},
		{liteactor.ErrClosed, "closed"},
		{fmt.Errorf("%w (30s)", liteactor.ErrReadTimeout), "read_timeout"},
		{panicked, "panic"},
		{badArg, "invalid_arg"},
		{constraint, "sqlite_constraint"},
		{syntax, "sqlite_error"},
		{sqlite3.BUSY, "sqlite_busy"},
		{sqlite3.BUSY_SNAPSHOT, "sqlite_busy"},
		{fmt.Errorf("commit: %w", sqlite3.FULL), "sqlite_full"},
		{errors.New("something else"), "error"},
	}
	for _, tt := range tests {
		if got := observe.Class(tt.err); got != tt.want {
			t.Errorf("Class(%v) = %q, want %q", tt.err, got, tt.want)
		}
	}
}
