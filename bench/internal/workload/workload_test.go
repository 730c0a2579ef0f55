package workload

import (
	"context"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/liteactor/liteactor/bench/internal/target"
)

func TestSelect(t *testing.T) {
	specs := Specs([]int{1, 64}, 1000)
	for list, want := range map[string][]string{
		"W1":           {"W1-NORMAL", "W1-FULL"},
		"w1-full, W6":  {"W1-FULL", "W6"},
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
	if _, err := Select(specs, "W7"); err == nil {
		t.Fatal("Select accepted W7")
	}
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
	rs := []Result{{Target: "a", Throughput: 30}, {Target: "b", Throughput: 10, Failed: "x"}, {Target: "c", Throughput: 20}}
	m := Median(rs)
	if m.Target != "c" || len(m.Rounds) != 3 || m.Rounds[0] != 30 || m.Rounds[1] != 10 || m.Rounds[2] != 20 {
		t.Fatalf("Median = %+v", m)
	}
	if one := Median(rs[:1]); one.Target != "a" || one.Rounds != nil {
		t.Fatalf("Median of one = %+v", one)
	}
}
