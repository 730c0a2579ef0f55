package batch_test

import (
	"context"
	"fmt"

	"github.com/liteactor/liteactor"
	"github.com/liteactor/liteactor/batch"
)

func ExampleBulkInsert() {
	ctx := context.Background()
	eng, err := liteactor.Open(ctx, ":memory:", liteactor.MinimalConfig())
	if err != nil {
		panic(err)
	}
	defer eng.Close(ctx)
	if _, err := eng.Exec(ctx, `CREATE TABLE points (id INTEGER PRIMARY KEY, x REAL, label TEXT)`); err != nil {
		panic(err)
	}
	rows := make([][]any, 20_000) // 60,000 values: two statements
	for i := range rows {
		rows[i] = []any{i + 1, float64(i) / 10, fmt.Sprint("p", i)}
	}
	res, err := batch.BulkInsert(ctx, eng, "points", []string{"id", "x", "label"}, rows, batch.Options{})
	fmt.Printf("%+v %v\n", res, err)

	// Upsert: existing ids get the new label.
	res, err = batch.Upsert(ctx, eng, "points", []string{"id", "label"}, []string{"id"}, [][]any{{1, "first"}, {20_001, "new"}})
	fmt.Printf("%+v %v\n", res, err)
	// Output:
	// {Rows:20000 Changed:20000 Commits:1} <nil>
	// {Rows:2 Changed:2 Commits:1} <nil>
}

func ExampleRows() {
	ctx := context.Background()
	eng, err := liteactor.Open(ctx, ":memory:", liteactor.MinimalConfig())
	if err != nil {
		panic(err)
	}
	defer eng.Close(ctx)
	if _, err := eng.Exec(ctx, `CREATE TABLE events (id INTEGER PRIMARY KEY, kind TEXT);
		WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10000)
		INSERT INTO events SELECT i, CASE i % 3 WHEN 0 THEN 'error' ELSE 'info' END FROM n`); err != nil {
		panic(err)
	}
	// Every error event, 500 per read transaction, in id order.
	q := batch.Keyset{Table: "events", Columns: []string{"id"}, Key: []string{"id"}, Where: "kind = ?", Args: []any{"error"}, PageSize: 500}
	n, last := 0, int64(0)
	for row, err := range batch.Rows(ctx, eng, q) {
		if err != nil {
			panic(err)
		}
		n, last = n+1, row[0].(int64)
	}
	fmt.Println(n, last)
	// Output: 3333 9999
}
