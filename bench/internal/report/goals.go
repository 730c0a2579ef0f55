package report

import (
	"fmt"
	"math"
	"strings"
)

// Goal statuses.
const (
	StatusMet    = "met"
	StatusMissed = "MISSED"
	StatusNA     = "n/a"
)

// Outcome is one of issue 3's targets, evaluated on one run.
type Outcome struct {
	Goal     string  `json:"goal"`
	Measured string  `json:"measured"`
	Value    float64 `json:"value"` // the ratio (or count, or share) compared with Want
	Want     string  `json:"want"`
	Status   string  `json:"status"`
}

// IDs of the targets the goals compare.
const (
	idLite    = "liteactor"
	idRaw     = "raw"
	idDefault = "sql-default"
	idTwoPool = "sql-2pool"
)

// goalCallers is the caller count the goals are stated at.
const goalCallers = 64

// Goals evaluates the targets on r. A goal whose points were not
// run (or failed) is n/a, with the reason.
func Goals(r *Run) []Outcome {
	var out []Outcome
	ratio := func(goal, num, den string, numTP, denTP float64, numOK, denOK bool, min float64) {
		o := Outcome{Goal: goal, Want: fmt.Sprintf(">= %.2f", min)}
		switch {
		case !numOK || !denOK:
			o.Status, o.Measured = StatusNA, "not measured in this run ("+strings.Join(missing(num, numOK, den, denOK), ", ")+")"
		case denTP <= 0:
			o.Status, o.Measured = StatusNA, den+" completed nothing"
		default:
			o.Value = numTP / denTP
			o.Measured = fmt.Sprintf("%s %s / %s %s", num, human(numTP), den, human(denTP))
			o.Status = status(o.Value >= min)
		}
		out = append(out, o)
	}
	tp := func(w, t string) (float64, bool) {
		if x := r.find(w, t, goalCallers); x != nil {
			return x.Throughput, true
		}
		return 0, false
	}

	l1, okL1 := tp("W1-NORMAL", idLite)
	var rawBulk float64
	okBulk := false
	if x := r.find("W6", idRaw, 1); x != nil && x.Ops > 0 {
		rawBulk, okBulk = x.RowsPerSec, true
	}
	ratio("W1 64 callers NORMAL: liteactor vs raw one-transaction bulk rate (W6 raw)", "liteactor W1", "raw W6 bulk",
		l1, rawBulk, okL1, okBulk, 0.5)
	d1, okD1 := tp("W1-NORMAL", idTwoPool)
	ratio("W1 64 callers NORMAL: liteactor vs (d) two-pool", "liteactor", "(d)", l1, d1, okL1, okD1, 5)
	lf, okLF := tp("W1-FULL", idLite)
	df, okDF := tp("W1-FULL", idTwoPool)
	ratio("W1 64 callers FULL: liteactor vs (d) two-pool", "liteactor", "(d)", lf, df, okLF, okDF, 20)
	l3, okL3 := tp("W3", idLite)
	r3, okR3 := tp("W3", idRaw)
	d3, okD3 := tp("W3", idTwoPool)
	ratio("W3 64 callers: liteactor (2 readers) vs raw (2 goroutine-owned connections)", "liteactor", "raw", l3, r3, okL3, okR3, 1)
	ratio("W3 64 callers: liteactor (2 readers) vs (d) two-pool (2 readers)", "liteactor", "(d)", l3, d3, okL3, okD3, 1.5)

	w4 := r.find("W4", idLite, goalCallers)
	if w4 == nil {
		out = append(out, Outcome{Goal: "W4: SQLITE_BUSY errors for liteactor", Want: "== 0",
			Status: StatusNA, Measured: "liteactor W4 not measured in this run"})
	} else {
		out = append(out, Outcome{Goal: "W4: SQLITE_BUSY errors for liteactor", Want: "== 0",
			Value: float64(w4.Busy), Measured: fmt.Sprintf("%d busy, %d errors in all", w4.Busy, total(w4.Errors)),
			Status: status(w4.Busy == 0)})
	}
	c4, okC4 := tp("W4", idDefault)
	var l4 float64
	if w4 != nil {
		l4 = w4.Throughput
	}
	ratio("W4: liteactor vs (c) default pool", "liteactor", "(c)", l4, c4, w4 != nil, okC4, 3)
	if w4 == nil {
		out = append(out, Outcome{Goal: "W4: liteactor writes' share of completed operations", Want: "8% .. 12%",
			Status: StatusNA, Measured: "liteactor W4 not measured in this run"})
	} else {
		out = append(out, Outcome{Goal: "W4: liteactor writes' share of completed operations", Want: "8% .. 12%",
			Value: w4.WriteShare, Measured: fmt.Sprintf("%.1f%% of %d ops (writes %s/s)", 100*w4.WriteShare, w4.Ops,
				human(w4.ByType["write"].Throughput)),
			Status: status(w4.WriteShare >= 0.08 && w4.WriteShare <= 0.12)})
	}

	allocs := func(goal, name string, limit int64) {
		o := Outcome{Goal: goal, Want: fmt.Sprintf("<= %d allocs/op", limit)}
		for _, h := range r.Hotpath {
			if h.Name == name {
				o.Value = float64(h.AllocsPerOp)
				o.Measured = fmt.Sprintf("%s: %d allocs/op, %d B/op, %.0f ns/op", h.Name, h.AllocsPerOp, h.BytesPerOp, h.NsPerOp)
				o.Status = status(h.AllocsPerOp <= limit)
				out = append(out, o)
				return
			}
		}
		o.Status, o.Measured = StatusNA, "hot-path benchmark "+name+" not run"
		out = append(out, o)
	}
	allocs("Allocations: Exec with 2 arguments", "Exec2Args", 8)
	allocs("Allocations: point Query", "QueryPoint", 12)
	return out
}

func status(ok bool) string {
	if ok {
		return StatusMet
	}
	return StatusMissed
}

func missing(a string, aok bool, b string, bok bool) []string {
	var m []string
	if !aok {
		m = append(m, a)
	}
	if !bok {
		m = append(m, b)
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
