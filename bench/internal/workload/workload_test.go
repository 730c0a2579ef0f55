package workload

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/liteactor/liteactor/bench/internal/target"
)

func TestSelect(t *testing.T) {
	specs := Specs([]int{1, 64}, 1000)
	for list, want := range map[string][]string{
		"W1":           {"W1-NORMAL", "W1-FULL", "W1-G64-NORMAL", "W1-G64-FULL"},
		"W1,W1-NORMAL": {"W1-NORMAL", "W1-FULL", "W1-G64-NORMAL", "W1-G64-FULL"},
		"w1-full, W6":  {"W1-FULL", "W6"},
		"W1-G64":       {"W1-G64-NORMAL", "W1-G64-FULL"},
		"W7":           {"W7-BARRIER", "W7-WALOFF"},
		"W4,w7-walOff": {"W4", "W7-WALOFF"},
		"W2,W3,W4,W5":  {"W2", "W3", "W4", "W5"},
		"W1-NORMAL,W3": {"W1-NORMAL", "W3"},
	} {
		got, err := Select(specs, list)
		if err != nil {
			t.Fatalf("%q: %v", list, err)
		}
		var ids []string
		for _, s := range got {
			ids = append(ids, s.ID)
		}
		if len(ids) != len(want) {
			t.Fatalf("%q selected %v, want %v", list, ids, want)
		}
		for i := range ids {
			if ids[i] != want[i] {
				t.Fatalf("%q selected %v, want %v", list, ids, want)
			}
		}
	}
	for _, bad := range []string{"W8", "W1-G", "W1,W7-X"} {
		if _, err := Select(specs, bad); err == nil {
			t.Fatalf("Select accepted %q", bad)
		}
	}
}

// TestRunsOn: the baselines of issue 18 run only on the target that has
// what they measure; every other workload runs everywhere.
func TestRunsOn(t *testing.T) {
	for _, s := range Specs([]int{64}, 1000) {
		for _, id := range []string{"liteactor", "raw", "sql-default"} {
			want := true
			switch {
			case strings.HasPrefix(s.ID, "W1-G64"):
				want = id == "raw"
			case strings.HasPrefix(s.ID, "W7"):
				want = id == "liteactor"
			}
			if got := s.RunsOn(id); got != want {
				t.Errorf("%s.RunsOn(%s) = %v, want %v", s.ID, id, got, want)
			}
		}
	}
}

// TestOpOf: W7's callers get their roles in order, the rest the spec's op.
func TestOpOf(t *testing.T) {
	s := spec(t, "W7-WALOFF")
	var got []string
	for i := range 64 {
		got = append(got, fmt.Sprintf("%p", s.opOf(i)))
	}
	report, get, fill := fmt.Sprintf("%p", opReport), fmt.Sprintf("%p", opGet), fmt.Sprintf("%p", opFill)
	for i, p := range got {
		want := fill
		switch {
		case i < W7Reporters:
			want = report
		case i < W7Reporters+W7PointReaders:
			want = get
		}
		if p != want {
			t.Fatalf("caller %d runs %s, want %s (report %s, get %s, fill %s)", i, p, want, report, get, fill)
		}
	}
	if w1 := spec(t, "W1-NORMAL"); fmt.Sprintf("%p", w1.opOf(0)) != fmt.Sprintf("%p", opInsert) {
		t.Fatal("W1's caller 0 does not insert")
	}
}

// TestRunGroup runs the raw group-commit baseline: each operation is one
// transaction of GroupRows rows, and the rows are really in the table.
func TestRunGroup(t *testing.T) {
	cfg := Config{Duration: 50 * time.Millisecond, Dir: t.TempDir()}
	r := Run(context.Background(), spec(t, "W1-G64-FULL"), kind(t, "raw"), 1, cfg)
	if r.Failed != "" || len(r.Errors) != 0 || r.Ops <= 0 {
		t.Fatalf("%+v", r)
	}
	if r.Rows != GroupRows*r.Ops || r.RowsPerSec < GroupRows*r.Throughput*0.999 || r.Sync != "FULL" {
		t.Fatalf("ops %d rows %d rows/s %f txn/s %f sync %s", r.Ops, r.Rows, r.RowsPerSec, r.Throughput, r.Sync)
	}
}

// TestRunNeedsOptionalMethods: W1-G64 on a target without InsertGroup,
// and W7's aggregate on one without Report, count errors rather than
// pretending to have done the work.
func TestRunNeedsOptionalMethods(t *testing.T) {
	cfg := Config{Duration: 20 * time.Millisecond, Dir: t.TempDir()}
	r := Run(context.Background(), spec(t, "W1-G64-NORMAL"), kind(t, "sql-default"), 1, cfg)
	if r.Ops != 0 || total(r.Errors) == 0 {
		t.Fatalf("W1-G64: ops %d errors %v", r.Ops, r.Errors)
	}
	r = Run(context.Background(), spec(t, "W7-BARRIER"), kind(t, "raw"), W7Reporters, cfg)
	if r.Ops != 0 || total(r.Errors) == 0 {
		t.Fatalf("W7 reporters: ops %d errors %v", r.Ops, r.Errors)
	}
}

// TestRunBrake runs W7-BARRIER briefly on liteactor: point reads, the
// aggregates (each checking its row count) and the 1 KiB writes all
// complete without errors, and the WAL brake's counters are reported
// (whether the barrier engages in 300 ms is timing, not asserted).
func TestRunBrake(t *testing.T) {
	s := spec(t, "W7-BARRIER")
	if s.TruncateBytes != W7Truncate {
		t.Fatalf("TruncateBytes %d", s.TruncateBytes)
	}
	cfg := Config{Duration: 300 * time.Millisecond, Dir: t.TempDir()}
	r := Run(context.Background(), s, kind(t, "liteactor"), 64, cfg)
	if r.Failed != "" || len(r.Errors) != 0 {
		t.Fatalf("failed %q, errors %v", r.Failed, r.Errors)
	}
	if r.ByType[TypeRead].Ops == 0 || r.ByType[TypeWrite].Ops == 0 || r.ByType[TypeReport].Ops == 0 || r.ByType[TypeRead].Latency.P99 <= 0 {
		t.Fatalf("by type %+v", r.ByType)
	}
	for _, c := range []string{"wal_read_barriers", "wal_barrier_expired", "wal_truncates"} {
		if _, ok := r.Engine[c]; !ok {
			t.Errorf("engine counter %s missing: %v", c, r.Engine)
		}
	}
}

func total(m map[string]int64) int64 {
	var n int64
	for _, v := range m {
		n += v
	}
	return n
}

func spec(t *testing.T, id string) Spec {
	t.Helper()
	for _, s := range Specs([]int{2}, 25_000) {
		if s.ID == id {
			return s
		}
	}
	t.Fatalf("no spec %s", id)
	return Spec{}
}

func kind(t *testing.T, id string) target.Kind {
	t.Helper()
	ks, err := target.Select(id)
	if err != nil {
		t.Fatal(err)
	}
	return ks[0]
}

// TestRunInserts measures a short W1 on the raw target: every figure the
// report uses must be filled, with no errors.
func TestRunInserts(t *testing.T) {
	defer goleak.VerifyNone(t)
	cfg := Config{Duration: 100 * time.Millisecond, Warmup: 10 * time.Millisecond, Dir: t.TempDir()}
	r := Run(context.Background(), spec(t, "W1-NORMAL"), kind(t, "raw"), 2, cfg)
	if r.Failed != "" || len(r.Errors) != 0 {
		t.Fatalf("failed %q, errors %v", r.Failed, r.Errors)
	}
	if r.Ops <= 0 || r.Rows != r.Ops || r.Throughput <= 0 || r.Seconds < 0.1 {
		t.Fatalf("ops %d rows %d throughput %f seconds %f", r.Ops, r.Rows, r.Throughput, r.Seconds)
	}
	if r.Latency.P50 <= 0 || r.Latency.P99 < r.Latency.P50 || r.Latency.Max < r.Latency.P99 {
		t.Fatalf("latency %+v", r.Latency)
	}
	if r.WriteShare != 1 || r.ByType[TypeWrite].Ops != r.Ops {
		t.Fatalf("write share %f, by type %+v", r.WriteShare, r.ByType)
	}
}

// TestRunCountsWrongResults runs W3 against a table smaller than the one W3
// expects: reads of missing rows must be counted as wrong results, not as
// throughput.
func TestRunCountsWrongResults(t *testing.T) {
	s := spec(t, "W3")
	s.Seed = target.SeedSpec{Rows: 10}
	cfg := Config{Duration: 50 * time.Millisecond, Dir: t.TempDir()}
	r := Run(context.Background(), s, kind(t, "raw"), 2, cfg)
	if r.Errors[target.KindWrongResult] == 0 {
		t.Fatalf("no wrong results counted: %+v", r)
	}
	// Only ids 1..10 of 1..100000 exist: nearly every read is wrong, and
	// only the right ones count as operations.
	if wrong := r.Errors[target.KindWrongResult]; r.Ops >= wrong || r.Ops != r.ByType[TypeRead].Ops {
		t.Fatalf("ops %d, wrong %d, by type %+v", r.Ops, wrong, r.ByType)
	}
}

// TestRunBulk runs W6 with 25k rows on the raw target: ops are rows, and
// there is one latency sample per 10k-row chunk.
func TestRunBulk(t *testing.T) {
	r := Run(context.Background(), spec(t, "W6"), kind(t, "raw"), 1, Config{Dir: t.TempDir()})
	if r.Failed != "" || len(r.Errors) != 0 || r.Ops != 25_000 || r.RowsPerSec <= 0 {
		t.Fatalf("%+v", r)
	}
	if r.Latency.Max <= 0 {
		t.Fatalf("no chunk latency: %+v", r.Latency)
	}
}

// TestRunReportsSetupFailure: a target that cannot open is reported, not
// fatal.
func TestRunReportsSetupFailure(t *testing.T) {
	k := kind(t, "raw")
	s := spec(t, "W1-NORMAL")
	s.Sync = "BOGUS"
	r := Run(context.Background(), s, k, 1, Config{Duration: time.Millisecond, Dir: t.TempDir()})
	if r.Failed == "" {
		t.Fatalf("bad synchronous mode not reported: %+v", r)
	}
}

func TestMedian(t *testing.T) {
	rs := []Result{{Target: "a", Throughput: 30, Busy: 1}, {Target: "b", Throughput: 10, Failed: "x"}, {Target: "c", Throughput: 20, Busy: 2}}
	m := Median(rs)
	if m.Target != "c" || len(m.Rounds) != 3 || m.Rounds[0] != 30 || m.Rounds[1] != 10 || m.Rounds[2] != 20 {
		t.Fatalf("Median = %+v", m)
	}
	if len(m.RoundsBusy) != 3 || m.RoundsBusy[0] != 1 || m.RoundsBusy[1] != 0 || m.RoundsBusy[2] != 2 || m.Busy != 2 {
		t.Fatalf("Median busy rounds = %v", m.RoundsBusy)
	}
	if one := Median(rs[:1]); one.Target != "a" || one.Rounds != nil || one.RoundsBusy != nil {
		t.Fatalf("Median of one = %+v", one)
	}
}

// TestPlan: one group per workload and caller count with the targets that
// run it; a baseline joins its parent's 64-caller group when both are
// selected, and stands alone otherwise.
func TestPlan(t *testing.T) {
	kinds, err := target.Select("liteactor,raw,sql-2pool")
	if err != nil {
		t.Fatal(err)
	}
	ids := func(g Group) string {
		var parts []string
		for _, j := range g {
			parts = append(parts, fmt.Sprintf("%s/%d/%s", j.Spec.ID, j.Callers, j.Kind.ID))
		}
		return strings.Join(parts, " ")
	}
	plan := func(list string) []string {
		specs, err := Select(Specs([]int{1, 64}, 1000), list)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, g := range Plan(specs, kinds) {
			out = append(out, ids(g))
		}
		return out
	}
	for list, want := range map[string][]string{
		"W1-FULL,W1-G64-FULL": {
			"W1-FULL/1/liteactor W1-FULL/1/raw W1-FULL/1/sql-2pool",
			"W1-FULL/64/liteactor W1-FULL/64/raw W1-FULL/64/sql-2pool W1-G64-FULL/1/raw",
		},
		"W1-G64": {"W1-G64-NORMAL/1/raw", "W1-G64-FULL/1/raw"},
		"W7":     {"W7-BARRIER/64/liteactor W7-WALOFF/64/liteactor"},
		"W7-WALOFF,W4": {
			"W4/64/liteactor W4/64/raw W4/64/sql-2pool",
			"W7-WALOFF/64/liteactor",
		},
	} {
		got := plan(list)
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("%s:\n got %q\nwant %q", list, got, want)
		}
	}
	// A baseline whose parent does not run at 64 callers stands alone.
	specs, _ := Select(Specs([]int{1, 4}, 1000), "W1-FULL,W1-G64-FULL")
	if got := Plan(specs, kinds); len(got) != 3 || ids(got[2]) != "W1-G64-FULL/1/raw" {
		t.Errorf("parent without 64 callers: %d groups, last %q", len(got), ids(got[len(got)-1]))
	}
}
