package liteactor_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/liteactor/liteactor"
	"github.com/liteactor/liteactor/observe"
)

// nopObserver does nothing: it measures the hook itself.
type nopObserver struct{}

func (nopObserver) Before(ctx context.Context, _ *liteactor.Op) (context.Context, error) {
	return ctx, nil
}
func (nopObserver) After(context.Context, *liteactor.Op, *liteactor.Outcome) {}

// observerCases are the configurations each benchmark runs under: none
// takes the len(observers) == 0 fast path.
var observerCases = []struct {
	name string
	obs  func() []liteactor.Observer
}{
	{"none", func() []liteactor.Observer { return nil }},
	{"noop", func() []liteactor.Observer { return []liteactor.Observer{nopObserver{}} }},
	{"metrics", func() []liteactor.Observer {
		return []liteactor.Observer{observe.NewMetrics(observe.MetricsOptions{})}
	}},
}

func benchEngine(b *testing.B, obs []liteactor.Observer) *liteactor.Engine {
	b.Helper()
	cfg := liteactor.MinimalConfig()
	cfg.Observers = obs
	eng, err := liteactor.Open(context.Background(), filepath.Join(b.TempDir(), "bench.db"), cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { eng.Close(context.Background()) })
	if _, err := eng.Exec(context.Background(), "CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER)"); err != nil {
		b.Fatal(err)
	}
	return eng
}

// BenchmarkObserverExec: one caller, one single-row INSERT at a time, each
// acknowledged after its COMMIT.
func BenchmarkObserverExec(b *testing.B) {
	for _, c := range observerCases {
		b.Run(c.name, func(b *testing.B) {
			eng := benchEngine(b, c.obs())
			ctx := context.Background()
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				if _, err := eng.Exec(ctx, "INSERT INTO t (v) VALUES (?)", i); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkObserverQuery: one caller, point queries by primary key.
func BenchmarkObserverQuery(b *testing.B) {
	for _, c := range observerCases {
		b.Run(c.name, func(b *testing.B) {
			eng := benchEngine(b, c.obs())
			ctx := context.Background()
			for i := range 1000 {
				if _, err := eng.Exec(ctx, "INSERT INTO t VALUES (?, ?)", i, i); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				if _, err := eng.Query(ctx, "SELECT v FROM t WHERE id = ?", i%1000); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
