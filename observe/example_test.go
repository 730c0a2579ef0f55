package observe_test

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/liteactor/liteactor"
	"github.com/liteactor/liteactor/observe"
	"github.com/rs/zerolog"
)

func ExampleNormalize() {
	fmt.Println(observe.Normalize("SELECT * FROM users\n  WHERE id IN (1, 2, 3) AND name = 'ada' -- admins"))
	fmt.Println(observe.Normalize("INSERT INTO t (a, b) VALUES (1, x'00'), (2, x'01')"))
	// Output:
	// SELECT * FROM users WHERE id IN (...) AND name = ?
	// INSERT INTO t(a, b) VALUES (?, ?), ...
}

func ExampleProfiler() {
	ctx := context.Background()
	prof := observe.NewProfiler(observe.ProfilerOptions{})
	cfg := liteactor.MinimalConfig()
	cfg.Observers = []liteactor.Observer{prof}
	eng, err := liteactor.Open(ctx, ":memory:", cfg)
	if err != nil {
		panic(err)
	}
	defer eng.Close(ctx)

	eng.Exec(ctx, "CREATE TABLE kv (k TEXT PRIMARY KEY, v INTEGER)")
	for i := range 5 {
		eng.Exec(ctx, fmt.Sprintf("INSERT INTO kv VALUES ('key%d', %d)", i, i))
	}
	eng.Query(ctx, "SELECT v FROM kv WHERE k = ?", "key1")
	eng.Query(ctx, "SELECT v FROM kv WHERE k = 'key2'")

	for _, s := range prof.Top(3, observe.ByCalls) {
		fmt.Printf("%d calls, %d rows: %s\n", s.Calls, s.Rows, s.Query)
	}
	// Output:
	// 5 calls, 5 rows: INSERT INTO kv VALUES (?, ?)
	// 2 calls, 2 rows: SELECT v FROM kv WHERE k = ?
	// 1 calls, 0 rows: CREATE TABLE kv(k TEXT PRIMARY KEY, v INTEGER)
}

func ExampleMetrics() {
	ctx := context.Background()
	m := observe.NewMetrics(observe.MetricsOptions{})
	cfg := liteactor.MinimalConfig()
	cfg.Observers = []liteactor.Observer{m}
	eng, err := liteactor.Open(ctx, ":memory:", cfg)
	if err != nil {
		panic(err)
	}
	defer eng.Close(ctx)

	eng.Exec(ctx, "CREATE TABLE t (id INTEGER PRIMARY KEY)")
	eng.Exec(ctx, "INSERT INTO t VALUES (1)")
	eng.Exec(ctx, "INSERT INTO t VALUES (1)") // constraint violation
	eng.Query(ctx, "SELECT id FROM t")

	s := m.Snapshot()
	for _, op := range s.Ops {
		fmt.Println(op.Kind, op.Count, op.Outcomes, "ran:", op.Executing.Count)
	}
	// Output:
	// exec 3 map[ok:2 sqlite_constraint:1] ran: 3
	// query 1 map[ok:1] ran: 1
}

func ExampleQueryLogger() {
	log := zerolog.New(os.Stdout)
	ql := observe.NewQueryLogger(log, observe.QueryLogOptions{Slow: 100 * time.Millisecond, MaxSQL: 40})
	op := &liteactor.Op{Kind: liteactor.OpQuery, SQL: "SELECT id, name, email FROM users WHERE created_at > ?", Args: []any{"2024-01-01"}}
	ql.After(context.Background(), op, &liteactor.Outcome{Started: time.Now(), Queued: 20 * time.Microsecond, Executing: 250 * time.Millisecond, BatchSize: 1, Rows: 3})
	// Output:
	// {"level":"warn","component":"query","slow":true,"op":"query","sql":"SELECT id, name, email FROM users WHERE …","args":1,"rows":3,"batch":1,"pos":0,"queued":0.02,"duration":250,"message":"sqlite operation"}
}
