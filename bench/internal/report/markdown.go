package report

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/liteactor/liteactor/bench/internal/workload"
)

// Markdown renders the run as a report: machine, goals with their ratios,
// one table per workload, the hot-path benchmarks, and the charts.
func Markdown(r *Run, charts []string) string {
	var b strings.Builder
	m := r.Meta
	fmt.Fprintf(&b, "# liteactor benchmark, %s\n\n", m.Date)
	fmt.Fprintf(&b, "- Command: `%s`\n", m.Command)
	fmt.Fprintf(&b, "- Machine: %s, %d cores (GOMAXPROCS %d), %s/%s, %s\n", m.CPUModel, m.Cores, m.GOMAXPROCS, m.OS, m.Arch, m.GoVersion)
	fmt.Fprintf(&b, "- SQLite: %s\n", kv(m.SQLite))
	fmt.Fprintf(&b, "- Modules: %s\n", kv(m.Modules))
	fmt.Fprintf(&b, "- Each point: %d round(s), targets interleaved; each round a fresh database file, %s warm-up, then %s measured; "+
		"the tables show the median round, with the range of all rounds' throughput\n", m.Rounds, m.Warmup, m.Duration)
	fmt.Fprintf(&b, "- Load average (1, 5, 15 min) at start: %s; at end: %s (the machine is shared: other processes' load shows up as noise)\n\n", m.LoadStart, m.LoadEnd)

	goalTable(&b, r.Goals, SourceIssue18, "## Goals of issue 18 (each measured value against its baseline from this run)\n\n"+
		"From issue 18, \"Acknowledged writes closer to the machine's limit, durable ones far ahead of database/sql\". "+
		"Baselines: W6 raw (one transaction of all rows), W1-G64 raw (one goroutine committing 64 rows per transaction), "+
		"(c)/(d) database/sql, W7-WALOFF (the same engine without the WAL brake). Every point is the median round of this run.\n\n")
	goalTable(&b, r.Goals, SourceIssue3, "## Goals of issue 3 (kept for comparison with earlier runs)\n\n")

	for _, s := range r.Specs {
		fmt.Fprintf(&b, "## %s: %s\n\n", s.ID, s.Title)
		extra := ""
		mixed := s.ID == "W4" || strings.HasPrefix(s.ID, "W7")
		if mixed {
			extra = " writes | read p50 µs | read p99 µs | write p99 µs |"
		}
		unit := s.Unit
		if s.BulkRows > 0 {
			unit += "; latency per 10k-row chunk"
		}
		fmt.Fprintf(&b, "| target | callers | throughput (%s) | rounds' range | rows/s | p50 µs | p90 µs | p99 µs | max µs | SQLITE_BUSY | other errors | allocs/op |%s\n", unit, extra)
		b.WriteString("|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---|---:|")
		if extra != "" {
			b.WriteString("---:|---:|---:|---:|")
		}
		b.WriteString("\n")
		for _, x := range r.resultsOf(s.ID) {
			if x.Failed != "" {
				fmt.Fprintf(&b, "| %s | %d | failed: %s ||||||||||%s\n", x.TargetLabel, x.Callers, oneLine(x.Failed), strings.Repeat("|", strings.Count(extra, "|")))
				continue
			}
			l := x.Latency
			fmt.Fprintf(&b, "| %s | %d | %s | %s | %s | %s | %s | %s | %s | %d | %s | %.1f |", x.TargetLabel, x.Callers,
				human(x.Throughput), spread(x.Rounds), human(x.RowsPerSec), us(l.P50), us(l.P90), us(l.P99), us(l.Max), x.Busy, otherErrors(x), x.AllocsPerOp)
			if extra != "" {
				rd := x.ByType[workload.TypeRead].Latency
				fmt.Fprintf(&b, " %.1f%% | %s | %s | %s |", 100*x.WriteShare, us(rd.P50), us(rd.P99), us(x.ByType[workload.TypeWrite].Latency.P99))
			}
			b.WriteString("\n")
		}
		b.WriteString("\n")
		for _, x := range r.resultsOf(s.ID) {
			if len(x.Engine) > 0 {
				fmt.Fprintf(&b, "- %s, %d callers, engine counters during the measured span: %s\n", x.TargetLabel, x.Callers, counters(x.Engine))
			}
			if rp, ok := x.ByType[workload.TypeReport]; ok && rp.Ops > 0 {
				fmt.Fprintf(&b, "- %s, %d callers, long aggregate reads: %d, p50/p99/max %s/%s/%s µs\n", x.TargetLabel, x.Callers,
					rp.Ops, us(rp.Latency.P50), us(rp.Latency.P99), us(rp.Latency.Max))
			}
		}
		b.WriteString("\n")
	}

	if len(r.Hotpath) > 0 {
		b.WriteString("## liteactor hot paths (testing.Benchmark, one caller)\n\n| benchmark | N | ns/op | allocs/op | B/op |\n|---|---:|---:|---:|---:|\n")
		for _, h := range r.Hotpath {
			fmt.Fprintf(&b, "| %s | %d | %.0f | %d | %d |\n", h.Name, h.N, h.NsPerOp, h.AllocsPerOp, h.BytesPerOp)
		}
		b.WriteString("\n")
	}

	b.WriteString("## Targets\n\n")
	for _, t := range r.Targets {
		fmt.Fprintf(&b, "- **%s** (`%s`): %s\n", t.Label, t.ID, t.Desc)
	}
	b.WriteString("\nThroughput counts successful operations per second of wall time (until the last caller finished its last operation). " +
		"Latency covers every attempt, failed ones included. allocs/op is the whole process's heap allocations during the measured span divided by successful operations " +
		"(the harness itself allocates nothing per operation).\n\n")

	if len(charts) > 0 {
		b.WriteString("## Charts\n\n")
		for _, c := range charts {
			fmt.Fprintf(&b, "![%s](%s)\n\n", c, c)
		}
	}
	return b.String()
}

// goalTable writes the goals of one source under heading.
func goalTable(b *strings.Builder, goals []Outcome, source, heading string) {
	b.WriteString(heading)
	b.WriteString("| goal | measured | value | want | status |\n|---|---|---:|---|---|\n")
	for _, g := range goals {
		if g.Source != source {
			continue
		}
		v := "-"
		if g.Status != StatusNA {
			v = fmt.Sprintf("%.2f", g.Value)
			if strings.Contains(g.Want, "%") {
				v = fmt.Sprintf("%.1f%%", 100*g.Value)
			}
		}
		fmt.Fprintf(b, "| %s | %s | %s | %s | %s |\n", g.Goal, g.Measured, v, g.Want, g.Status)
	}
	b.WriteString("\n")
}

func (r *Run) resultsOf(id string) []workload.Result {
	var out []workload.Result
	for _, x := range r.Results {
		if x.Workload == id {
			out = append(out, x)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Callers != out[j].Callers {
			return out[i].Callers < out[j].Callers
		}
		return out[i].TargetLabel < out[j].TargetLabel
	})
	return out
}

func otherErrors(x workload.Result) string {
	var parts []string
	for k, v := range x.Errors {
		if k != "SQLITE_BUSY" {
			parts = append(parts, fmt.Sprintf("%s: %d", k, v))
		}
	}
	if len(parts) == 0 {
		return "0"
	}
	sort.Strings(parts)
	return strings.Join(parts, ", ")
}

// spread is the range of the rounds' throughputs, "-" for a single round.
func spread(rounds []float64) string {
	if len(rounds) < 2 {
		return "-"
	}
	lo, hi := rounds[0], rounds[0]
	for _, v := range rounds {
		lo, hi = min(lo, v), max(hi, v)
	}
	return human(lo) + " – " + human(hi)
}

func counters(m map[string]float64) string {
	var parts []string
	for k, v := range m {
		if v != 0 {
			prec := 0
			if v != float64(int64(v)) {
				prec = 2
			}
			parts = append(parts, fmt.Sprintf("%s %s", k, strconv.FormatFloat(v, 'f', prec, 64)))
		}
	}
	sort.Strings(parts)
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

func us(v float64) string {
	switch {
	case v >= 100:
		return fmt.Sprintf("%.0f", v)
	case v >= 10:
		return fmt.Sprintf("%.1f", v)
	default:
		return fmt.Sprintf("%.2f", v)
	}
}

func kv(m map[string]string) string {
	var parts []string
	for k, v := range m {
		parts = append(parts, k+" "+v)
	}
	sort.Strings(parts)
	return strings.Join(parts, ", ")
}

func oneLine(s string) string {
	s = strings.ReplaceAll(s, "\n", " ")
	return strings.ReplaceAll(s, "|", "/")
}
