package liteactor_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/liteactor/liteactor"
)

// printer prints every operation's outcome.
type printer struct{}

func (printer) Before(ctx context.Context, _ *liteactor.Op) (context.Context, error) { return ctx, nil }

func (printer) After(_ context.Context, op *liteactor.Op, out *liteactor.Outcome) {
	what := fmt.Sprintf("%q", op.SQL)
	if op.SQL == "" {
		what = op.Detail
	}
	fmt.Printf("%s %s args=%d rows=%d err=%v\n", op.Kind, what, len(op.Args), out.Rows, out.Err)
}

// readOnly vetoes every write while on.
type readOnly struct{ on bool }

var errReadOnly = errors.New("database is in read-only mode")

func (r *readOnly) Before(ctx context.Context, op *liteactor.Op) (context.Context, error) {
	switch op.Kind {
	case liteactor.OpExec, liteactor.OpWrite, liteactor.OpExclusive:
		if r.on {
			return ctx, errReadOnly
		}
	}
	return ctx, nil
}

func (r *readOnly) After(context.Context, *liteactor.Op, *liteactor.Outcome) {}

func ExampleObserver() {
	ctx := context.Background()
	guard := &readOnly{}
	cfg := liteactor.MinimalConfig()
	cfg.Observers = []liteactor.Observer{printer{}, guard} // printer sees what guard vetoes
	eng, err := liteactor.Open(ctx, ":memory:", cfg)
	if err != nil {
		panic(err)
	}

	eng.Exec(ctx, "CREATE TABLE t (v INTEGER)")
	eng.Exec(ctx, "INSERT INTO t VALUES (?)", 1)
	guard.on = true
	_, err = eng.Exec(ctx, "INSERT INTO t VALUES (?)", 2)
	fmt.Println(errors.Is(err, liteactor.ErrVetoed), errors.Is(err, errReadOnly))
	eng.Query(ctx, "SELECT v FROM t")
	eng.Close(ctx) // its final checkpoint is observed too
	// Output:
	// exec "CREATE TABLE t (v INTEGER)" args=0 rows=0 err=<nil>
	// exec "INSERT INTO t VALUES (?)" args=1 rows=1 err=<nil>
	// exec "INSERT INTO t VALUES (?)" args=1 rows=0 err=liteactor: vetoed by observer: exec: database is in read-only mode
	// true true
	// query "SELECT v FROM t" args=0 rows=1 err=<nil>
	// checkpoint TRUNCATE args=0 rows=0 err=<nil>
}

func ExampleEngine_Observe() {
	ctx := context.Background()
	cfg := liteactor.MinimalConfig()
	cfg.Observers = []liteactor.Observer{printer{}}
	eng, err := liteactor.Open(ctx, ":memory:", cfg)
	if err != nil {
		panic(err)
	}

	// A package on top of the engine reports its own operation; the engine
	// calls it makes with ctx are observed too, nested inside it.
	err = eng.Observe(ctx, &liteactor.Op{Kind: liteactor.OpKind("migrate"), Detail: "1.0.0"}, func(ctx context.Context, out *liteactor.Outcome) error {
		_, err := eng.Exec(ctx, "CREATE TABLE users (id INTEGER PRIMARY KEY)")
		return err
	})
	fmt.Println(err)
	eng.Close(ctx)
	// Output:
	// exec "CREATE TABLE users (id INTEGER PRIMARY KEY)" args=0 rows=0 err=<nil>
	// migrate 1.0.0 args=0 rows=0 err=<nil>
	// <nil>
	// checkpoint TRUNCATE args=0 rows=0 err=<nil>
}
