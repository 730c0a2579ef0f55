package observe_test

import (
	"context"
	"testing"
	"time"

	"github.com/liteactor/liteactor"
	"github.com/liteactor/liteactor/observe"
	"github.com/rs/zerolog"
)

func benchOp() (*liteactor.Op, *liteactor.Outcome) {
	now := time.Now()
	return &liteactor.Op{Kind: liteactor.OpExec, SQL: "INSERT INTO t (a, b) VALUES (?, ?)", Args: []any{1, "x"}},
		&liteactor.Outcome{Enqueued: now, Started: now, Queued: 3 * time.Microsecond, Executing: 40 * time.Microsecond, BatchSize: 4, Rows: 1}
}

// BenchmarkMetricsAfter is the metrics collector's cost per operation.
func BenchmarkMetricsAfter(b *testing.B) {
	m := observe.NewMetrics(observe.MetricsOptions{})
	op, out := benchOp()
	ctx := context.Background()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			ctx, _ := m.Before(ctx, op)
			m.After(ctx, op, out)
		}
	})
}

// BenchmarkProfilerAfter is the statement profiler's cost per operation
// (normalization is cached per SQL text).
func BenchmarkProfilerAfter(b *testing.B) {
	p := observe.NewProfiler(observe.ProfilerOptions{})
	op, out := benchOp()
	ctx := context.Background()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			p.After(ctx, op, out)
		}
	})
}

// BenchmarkQueryLoggerFiltered is the query logger's cost when its events
// are below the logger's level (the production case).
func BenchmarkQueryLoggerFiltered(b *testing.B) {
	ql := observe.NewQueryLogger(zerolog.Nop().Level(zerolog.InfoLevel), observe.QueryLogOptions{Slow: time.Second})
	op, out := benchOp()
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		ql.After(ctx, op, out)
	}
}

// BenchmarkNormalize is the profiler's normalization of one statement,
// paid once per distinct SQL text.
func BenchmarkNormalize(b *testing.B) {
	sql := "SELECT a.id, b.name FROM a JOIN b ON a.b_id = b.id WHERE a.kind IN (1, 2, 3) AND b.name = 'x' ORDER BY a.id LIMIT 10"
	b.ReportAllocs()
	for b.Loop() {
		observe.Normalize(sql)
	}
}
