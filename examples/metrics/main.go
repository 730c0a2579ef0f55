// Command metrics shows an engine's observers at work: it serves Prometheus
// metrics on 127.0.0.1, exports OpenTelemetry spans to stdout, logs slow
// operations through zerolog, runs a small order workload for a few
// seconds, prints a scrape of its own /metrics and the top statements, and
// exits.
//
//	go run ./examples/metrics                     # 3 seconds on a random port
//	go run ./examples/metrics -addr 127.0.0.1:9464 -duration 60s
//	curl -s 127.0.0.1:9464/metrics | grep liteactor_
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/liteactor/liteactor"
	"github.com/liteactor/liteactor/observe"
	"github.com/liteactor/liteactor/observe/prom"
	"github.com/liteactor/liteactor/observe/tracing"
	"github.com/ncruces/go-sqlite3"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/rs/zerolog"
	"go.opentelemetry.io/otel/exporters/stdout/stdouttrace"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "where to serve /metrics")
	d := flag.Duration("duration", 3*time.Second, "how long the workload runs")
	flag.Parse()
	log := zerolog.New(zerolog.ConsoleWriter{Out: os.Stderr}).Level(zerolog.InfoLevel).With().Timestamp().Logger()
	if err := run(context.Background(), *addr, *d, os.Stdout, log); err != nil {
		fmt.Fprintln(os.Stderr, "metrics:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, addr string, d time.Duration, out io.Writer, log zerolog.Logger) error {
	dir, err := os.MkdirTemp("", "liteactor-metrics-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)

	// Traces: spans go to stdout, one JSON object per span. Only requests
	// the service chooses to trace (root spans named "checkout") are
	// sampled; the engine's spans follow their parent.
	exporter, err := stdouttrace.New(stdouttrace.WithWriter(out))
	if err != nil {
		return err
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exporter), sdktrace.WithSampler(rootsNamed{"checkout"}))
	defer tp.Shutdown(context.Background())

	// Observers: a slow-operation logger, metrics, the statement profiler,
	// and tracing, in that order (Before in this order, After in reverse).
	metrics := observe.NewMetrics(observe.MetricsOptions{})
	profiler := observe.NewProfiler(observe.ProfilerOptions{})
	cfg := liteactor.DefaultConfig()
	cfg.Name = "shop"
	cfg.Logger = log
	cfg.Observers = []liteactor.Observer{
		observe.NewQueryLogger(log, observe.QueryLogOptions{Slow: 50 * time.Millisecond}),
		metrics,
		profiler,
		tracing.New(tracing.Options{TracerProvider: tp, QueryText: true}),
	}
	eng, err := liteactor.Open(ctx, filepath.Join(dir, "shop.db"), cfg)
	if err != nil {
		return err
	}
	defer eng.Close(context.Background())

	// Metrics: the engine's collector and Go's own, on a private registry.
	reg := prometheus.NewRegistry()
	reg.MustRegister(prom.New(eng, prom.Options{DB: cfg.Name, Metrics: metrics}), collectors.NewGoCollector())
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	url := "http://" + ln.Addr().String() + "/metrics"
	log.Info().Str("url", url).Dur("for", d).Msg("serving metrics")

	if err := workload(ctx, eng, tp.Tracer("shop"), d); err != nil {
		return err
	}
	if err := printScrape(ctx, out, url); err != nil {
		return err
	}
	fmt.Fprintln(out, "\n# top statements by total time")
	for _, s := range profiler.Top(5, observe.ByTotal) {
		fmt.Fprintf(out, "%6d calls  %9v total  %8v mean  %8v max  %s\n", s.Calls, s.Total.Round(time.Microsecond), s.Mean().Round(time.Microsecond), s.Max.Round(time.Microsecond), s.Query)
	}

	shutCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutCtx); err != nil {
		return err
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return eng.Close(shutCtx)
}

// workload: writers insert orders, readers look them up, and every 250ms a
// traced "checkout" writes an order and reads it back under one span.
func workload(ctx context.Context, eng *liteactor.Engine, tr trace.Tracer, d time.Duration) error {
	if _, err := eng.Exec(ctx, `CREATE TABLE orders (id INTEGER PRIMARY KEY, customer TEXT NOT NULL, total REAL NOT NULL)`); err != nil {
		return err
	}
	runCtx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for w := range 4 {
		wg.Go(func() {
			for i := 0; runCtx.Err() == nil; i++ {
				_, err := eng.Exec(runCtx, "INSERT INTO orders (customer, total) VALUES (?, ?)", fmt.Sprintf("c%d", w), float64(i%100)+0.5)
				if err != nil && runCtx.Err() == nil {
					errs <- err
					return
				}
			}
		})
	}
	for range 2 {
		wg.Go(func() {
			for i := 0; runCtx.Err() == nil; i++ {
				_, err := eng.Query(runCtx, "SELECT id, total FROM orders WHERE id = ?", i%1000+1)
				if err != nil && runCtx.Err() == nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Go(func() {
		tick := time.NewTicker(250 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-runCtx.Done():
				return
			case <-tick.C:
			}
			if err := checkout(runCtx, eng, tr); err != nil && runCtx.Err() == nil {
				errs <- err
				return
			}
		}
	})
	wg.Wait()
	close(errs)
	return <-errs
}

func checkout(ctx context.Context, eng *liteactor.Engine, tr trace.Tracer) error {
	ctx, span := tr.Start(ctx, "checkout")
	defer span.End()
	var id int64
	err := eng.Write(ctx, func(conn *sqlite3.Conn) error {
		if err := conn.Exec(`INSERT INTO orders (customer, total) VALUES ('traced', 42)`); err != nil {
			return err
		}
		id = conn.LastInsertRowID()
		return nil
	})
	if err != nil {
		return err
	}
	_, err = eng.Query(ctx, "SELECT customer, total FROM orders WHERE id = ?", id)
	return err
}

// printScrape fetches /metrics as Prometheus would and prints a few of the
// engine's series.
func printScrape(ctx context.Context, out io.Writer, url string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	req.Close = true // no idle connection left behind
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	fmt.Fprintf(out, "\n# GET %s (liteactor_ series, histogram buckets omitted)\n", url)
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "liteactor_") && !strings.Contains(line, "_bucket{") {
			fmt.Fprintln(out, line)
		}
	}
	return sc.Err()
}

// rootsNamed samples root spans with the given name, and every span whose
// parent is sampled.
type rootsNamed struct{ name string }

func (s rootsNamed) ShouldSample(p sdktrace.SamplingParameters) sdktrace.SamplingResult {
	parent := trace.SpanContextFromContext(p.ParentContext)
	if parent.IsSampled() || (!parent.IsValid() && p.Name == s.name) {
		return sdktrace.SamplingResult{Decision: sdktrace.RecordAndSample, Tracestate: parent.TraceState()}
	}
	return sdktrace.SamplingResult{Decision: sdktrace.Drop, Tracestate: parent.TraceState()}
}

func (s rootsNamed) Description() string { return "rootsNamed{" + s.name + "}" }
