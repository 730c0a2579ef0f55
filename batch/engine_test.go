package batch

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/ncruces/go-sqlite3"
	"go.uber.org/goleak"

	"github.com/liteactor/liteactor"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func openEngine(t testing.TB) *liteactor.Engine { return openEngineLimit(t, 0) }

// openEngineLimit opens an engine whose connections allow only limit bound
// variables per statement (0: SQLite's default, 32766), so that tests cross
// the limit with few rows.
func openEngineLimit(t testing.TB, limit int) *liteactor.Engine {
	t.Helper()
	cfg := liteactor.MinimalConfig()
	if limit > 0 {
		cfg.InitHook = func(c *sqlite3.Conn) error {
			c.Limit(sqlite3.LIMIT_VARIABLE_NUMBER, limit)
			return nil
		}
	}
	eng, err := liteactor.Open(context.Background(), filepath.Join(t.TempDir(), "batch.db"), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := eng.Close(context.Background()); err != nil {
			t.Error(err)
		}
	})
	if _, err := eng.Exec(context.Background(), hostileTable); err != nil {
		t.Fatal(err)
	}
	return eng
}

var cols3 = []string{"id", "select", `a "b" c`}

func makeRows(from, n int) [][]any {
	rows := make([][]any, n)
	for i := range rows {
		id := from + i
		rows[i] = []any{id, fmt.Sprintf("s%d", id), float64(id)}
	}
	return rows
}

func scalar(t testing.TB, eng *liteactor.Engine, sql string) any {
	t.Helper()
	r, err := eng.Query(context.Background(), sql)
	if err != nil {
		t.Fatal(err)
	}
	return r.Values[0][0]
}

func TestBulkInsertBeyondTheVariableLimitIsAtomic(t *testing.T) {
	ctx := context.Background()
	eng := openEngineLimit(t, 999) // the writer's limit, read from its connection
	n := 5_000                     // 15,000 values: 16 statements of at most 333 rows
	res, err := BulkInsert(ctx, eng, "order items", cols3, makeRows(1, n), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res != (Result{Rows: n, Changed: int64(n), Commits: 1}) {
		t.Fatalf("Result = %+v", res)
	}
	if got := scalar(t, eng, `SELECT count(*) || ':' || sum("id") || ':' || sum("a ""b"" c") FROM "order items"`); got != fmt.Sprintf("%d:%d:%d.0", n, n*(n+1)/2, n*(n+1)/2) {
		t.Fatalf("table holds %v", got)
	}
	// A conflict in the last statement rolls back every statement before it.
	rows := makeRows(n+1, n)
	rows[n-1][0] = 1 // duplicate primary key
	_, err = BulkInsert(ctx, eng, "order items", cols3, rows, Options{})
	if !errors.Is(err, sqlite3.CONSTRAINT) {
		t.Fatalf("err = %v, want CONSTRAINT", err)
	}
	if got := scalar(t, eng, `SELECT count(*) FROM "order items"`); got != int64(n) {
		t.Fatalf("after a failed atomic batch the table holds %v rows, want %d", got, n)
	}
}

func TestBulkInsertCommitEveryKeepsEarlierGroups(t *testing.T) {
	ctx := context.Background()
	eng := openEngine(t)
	rows := makeRows(1, 5000)
	rows[2500][1] = "s1" // UNIQUE "select" conflict in the third group
	res, err := BulkInsert(ctx, eng, "order items", cols3, rows, Options{CommitEvery: 1000, MaxRowsPerStatement: 300})
	if !errors.Is(err, sqlite3.CONSTRAINT) {
		t.Fatalf("err = %v, want CONSTRAINT", err)
	}
	if res.Rows != 2000 || res.Commits != 2 || res.Changed != 2000 {
		t.Fatalf("Result = %+v; want the first two groups", res)
	}
	if got := scalar(t, eng, `SELECT count(*) FROM "order items"`); got != int64(res.Rows) {
		t.Fatalf("table holds %v rows, Result says %d", got, res.Rows)
	}
	// Resume after fixing the row.
	rows[2500][1] = "fixed"
	res2, err := BulkInsert(ctx, eng, "order items", cols3, rows[res.Rows:], Options{CommitEvery: 1000})
	if err != nil || res2.Rows != 3000 || res2.Commits != 3 {
		t.Fatalf("resume = %+v, %v", res2, err)
	}
}

func TestBulkInsertChecksShapeBeforeWriting(t *testing.T) {
	ctx := context.Background()
	eng := openEngine(t)
	rows := makeRows(1, 3000)
	rows[2999] = rows[2999][:2]
	if _, err := BulkInsert(ctx, eng, "order items", cols3, rows, Options{CommitEvery: 100}); !errors.Is(err, ErrRowShape) {
		t.Fatalf("err = %v, want ErrRowShape", err)
	}
	if got := scalar(t, eng, `SELECT count(*) FROM "order items"`); got != int64(0) {
		t.Fatalf("%v rows written before the shape error", got)
	}
	if _, err := BulkInsert(ctx, eng, "order items", cols3, makeRows(1, 1), Options{CommitEvery: -1}); !errors.Is(err, ErrInvalidSpec) {
		t.Fatalf("negative CommitEvery: %v", err)
	}
	if res, err := BulkInsert(ctx, eng, "order items", cols3, nil, Options{}); err != nil || res != (Result{}) {
		t.Fatalf("no rows = %+v, %v", res, err)
	}
}

func TestEngineModes(t *testing.T) {
	ctx := context.Background()
	eng := openEngine(t)
	if _, err := Insert(ctx, eng, "order items", cols3, makeRows(1, 3)); err != nil {
		t.Fatal(err)
	}
	if _, err := Insert(ctx, eng, "order items", cols3, makeRows(3, 2)); !errors.Is(err, sqlite3.CONSTRAINT) {
		t.Fatalf("Insert conflict: %v", err)
	}
	if res, err := Ignore(ctx, eng, "order items", cols3, makeRows(3, 2)); err != nil || res.Changed != 1 || res.Rows != 2 {
		t.Fatalf("Ignore = %+v, %v", res, err)
	}
	if res, err := Upsert(ctx, eng, "order items", []string{"id", "when"}, []string{"id"}, [][]any{{1, "u1"}, {9, "u9"}}); err != nil || res.Changed != 2 {
		t.Fatalf("Upsert = %+v, %v", res, err)
	}
	if res, err := Replace(ctx, eng, "order items", []string{"id", "select"}, [][]any{{2, "r2"}}); err != nil || res.Changed != 1 {
		t.Fatalf("Replace = %+v, %v", res, err)
	}
	r, err := eng.Query(ctx, `SELECT "id", "select", "a ""b"" c", "when" FROM "order items" ORDER BY "id"`)
	if err != nil {
		t.Fatal(err)
	}
	want := [][]any{
		{int64(1), "s1", 1.0, "u1"},
		{int64(2), "r2", nil, nil},
		{int64(3), "s3", 3.0, nil},
		{int64(4), "s4", 4.0, nil},
		{int64(9), nil, nil, "u9"},
	}
	if !reflect.DeepEqual(r.Values, want) {
		t.Fatalf("table = %v\nwant %v", r.Values, want)
	}
}

func seqRows(from, n int, bad int) iter.Seq[[]any] {
	return func(yield func([]any) bool) {
		for i := range n {
			row := []any{from + i, fmt.Sprintf("s%d", from+i), float64(i)}
			if i == bad {
				row = row[:1]
			}
			if !yield(row) {
				return
			}
		}
	}
}

func TestBulkInsertSeq(t *testing.T) {
	ctx := context.Background()
	eng := openEngineLimit(t, 999)
	res, err := BulkInsertSeq(ctx, eng, "order items", cols3, seqRows(1, 5_000, -1), Options{})
	if err != nil || res != (Result{Rows: 5_000, Changed: 5_000, Commits: 1}) {
		t.Fatalf("atomic = %+v, %v", res, err)
	}
	res, err = BulkInsertSeq(ctx, eng, "order items", cols3, seqRows(100_001, 10_000, -1), Options{CommitEvery: 3000})
	if err != nil || res != (Result{Rows: 10_000, Changed: 10_000, Commits: 4}) {
		t.Fatalf("chunked = %+v, %v", res, err)
	}
	res, err = BulkInsertSeq(ctx, eng, "order items", cols3, seqRows(200_001, 10_000, 7000), Options{CommitEvery: 3000})
	if !errors.Is(err, ErrRowShape) || res.Rows != 6000 || res.Commits != 2 {
		t.Fatalf("bad row at 7000 = %+v, %v; want 6000 rows committed", res, err)
	}
	res, err = BulkInsertSeq(ctx, eng, "order items", cols3, seqRows(300_001, 10_000, 9999), Options{})
	if !errors.Is(err, ErrRowShape) || res.Rows != 0 {
		t.Fatalf("atomic with bad last row = %+v, %v", res, err)
	}
	if got := scalar(t, eng, `SELECT count(*) FROM "order items"`); got != int64(21_000) {
		t.Fatalf("table holds %v rows, want 21000", got)
	}
}

func TestPagesAndRowsWalkEveryRowOnce(t *testing.T) {
	ctx := context.Background()
	eng := openEngine(t)
	if _, err := BulkInsert(ctx, eng, "order items", cols3, makeRows(1, 10_000), Options{}); err != nil {
		t.Fatal(err)
	}
	q := Keyset{Table: "order items", Columns: []string{"id", `a "b" c`}, Key: []string{"id"}, Where: `"id" % ? = 0`, Args: []any{3}, PageSize: 250}
	pages, rows := 0, 0
	err := Pages(ctx, eng, q, func(p Page) error {
		pages++
		for _, r := range p.Rows {
			rows++
			if r[0] != int64(rows*3) || r[1] != float64(rows*3) {
				return fmt.Errorf("row %d = %v", rows, r)
			}
		}
		return nil
	})
	if err != nil || rows != 3333 || pages != 14 {
		t.Fatalf("Pages: %d pages, %d rows, %v; want 14 pages, 3333 rows", pages, rows, err)
	}
	// Rows over the default rowid key, stopping early.
	seen := 0
	for row, err := range Rows(ctx, eng, Keyset{Table: "order items", Columns: []string{"select"}, PageSize: 100}) {
		if err != nil {
			t.Fatal(err)
		}
		seen++
		if row[0] != fmt.Sprintf("s%d", seen) {
			t.Fatalf("row %d = %v", seen, row)
		}
		if seen == 1234 {
			break
		}
	}
	if seen != 1234 {
		t.Fatalf("stopped after %d rows", seen)
	}
	// Errors reach the loop once.
	errs := 0
	for _, err := range Rows(ctx, eng, Keyset{Table: "missing"}) {
		if err == nil || !errors.Is(err, sqlite3.ERROR) {
			t.Fatalf("err = %v", err)
		}
		errs++
	}
	if errs != 1 {
		t.Fatalf("%d errors yielded", errs)
	}
}

func TestWalkSeesRowsInsertedAheadNotBehind(t *testing.T) {
	ctx := context.Background()
	eng := openEngine(t)
	if _, err := BulkInsert(ctx, eng, "order items", cols3, makeRows(1, 1000), Options{}); err != nil {
		t.Fatal(err)
	}
	var got []int64
	first := true
	err := Pages(ctx, eng, Keyset{Table: "order items", Columns: []string{"id"}, Key: []string{"id"}, PageSize: 100}, func(p Page) error {
		for _, r := range p.Rows {
			got = append(got, r[0].(int64))
		}
		if first { // between pages: one row behind the walk, one ahead, one deleted ahead
			first = false
			_, err := eng.Exec(ctx, `INSERT INTO "order items" ("id") VALUES (0), (5000); DELETE FROM "order items" WHERE "id" = 500`)
			return err
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1000 || got[0] != 1 || got[len(got)-1] != 5000 {
		t.Fatalf("walk returned %d rows from %d to %d; want 1000 rows from 1 to 5000", len(got), got[0], got[len(got)-1])
	}
	for _, id := range got {
		if id == 500 || id == 0 {
			t.Fatalf("walk returned row %d", id)
		}
	}
}

func TestBulkInsertOnClosedEngine(t *testing.T) {
	eng := openEngine(t)
	if err := eng.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := BulkInsert(context.Background(), eng, "order items", cols3, makeRows(1, 10), Options{}); !errors.Is(err, liteactor.ErrClosed) {
		t.Fatalf("err = %v, want ErrClosed", err)
	}
	if err := Pages(context.Background(), eng, Keyset{Table: "order items"}, func(Page) error { return nil }); !errors.Is(err, liteactor.ErrClosed) {
		t.Fatalf("Pages err = %v, want ErrClosed", err)
	}
}
