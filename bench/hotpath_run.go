package main

import (
	"context"

	"github.com/rs/zerolog"

	"github.com/liteactor/liteactor/bench/internal/report"
	"github.com/liteactor/liteactor/bench/internal/target"
)

// hotpaths runs liteactor's hot-path benchmarks with testing.Benchmark when
// liteactor is among the targets. Until the engine is wired in there is
// nothing to run.
func hotpaths(_ context.Context, _ []target.Kind, _ string, _ zerolog.Logger) []report.Hotpath {
	return nil
}
