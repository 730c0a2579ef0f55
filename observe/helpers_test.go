package observe_test

import (
	"context"
	"testing"

	"github.com/liteactor/liteactor"
	"github.com/liteactor/liteactor/internal/enginetest"
)

// open starts an engine on a temp file with observers and closes it at
// the end of the test.
func open(t *testing.T, cfg liteactor.Config, obs ...liteactor.Observer) *liteactor.Engine {
	t.Helper()
	cfg.Observers = obs
	eng, _ := enginetest.Open(t, func(ctx context.Context, path string) (*liteactor.Engine, error) {
		return liteactor.Open(ctx, path, cfg)
	})
	return eng
}

func mustExec(t *testing.T, eng *liteactor.Engine, sql string, args ...any) {
	t.Helper()
	if _, err := eng.Exec(context.Background(), sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
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
