package observe_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/liteactor/liteactor"
	"github.com/ncruces/go-sqlite3"
)

// open starts an engine on a temp file with observers and closes it at
// the end of the test.
func open(t *testing.T, cfg liteactor.Config, obs ...liteactor.Observer) *liteactor.Engine {
	t.Helper()
	cfg.Observers = obs
	eng, err := liteactor.Open(context.Background(), filepath.Join(t.TempDir(), "observe.db"), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := eng.Close(context.Background()); err != nil {
			t.Error(err)
		}
	})
	return eng
}

func mustExec(t *testing.T, eng *liteactor.Engine, sql string, args ...any) {
	t.Helper()
	if _, err := eng.Exec(context.Background(), sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

// holdWriter blocks the writer inside a Write until release is called.
func holdWriter(t *testing.T, eng *liteactor.Engine) (release func()) {
	t.Helper()
	gate, in, done := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	go func() {
		done <- eng.Write(context.Background(), func(*sqlite3.Conn) error {
			close(in)
			<-gate
			return nil
		})
	}()
	<-in
	return func() {
		close(gate)
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}

// waitFor polls cond until it holds or a deadline passes.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// vetoKind refuses every operation of one kind.
type vetoKind struct {
	kind liteactor.OpKind
	err  error
}

func (v vetoKind) Before(ctx context.Context, op *liteactor.Op) (context.Context, error) {
	if op.Kind == v.kind {
		return ctx, v.err
	}
	return ctx, nil
}

func (vetoKind) After(context.Context, *liteactor.Op, *liteactor.Outcome) {}
