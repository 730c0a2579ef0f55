package migrate

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/liteactor/liteactor"
)

// squashedDir is a migrations directory after squashing: the 1.x line
// (baseline 1.0.0 and its incrementals up to 1.2.0) is still listed, and
// 2.0.0_baseline.sql holds the schema of 1.2.0 rebuilt from scratch.
var squashedDir = fstest.MapFS{
	"1.0.0_baseline.sql": {Data: []byte("CREATE TABLE users(id INTEGER PRIMARY KEY);")},
	"1.1.0_add_a.sql":    {Data: []byte("CREATE TABLE a(x);")},
	"1.2.0_add_b.sql":    {Data: []byte("CREATE TABLE b(x);")},
	"2.0.0_baseline.sql": {Data: []byte("CREATE TABLE users(id INTEGER PRIMARY KEY); CREATE TABLE a(x); CREATE TABLE b(x);")},
	"2.1.0_add_c.sql":    {Data: []byte("CREATE TABLE c(x);")},
}

func loadSquashed(t *testing.T) []Migration {
	t.Helper()
	ms, err := LoadFS(squashedDir, ".")
	if err != nil {
		t.Fatal(err)
	}
	return ms
}

func TestUpFreshDatabaseWithSquashedHistory(t *testing.T) {
	ms := loadSquashed(t)
	if err := CheckChain(ms); err != nil {
		t.Fatalf("CheckChain refused squashed history: %v", err)
	}
	eng := openEngine(t, "")
	rep, err := Up(ctx, eng, ms)
	if err != nil {
		t.Fatal(err)
	}
	if appliedVersions(rep.Applied) != "b2.0.0 i2.1.0" || rep.After != "2.1.0" {
		t.Fatalf("report = %+v", rep)
	}
	if tableCount(t, eng, "c") != 1 || tableCount(t, eng, "b") != 1 {
		t.Fatal("schema not built")
	}
	un, err := Unreachable(ms)
	if err != nil || strings.Join(un, " ") != "1.0.0 1.1.0 1.2.0" {
		t.Fatalf("Unreachable = %v, %v", un, err)
	}
}

func TestUpOldLineThatJoinsTheNewOneContinues(t *testing.T) {
	ms := []Migration{
		// An ancient line that no longer leads anywhere.
		Baseline("0.1.0", "CREATE TABLE ancient(x);"),
		Incremental("0.2.0", "0.1.0", "CREATE TABLE ancient2(x);"),
		// The old line, which joins the new one at 2.0.0.
		Baseline("1.0.0", "CREATE TABLE users(id INTEGER PRIMARY KEY);"),
		Incremental("1.1.0", "1.0.0", "CREATE TABLE a(x);"),
		Incremental("2.0.0", "1.1.0", "CREATE TABLE b(x);"),
		// The new line.
		Baseline("2.0.0", "CREATE TABLE users(id INTEGER PRIMARY KEY); CREATE TABLE a(x); CREATE TABLE b(x);"),
		Incremental("2.1.0", "2.0.0", "CREATE TABLE c(x);"),
	}
	eng := openEngine(t, "")
	if _, err := Up(ctx, eng, ms[2:4]); err != nil {
		t.Fatal(err)
	}
	rep, err := Up(ctx, eng, ms)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Before != "1.1.0" || appliedVersions(rep.Applied) != "i2.0.0 i2.1.0" {
		t.Fatalf("report = %+v", rep)
	}
	fresh := openEngine(t, "")
	if rep, err := Up(ctx, fresh, ms); err != nil || appliedVersions(rep.Applied) != "b2.0.0 i2.1.0" {
		t.Fatalf("fresh = %+v, %v", rep, err)
	}
	if tableCount(t, fresh, "ancient") != 0 {
		t.Fatal("an old line ran on a fresh database")
	}
	un, err := Unreachable(ms)
	if err != nil || strings.Join(un, " ") != "0.1.0 0.2.0" {
		t.Fatalf("Unreachable = %v, %v", un, err)
	}
}

func TestUpOldLineThatCannotReachIsToldAtItsOwnUp(t *testing.T) {
	ms := loadSquashed(t)
	old := ms[:3] // 1.0.0 baseline, 1.1.0, 1.2.0
	for _, at := range []int{3, 2} {
		eng := openEngine(t, "")
		if _, err := Up(ctx, eng, old[:at]); err != nil {
			t.Fatal(err)
		}
		before := old[at-1].Version()
		rep, err := Up(ctx, eng, ms)
		wantErr(t, err, ErrNoPath, "database is at "+before, "older line", "ends at 1.2.0", "cannot reach 2.1.0", "baseline 2.0.0")
		if len(rep.Applied) != 0 || rep.After != before {
			t.Fatalf("at %s: report = %+v; nothing may be applied", before, rep)
		}
		if v, _ := Current(ctx, eng); v != before {
			t.Fatalf("Current = %s, want %s", v, before)
		}
		if at == 2 && tableCount(t, eng, "b") != 0 {
			t.Fatal("the stranded line was followed to its dead end")
		}
		if _, err := Up(ctx, eng, ms, DryRun()); !errors.Is(err, ErrNoPath) {
			t.Fatalf("dry run: %v", err)
		}
	}
}

// opRecorder is an Observer that records every operation's kind, detail,
// rows and error, in the order their After ran.
type opRecorder struct {
	mu  sync.Mutex
	ops []recordedOp
}

type recordedOp struct {
	kind   liteactor.OpKind
	detail string
	rows   int64
	err    error
}

func (r *opRecorder) Before(ctx context.Context, _ *liteactor.Op) (context.Context, error) {
	return ctx, nil
}

func (r *opRecorder) After(_ context.Context, op *liteactor.Op, out *liteactor.Outcome) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ops = append(r.ops, recordedOp{op.Kind, op.Detail, out.Rows, out.Err})
}

func (r *opRecorder) migrations() []recordedOp {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []recordedOp
	for _, o := range r.ops {
		if o.kind == OpMigrate {
			out = append(out, o)
		}
	}
	return out
}

func TestUpAndResetReportToObservers(t *testing.T) {
	rec := &opRecorder{}
	eng := openEngine(t, "", func(c *liteactor.Config) { c.Observers = []liteactor.Observer{rec} })
	if _, err := Up(ctx, eng, fullChain[:5]); err != nil {
		t.Fatal(err)
	}
	got := rec.migrations()
	if len(got) != 2 || got[0].detail != "2.0.0" || got[1].detail != "2.1.0" || got[0].rows != 1 || got[1].rows != 1 || got[0].err != nil {
		t.Fatalf("observed %+v, want 2.0.0 and 2.1.0 applied", got)
	}
	rec.mu.Lock()
	if n := len(rec.ops); n < 3 || rec.ops[0].kind == OpMigrate {
		t.Errorf("ops %+v: the writer's own operation must be observed inside the migration", rec.ops)
	}
	rec.mu.Unlock()

	bad := append(append([]Migration(nil), fullChain[:5]...), Incremental("2.2.0", "2.1.0", "CREATE TABLE nope(x) oops"))
	_, err := Up(ctx, eng, bad)
	var me *MigrationError
	if !errors.As(err, &me) {
		t.Fatalf("err = %v", err)
	}
	got = rec.migrations()
	if last := got[len(got)-1]; last.detail != "2.2.0" || last.rows != 0 || !errors.As(last.err, &me) {
		t.Fatalf("failed migration observed as %+v", last)
	}
	// Up to date: nothing more is reported as a migration.
	n := len(got)
	if _, err := Up(ctx, eng, fullChain[:5]); err != nil || len(rec.migrations()) != n {
		t.Fatalf("up-to-date Up: %v, reported %+v", err, rec.migrations()[n:])
	}
	if _, err := Reset(ctx, eng, fullChain, ConfirmReset()); err != nil {
		t.Fatal(err)
	}
	if last := rec.migrations()[n]; last.detail != "reset" || last.rows != 3 || last.err != nil {
		t.Fatalf("reset observed as %+v", last)
	}
}
