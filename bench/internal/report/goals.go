package report

import (
	"fmt"
	"math"
	"strings"

	"github.com/liteactor/liteactor/bench/internal/workload"
)

// Goal statuses. StatusInfo marks a figure shown beside the goals for
// reference, with no target of its own.
const (
	StatusMet    = "met"
	StatusMissed = "MISSED"
	StatusNA     = "n/a"
	StatusInfo   = "info"
)

// Where the goals come from.
const (
	SourceIssue18 = "issue 18"
	SourceIssue3  = "issue 3"
)

// Outcome is one goal of an issue, evaluated on one run: the measured value
// and the baseline it is compared with come from the same run.
type Outcome struct {
	Source   string  `json:"source"` // the issue that states the goal
	Goal     string  `json:"goal"`
	Measured string  `json:"measured"`
	Value    float64 `json:"value"` // the ratio (or count, or share) compared with Want
	Want     string  `json:"want"`
	Status   string  `json:"status"`
}

// IDs of the targets and workloads the goals compare.
const (
	idLite    = "liteactor"
	idRaw     = "raw"
	idDefault = "sql-default"
	idTwoPool = "sql-2pool"

	idGroupNormal = "W1-G64-NORMAL"
	idGroupFull   = "W1-G64-FULL"
	idBarrier     = "W7-BARRIER"
	idWALOff      = "W7-WALOFF"
)

// goalCallers is the caller count the issues' goals are stated at.
const goalCallers = 64

// goalRounds is the number of rounds issue 18's W4 goal takes the median of.
const goalRounds = 3

// Goals evaluates issue 18's goals on r, then issue 3's. A goal whose
// points were not run (or failed) is n/a, with the reason.
func Goals(r *Run) []Outcome {
	g := &goals{r: r, src: SourceIssue18}
	g.issue18()
	g.src = SourceIssue3
	g.issue3()
	return g.out
}

// goals accumulates the outcomes of one source.
type goals struct {
	r   *Run
	src string
	out []Outcome
}

func (g *goals) add(o Outcome) {
	o.Source = g.src
	g.out = append(g.out, o)
}

// point is a throughput (or rows/s) that may be missing from the run.
type point struct {
	name string // how Measured names it
	v    float64
	ok   bool
}

// tp is the throughput of workload w, target t at 64 callers.
func (g *goals) tp(name, w, t string) point {
	if x := g.r.find(w, t, goalCallers); x != nil {
		return point{name, x.Throughput, true}
	}
	return point{name: name}
}

// rows is the rows/s of a single-caller point of the raw target (W6 and
// the W1-G64 baselines).
func (g *goals) rows(name, w string) point {
	if x := g.r.find(w, idRaw, 1); x != nil && x.Ops > 0 {
		return point{name, x.RowsPerSec, true}
	}
	return point{name: name}
}

// ratio adds the goal num/den >= min; with min 0 it is shown for reference
// (StatusInfo).
func (g *goals) ratio(goal string, num, den point, min float64) {
	o := Outcome{Goal: goal, Want: fmt.Sprintf(">= %.2f", min)}
	if min == 0 {
		o.Want = "none (reference)"
	}
	switch {
	case !num.ok || !den.ok:
		o.Status, o.Measured = StatusNA, "not measured in this run ("+strings.Join(missing(num, den), ", ")+")"
	case den.v <= 0:
		o.Status, o.Measured = StatusNA, den.name+" completed nothing"
	default:
		o.Value = num.v / den.v
		o.Measured = fmt.Sprintf("%s %s / %s %s", num.name, human(num.v), den.name, human(den.v))
		o.Status = status(o.Value >= min)
		if min == 0 {
			o.Status = StatusInfo
		}
	}
	g.add(o)
}

// allocs adds the goal: hot-path benchmark name allocates at most limit
// times per operation.
func (g *goals) allocs(goal, name string, limit int64) {
	o := Outcome{Goal: goal, Want: fmt.Sprintf("<= %d allocs/op", limit)}
	for _, h := range g.r.Hotpath {
		if h.Name == name {
			o.Value = float64(h.AllocsPerOp)
			o.Measured = fmt.Sprintf("%s: %d allocs/op, %d B/op, %.0f ns/op", h.Name, h.AllocsPerOp, h.BytesPerOp, h.NsPerOp)
			o.Status = status(h.AllocsPerOp <= limit)
			g.add(o)
			return
		}
	}
	o.Status, o.Measured = StatusNA, "hot-path benchmark "+name+" not run"
	g.add(o)
}

// issue18 adds the goals of issue 18 ("Acknowledged writes closer to the
// machine's limit, durable ones far ahead of database/sql").
func (g *goals) issue18() {
	g.ratio("W1 NORMAL, 64 callers: liteactor vs raw one-transaction bulk rate (W6 raw)",
		g.tp("liteactor W1", "W1-NORMAL", idLite), g.rows("raw W6 bulk", "W6"), 0.5)
	g.ratio("W1 FULL, 64 callers: liteactor vs (d) database/sql single-writer pool",
		g.tp("liteactor", "W1-FULL", idLite), g.tp("(d)", "W1-FULL", idTwoPool), 40)
	g.ratio("W1 FULL, 64 callers: liteactor vs raw committing 64 rows per transaction (W1-G64-FULL)",
		g.tp("liteactor", "W1-FULL", idLite), g.rows("raw 64/txn", idGroupFull), 0.7)
	g.ratio("W1 NORMAL, 64 callers: liteactor vs raw committing 64 rows per transaction (W1-G64-NORMAL)",
		g.tp("liteactor", "W1-NORMAL", idLite), g.rows("raw 64/txn", idGroupNormal), 0)
	g.w4()
	g.ratio("W3 point reads, 64 callers, 2 readers: liteactor vs raw",
		g.tp("liteactor", "W3", idLite), g.tp("raw", "W3", idRaw), 1)
	g.barrier()
	g.allocs("Allocations: Exec (Exec2Args)", "Exec2Args", 5)
	g.allocs("Allocations: point Query (QueryPoint)", "QueryPoint", 8)
	g.allocs("Allocations: QueryRow+Scan (QueryRowScan)", "QueryRowScan", 6)
}

// w4 adds issue 18's W4 goal: liteactor >= 3x (c), with no SQLITE_BUSY,
// both in the median round (of 3), which is the point the run keeps.
func (g *goals) w4() {
	o := Outcome{Goal: "W4 (90/10), 64 callers: liteactor vs (c) default pool, 0 SQLITE_BUSY, median of 3 rounds",
		Want: ">= 3.00 and 0 busy"}
	l := g.r.find("W4", idLite, goalCallers)
	c := g.r.find("W4", idDefault, goalCallers)
	switch {
	case l == nil || c == nil:
		o.Status, o.Measured = StatusNA, "not measured in this run ("+
			strings.Join(missing(point{name: "liteactor W4", ok: l != nil}, point{name: "(c) W4", ok: c != nil}), ", ")+")"
	case c.Throughput <= 0:
		o.Status, o.Measured = StatusNA, "(c) completed nothing"
	default:
		o.Value = l.Throughput / c.Throughput
		o.Measured = fmt.Sprintf("liteactor %s / (c) %s; liteactor %d SQLITE_BUSY (rounds: %s)",
			human(l.Throughput), human(c.Throughput), l.Busy, busyRounds(l))
		if n := max(len(l.Rounds), 1); n != goalRounds {
			o.Measured += fmt.Sprintf("; median of %d round(s), the goal asks %d", n, goalRounds)
		}
		o.Status = status(o.Value >= 3 && l.Busy == 0)
	}
	g.add(o)
}

// busyRounds lists the SQLITE_BUSY count of every round of x.
func busyRounds(x *workload.Result) string {
	if len(x.RoundsBusy) == 0 {
		return fmt.Sprint(x.Busy)
	}
	parts := make([]string, len(x.RoundsBusy))
	for i, b := range x.RoundsBusy {
		parts[i] = fmt.Sprint(b)
	}
	return strings.Join(parts, ", ")
}

// barrier adds issue 18's read-barrier goal: W7's read p99 with the WAL
// monitor's emergency brake engaging, against the same workload with the
// brake off. The figure means something only if the barrier engaged.
func (g *goals) barrier() {
	o := Outcome{Goal: "Read barrier: W7 point-read p99 with the WAL brake (W7-BARRIER) vs without (W7-WALOFF), 64 callers",
		Want: "stated and measured, with ReadBarriers > 0"}
	b := g.r.find(idBarrier, idLite, goalCallers)
	off := g.r.find(idWALOff, idLite, goalCallers)
	rb, okB := readLatency(b)
	ro, okO := readLatency(off)
	switch {
	case !okB || !okO:
		o.Status, o.Measured = StatusNA, "not measured in this run ("+
			strings.Join(missing(point{name: "liteactor " + idBarrier, ok: okB}, point{name: "liteactor " + idWALOff, ok: okO}), ", ")+")"
	default:
		barriers, expired := b.Engine["wal_read_barriers"], b.Engine["wal_barrier_expired"]
		o.Value = rb.P99 / ro.P99
		o.Measured = fmt.Sprintf("point-read p50/p99/max %s/%s/%s µs with the brake (%.0f read barriers, %.0f expired, %.0f TRUNCATEs) "+
			"vs %s/%s/%s µs without: p99 %+.0f µs",
			us(rb.P50), us(rb.P99), us(rb.Max), barriers, expired, b.Engine["wal_truncates"], us(ro.P50), us(ro.P99), us(ro.Max), rb.P99-ro.P99)
		if barriers > 0 {
			o.Status = StatusMet
		} else {
			o.Status = StatusMissed
			o.Measured += "; the barrier never engaged, so this p99 says nothing about it"
		}
	}
	g.add(o)
}

// readLatency returns the point-read percentiles of a W7 point, if it has
// point reads.
func readLatency(x *workload.Result) (workload.Percentiles, bool) {
	if x == nil {
		return workload.Percentiles{}, false
	}
	t, ok := x.ByType[workload.TypeRead]
	if !ok || t.Ops == 0 || t.Latency.P99 <= 0 {
		return workload.Percentiles{}, false
	}
	return t.Latency, true
}

// issue3 adds issue 3's goals, kept for comparison with earlier runs.
func (g *goals) issue3() {
	l1 := g.tp("liteactor", "W1-NORMAL", idLite)
	g.ratio("W1 64 callers NORMAL: liteactor vs raw one-transaction bulk rate (W6 raw)",
		point{"liteactor W1", l1.v, l1.ok}, g.rows("raw W6 bulk", "W6"), 0.5)
	g.ratio("W1 64 callers NORMAL: liteactor vs (d) two-pool", l1, g.tp("(d)", "W1-NORMAL", idTwoPool), 5)
	g.ratio("W1 64 callers FULL: liteactor vs (d) two-pool", g.tp("liteactor", "W1-FULL", idLite), g.tp("(d)", "W1-FULL", idTwoPool), 20)
	l3 := g.tp("liteactor", "W3", idLite)
	g.ratio("W3 64 callers: liteactor (2 readers) vs raw (2 goroutine-owned connections)", l3, g.tp("raw", "W3", idRaw), 1)
	g.ratio("W3 64 callers: liteactor (2 readers) vs (d) two-pool (2 readers)", l3, g.tp("(d)", "W3", idTwoPool), 1.5)

	w4 := g.r.find("W4", idLite, goalCallers)
	if w4 == nil {
		g.add(Outcome{Goal: "W4: SQLITE_BUSY errors for liteactor", Want: "== 0",
			Status: StatusNA, Measured: "liteactor W4 not measured in this run"})
	} else {
		g.add(Outcome{Goal: "W4: SQLITE_BUSY errors for liteactor", Want: "== 0",
			Value: float64(w4.Busy), Measured: fmt.Sprintf("%d busy, %d errors in all", w4.Busy, total(w4.Errors)),
			Status: status(w4.Busy == 0)})
	}
	g.ratio("W4: liteactor vs (c) default pool", g.tp("liteactor", "W4", idLite), g.tp("(c)", "W4", idDefault), 3)
	if w4 == nil {
		g.add(Outcome{Goal: "W4: liteactor writes' share of completed operations", Want: "8% .. 12%",
			Status: StatusNA, Measured: "liteactor W4 not measured in this run"})
	} else {
		g.add(Outcome{Goal: "W4: liteactor writes' share of completed operations", Want: "8% .. 12%",
			Value: w4.WriteShare, Measured: fmt.Sprintf("%.1f%% of %d ops (writes %s/s)", 100*w4.WriteShare, w4.Ops,
				human(w4.ByType["write"].Throughput)),
			Status: status(w4.WriteShare >= 0.08 && w4.WriteShare <= 0.12)})
	}
	g.allocs("Allocations: Exec with 2 arguments", "Exec2Args", 8)
	g.allocs("Allocations: point Query", "QueryPoint", 12)
}

func status(ok bool) string {
	if ok {
		return StatusMet
	}
	return StatusMissed
}

// missing names the points that were not measured.
func missing(ps ...point) []string {
	var m []string
	for _, p := range ps {
		if !p.ok {
			m = append(m, p.name)
		}
	}
	return m
}

func total(m map[string]int64) int64 {
	var n int64
	for _, v := range m {
		n += v
	}
	return n
}

// human formats a rate with a k/M suffix.
func human(v float64) string {
	switch a := math.Abs(v); {
	case a >= 1e6:
		return fmt.Sprintf("%.2fM", v/1e6)
	case a >= 1e4:
		return fmt.Sprintf("%.1fk", v/1e3)
	case a >= 1e3:
		return fmt.Sprintf("%.2fk", v/1e3)
	default:
		return fmt.Sprintf("%.0f", v)
	}
}
