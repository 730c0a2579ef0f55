package report

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/liteactor/liteactor/bench/internal/workload"
)

func point(w, tg string, callers int, tp float64) workload.Result {
	return workload.Result{Workload: w, Target: tg, TargetLabel: tg, Callers: callers, Throughput: tp, RowsPerSec: tp,
		Ops: int64(tp), Seconds: 1, Unit: "ops/s",
		Latency: workload.Percentiles{P50: 10, P90: 20, P99: 40, Max: 80}}
}

func sampleRun() *Run {
	specs := workload.Specs([]int{1, 64}, 1000)
	r := &Run{Meta: Meta{Date: "2026-01-01T00:00:00Z", Command: "go run ./bench"}, Specs: specs}
	for _, id := range []string{idLite, idRaw, idDefault, idTwoPool} {
		r.Targets = append(r.Targets, TargetInfo{ID: id, Label: id})
	}
	w4 := point("W4", idLite, 64, 300_000)
	w4.WriteShare, w4.Busy = 0.10, 0
	w4.ByType = map[string]workload.TypeStats{"write": {Ops: 30_000, Throughput: 30_000}}
	r.Results = []workload.Result{
		point("W1-NORMAL", idLite, 64, 600_000), point("W1-NORMAL", idTwoPool, 64, 100_000),
		point("W1-NORMAL", idLite, 1, 50_000), point("W1-NORMAL", idTwoPool, 1, 40_000),
		point("W6", idRaw, 1, 1_000_000),
		point("W1-FULL", idLite, 64, 150_000), point("W1-FULL", idTwoPool, 64, 10_000),
		point("W3", idLite, 64, 200_000), point("W3", idRaw, 64, 250_000), point("W3", idTwoPool, 64, 100_000),
		w4, point("W4", idDefault, 64, 120_000),
	}
	r.Hotpath = []Hotpath{{Name: "Exec2Args", N: 10, AllocsPerOp: 6}, {Name: "QueryPoint", N: 10, AllocsPerOp: 13}}
	return r
}

func TestGoals(t *testing.T) {
	got := map[string]Outcome{}
	for _, o := range Goals(sampleRun()) {
		got[o.Goal] = o
	}
	for goal, want := range map[string]struct {
		value  float64
		status string
	}{
		"W1 64 callers NORMAL: liteactor vs raw one-transaction bulk rate (W6 raw)":   {0.6, StatusMet},
		"W1 64 callers NORMAL: liteactor vs (d) two-pool":                             {6, StatusMet},
		"W1 64 callers FULL: liteactor vs (d) two-pool":                               {15, StatusMissed},
		"W3 64 callers: liteactor (2 readers) vs raw (2 goroutine-owned connections)": {0.8, StatusMissed},
		"W3 64 callers: liteactor (2 readers) vs (d) two-pool (2 readers)":            {2, StatusMet},
		"W4: SQLITE_BUSY errors for liteactor":                                        {0, StatusMet},
		"W4: liteactor vs (c) default pool":                                           {2.5, StatusMissed},
		"W4: liteactor writes' share of completed operations":                         {0.1, StatusMet},
		"Allocations: Exec with 2 arguments":                                          {6, StatusMet},
		"Allocations: point Query":                                                    {13, StatusMissed},
	} {
		o, ok := got[goal]
		if !ok {
			t.Errorf("goal %q missing", goal)
			continue
		}
		if o.Status != want.status || o.Value < want.value*0.999 || o.Value > want.value*1.001 {
			t.Errorf("%s: got %.3f %s, want %.3f %s", goal, o.Value, o.Status, want.value, want.status)
		}
	}
	if len(got) != 10 {
		t.Errorf("%d goals, want 10", len(got))
	}
}

func TestGoalsNotMeasured(t *testing.T) {
	for _, o := range Goals(&Run{}) {
		if o.Status != StatusNA || o.Measured == "" {
			t.Errorf("%s: status %s (%q) with nothing measured", o.Goal, o.Status, o.Measured)
		}
	}
}

// TestWrite renders a whole report: JSON, markdown with the goals table and
// every workload, and the charts.
func TestWrite(t *testing.T) {
	dir := t.TempDir()
	md, err := sampleRun().Write(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"## Goals of issue 3", "| W1 64 callers FULL: liteactor vs (d) two-pool |", "## W4:", "MISSED", "![throughput-W1-NORMAL.png]"} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q", want)
		}
	}
	for _, f := range []string{"results.json", "report.md", "throughput-W1-NORMAL.png", "latency-W1-NORMAL.png", "throughput-W4.png", "throughput-W6.png"} {
		st, err := os.Stat(filepath.Join(dir, f))
		if err != nil || st.Size() == 0 {
			t.Errorf("%s: %v", f, err)
		}
	}
}
