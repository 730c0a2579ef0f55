package observe_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/liteactor/liteactor"
	"github.com/liteactor/liteactor/observe"
	"github.com/ncruces/go-sqlite3"
)

func TestProfilerLiveEngine(t *testing.T) {
	p := observe.NewProfiler(observe.ProfilerOptions{})
	eng := open(t, liteactor.MinimalConfig(), p)
	ctx := context.Background()
	mustExec(t, eng, "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
	for i := range 10 {
		// Literal and parameter variants of one statement.
		if i%2 == 0 {
			mustExec(t, eng, "INSERT INTO t VALUES (?, ?)", i, "x")
		} else {
			mustExec(t, eng, fmt.Sprintf("INSERT INTO t  VALUES (%d, 'lit %d')", i, i))
		}
	}
	if _, err := eng.Exec(ctx, "INSERT INTO t VALUES (1, 'dup')"); err == nil {
		t.Fatal("duplicate insert succeeded")
	}
	for _, ids := range []string{"1", "1, 2", "1, 2, 3, 4"} {
		if _, err := eng.Query(ctx, "SELECT * FROM t WHERE id IN ("+ids+")"); err != nil {
			t.Fatal(err)
		}
	}

	top := p.Top(0, observe.ByCalls)
	if len(top) != 3 {
		t.Fatalf("%d statements, want 3: %+v", len(top), top)
	}
	ins := top[0]
	if ins.Query != "INSERT INTO t VALUES (?, ?)" || ins.Calls != 11 || ins.Errors != 1 || ins.Rows != 10 {
		t.Errorf("insert stats %+v", ins)
	}
	if ins.Total <= 0 || ins.Min > ins.Mean() || ins.Mean() > ins.Max || ins.Max > ins.Total {
		t.Errorf("insert times: min %v mean %v max %v total %v", ins.Min, ins.Mean(), ins.Max, ins.Total)
	}
	sel := top[1]
	if sel.Query != "SELECT * FROM t WHERE id IN (...)" || sel.Calls != 3 || sel.Rows != 1+2+4 || sel.Errors != 0 {
		t.Errorf("select stats %+v", sel)
	}
	if top[2].Query != "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT)" || top[2].Calls != 1 {
		t.Errorf("create stats %+v", top[2])
	}
	if got := p.Top(1, observe.ByRows); len(got) != 1 || got[0].Query != ins.Query {
		t.Errorf("Top(1, ByRows) = %+v", got)
	}
	// Closures have no SQL and are not profiled.
	if err := eng.Read(ctx, func(*sqlite3.Conn) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if n := len(p.Top(0, observe.ByTotal)); n != 3 {
		t.Errorf("%d statements after a Read, want 3", n)
	}
	before := p.Since()
	p.Reset()
	if len(p.Top(0, observe.ByTotal)) != 0 || p.Since().Before(before) {
		t.Error("Reset kept statements")
	}
}

func TestProfilerOrderingAndOverflow(t *testing.T) {
	p := observe.NewProfiler(observe.ProfilerOptions{MaxStatements: 3})
	ctx := context.Background()
	run := func(sql string, d time.Duration, rows int64) {
		p.After(ctx, &liteactor.Op{Kind: liteactor.OpQuery, SQL: sql}, &liteactor.Outcome{Started: time.Now(), Executing: d, Rows: rows})
	}
	run("SELECT a FROM t WHERE id = 1", 10*time.Millisecond, 1) // a: 1 call, total 10ms
	run("SELECT b FROM t", time.Millisecond, 100)               // b: 3 calls, total 3ms, 300 rows
	run("SELECT b FROM t", time.Millisecond, 100)
	run("SELECT b FROM t", time.Millisecond, 100)
	run("SELECT c FROM t", 4*time.Millisecond, 0) // c: 2 calls, total 9ms, max 5ms
	run("SELECT c FROM t", 5*time.Millisecond, 0)
	run("SELECT d FROM t", time.Second, 0) // no room: counted under <other>
	run("SELECT e FROM t", time.Second, 0)
	// Operations that never ran are not counted.
	p.After(ctx, &liteactor.Op{Kind: liteactor.OpQuery, SQL: "SELECT a FROM t WHERE id = 2"}, &liteactor.Outcome{Err: liteactor.ErrReadTimeout})

	names := func(ss []observe.StatementStats) string {
		s := ""
		for _, x := range ss {
			s += x.Query[:min(len(x.Query), 8)] + "|"
		}
		return s
	}
	for _, tt := range []struct {
		by   observe.SortBy
		want string
	}{
		{observe.ByTotal, "<other>|SELECT a|SELECT c|SELECT b|"},
		{observe.ByCalls, "SELECT b|<other>|SELECT c|SELECT a|"},
		{observe.ByMean, "<other>|SELECT a|SELECT c|SELECT b|"},
		{observe.ByRows, "SELECT b|SELECT a|<other>|SELECT c|"},
	} {
		if got := names(p.Top(0, tt.by)); got != tt.want {
			t.Errorf("order by %d: %s, want %s", tt.by, got, tt.want)
		}
	}
	if got := names(p.Top(2, observe.ByMax)); got != "<other>|SELECT a|" {
		t.Errorf("Top(2, ByMax) = %s", got)
	}
	other := p.Top(1, observe.ByTotal)[0]
	if other.Query != observe.OtherStatements || other.Calls != 2 || other.Total != 2*time.Second {
		t.Errorf("overflow entry %+v", other)
	}
	if a := p.Top(0, observe.ByMean)[1]; a.Calls != 1 || a.Min != 10*time.Millisecond {
		t.Errorf("a stats %+v (the request that never ran must not count)", a)
	}
}
