// Package observe holds ready-made liteactor observers (see
// liteactor.Observer): a zerolog query logger, a metrics collector with a
// snapshot API, and a statement profiler keyed by normalized SQL, the "top
// queries" view of PostgreSQL's pg_stat_statements. Attach any of them with
// Config.Observers:
//
//	m := observe.NewMetrics(observe.MetricsOptions{})
//	p := observe.NewProfiler(observe.ProfilerOptions{})
//	cfg.Observers = []liteactor.Observer{observe.NewQueryLogger(log, observe.QueryLogOptions{Slow: 50 * time.Millisecond}), m, p}
//
// Subpackages bridge to monitoring systems: observe/prom exports the
// engine's Stats and a Metrics collector to Prometheus, observe/tracing
// records an OpenTelemetry span per operation.
//
// All observers here are safe for concurrent use, never veto, and never
// block.
package observe
