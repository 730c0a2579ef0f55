package liteactor

import (
	"context"
	"testing"
	"time"

	"github.com/liteactor/liteactor/actors"
)

type hookNop struct{}

func (hookNop) Before(ctx context.Context, _ *Op) (context.Context, error) { return ctx, nil }
func (hookNop) After(context.Context, *Op, *Outcome)                       {}

// BenchmarkObserverHook isolates the hook's own cost per operation (Before,
// outcome, After) with one no-op observer, without SQLite or actors, so that
// the figure is not lost in the noise of a full round trip.
func BenchmarkObserverHook(b *testing.B) {
	e := &Engine{obs: []Observer{hookNop{}}}
	ctx := context.Background()
	now := time.Now()
	r := actors.NewRequest(ctx, actors.KindExec)
	r.SQL, r.Args = "INSERT INTO t VALUES (?)", []any{1}
	r.Enqueued, r.Started, r.Finished, r.Batch = now, now.Add(time.Microsecond), now.Add(3*time.Microsecond), 1
	run := func(context.Context, *actors.Request) error { return nil }
	b.ReportAllocs()
	for b.Loop() {
		if err := e.observed(ctx, r, run); err != nil {
			b.Fatal(err)
		}
	}
}
