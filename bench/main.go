// Command bench runs liteactor's side-by-side benchmarks (issues 3 and 18):
// each workload W1..W6 against liteactor, raw ncruces/go-sqlite3, and
// database/sql with the ncruces and modernc drivers, plus the raw
// group-commit baseline W1-G64 and the WAL brake's W7 (liteactor only), and
// writes a markdown report with issue 18's goals, a JSON file and charts
// into a new folder under -out.
//
//	go run ./bench -duration 2s -callers 1,4,16,64,256
//
// Every point gets a fresh database file in a temporary folder that is
// removed at the end.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"

	"github.com/rs/zerolog"

	"github.com/liteactor/liteactor/bench/internal/report"
	"github.com/liteactor/liteactor/bench/internal/target"
	"github.com/liteactor/liteactor/bench/internal/workload"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run() error {
	var (
		duration   = flag.Duration("duration", time.Second, "measured time per point and round")
		rounds     = flag.Int("rounds", 3, "rounds per point, targets interleaved; the report keeps each point's median round")
		warmup     = flag.Duration("warmup", 300*time.Millisecond, "unmeasured warm-up per point, same callers")
		callers    = flag.String("callers", "1,4,16,64,256", "caller counts for W1 and W3 (W2 and W4 run at 64, W5 at 16)")
		workloads  = flag.String("workloads", "W1,W2,W3,W4,W5,W6,W7", "workloads to run (W1 runs NORMAL and FULL and the raw baselines W1-G64-NORMAL/FULL; W1-NORMAL, W1-FULL or W1-G64 picks those; W7 runs W7-BARRIER and W7-WALOFF)")
		targets    = flag.String("targets", target.IDs(), "targets to run")
		out        = flag.String("out", filepath.Join("bench", "results"), "folder that receives one sub-folder per run")
		name       = flag.String("name", "", "name of this run's sub-folder (default: UTC date and time)")
		bulkRows   = flag.Int("bulk-rows", 1_000_000, "rows loaded by W6")
		tmp        = flag.String("tmpdir", "", "where the temporary database files go (default: the system temp dir)")
		cpuprofile = flag.String("cpuprofile", "", "write a CPU profile of the whole run to this file")
		hotpath    = flag.Bool("hotpath", true, "also run liteactor's hot-path testing.Benchmarks (allocs/op goals) when liteactor is a target")
	)
	flag.Parse()
	log := zerolog.New(zerolog.ConsoleWriter{Out: os.Stderr, TimeFormat: "15:04:05"}).With().Timestamp().Logger()

	if *rounds < 1 {
		return fmt.Errorf("-rounds must be at least 1")
	}
	cs, err := parseCallers(*callers)
	if err != nil {
		return err
	}
	specs, err := workload.Select(workload.Specs(cs, *bulkRows), *workloads)
	if err != nil {
		return err
	}
	kinds, err := target.Select(*targets)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	dir, err := os.MkdirTemp(*tmp, "liteactor-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)

	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}

	now := time.Now()
	r := &report.Run{
		Meta:  report.Machine(now, strings.TrimSpace("go run ./bench "+strings.Join(os.Args[1:], " ")), *duration, *warmup, *rounds),
		Specs: specs,
	}
	for _, k := range kinds {
		r.Targets = append(r.Targets, report.TargetInfo{ID: k.ID, Label: k.Label, Desc: k.Desc})
	}
	cfg := workload.Config{Duration: *duration, Warmup: *warmup, Dir: dir}
	for _, g := range workload.Plan(specs, kinds) {
		// Rounds interleave the group's jobs (every target of one workload
		// and caller count, plus its baselines), so that a burst of load
		// from elsewhere hits all of them rather than one.
		byJob := make([][]workload.Result, len(g))
		for round := range *rounds {
			for i, j := range g {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				s, k, c := j.Spec, j.Kind, j.Callers
				res := workload.Run(ctx, s, k, c, cfg)
				ev := log.Info()
				if res.Failed != "" {
					ev = log.Warn().Str("failed", res.Failed)
				}
				ev.Str("workload", s.ID).Str("target", k.ID).Int("callers", c).Int("round", round+1).
					Float64(strings.ReplaceAll(s.Unit, "/", "_per_"), float64(int64(res.Throughput))).
					Float64("p50_us", res.Latency.P50).Float64("p99_us", res.Latency.P99).
					Int64("busy", res.Busy).Interface("errors", res.Errors).Float64("allocs_op", res.AllocsPerOp).Msg("point")
				byJob[i] = append(byJob[i], res)
			}
		}
		for _, rs := range byJob {
			r.Results = append(r.Results, workload.Median(rs))
		}
	}
	if *hotpath {
		r.Hotpath = hotpaths(ctx, kinds, log)
	}

	r.Meta.LoadEnd = report.LoadAvg()
	folder := *name
	if folder == "" {
		folder = now.UTC().Format("2006-01-02T150405Z")
	}
	outDir := filepath.Join(*out, folder)
	md, err := r.Write(outDir)
	if err != nil {
		return err
	}
	fmt.Print(md)
	log.Info().Str("dir", outDir).Msg("report written")
	return nil
}

func parseCallers(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		n, err := strconv.Atoi(f)
		if err != nil || n < 1 {
			return nil, fmt.Errorf("bad caller count %q", f)
		}
		out = append(out, n)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no caller counts")
	}
	return out, nil
}
