package main

import (
	"context"
	"testing"

	"github.com/rs/zerolog"

	"github.com/liteactor/liteactor/bench/internal/hotpath"
	"github.com/liteactor/liteactor/bench/internal/report"
	"github.com/liteactor/liteactor/bench/internal/target"
)

// hotpaths runs liteactor's hot-path benchmarks with testing.Benchmark when
// liteactor is among the targets, for the allocation goals.
func hotpaths(ctx context.Context, kinds []target.Kind, log zerolog.Logger) []report.Hotpath {
	found := false
	for _, k := range kinds {
		found = found || k.ID == "liteactor"
	}
	if !found {
		return nil
	}
	var out []report.Hotpath
	for _, hb := range hotpath.All() {
		if ctx.Err() != nil {
			break
		}
		r := testing.Benchmark(hb.F)
		if r.N == 0 {
			log.Warn().Str("benchmark", hb.Name).Msg("hot-path benchmark failed")
			continue
		}
		h := report.Hotpath{Name: hb.Name, N: r.N, NsPerOp: float64(r.T.Nanoseconds()) / float64(r.N),
			AllocsPerOp: r.AllocsPerOp(), BytesPerOp: r.AllocedBytesPerOp()}
		log.Info().Str("benchmark", h.Name).Int("n", h.N).Float64("ns_op", h.NsPerOp).Int64("allocs_op", h.AllocsPerOp).
			Int64("bytes_op", h.BytesPerOp).Msg("hot path")
		out = append(out, h)
	}
	return out
}
