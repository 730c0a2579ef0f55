package sqldb_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/liteactor/liteactor"
	"github.com/ncruces/go-sqlite3"

	"github.com/liteactor/liteactor/sqldb"
)

// seed fills kv with n rows through one multi-row insert.
func seed(t *testing.T, f fixture, n int) {
	t.Helper()
	f.must(t, `CREATE TABLE kv (id INTEGER PRIMARY KEY, v TEXT)`)
	f.must(t, `INSERT INTO kv (v) WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM r WHERE i < ?) SELECT 'v' || i FROM r`, n)
}

// TestQueryStreams: a large result is read in chunks on one reader, held
// until Close, and sees one snapshot even while writes commit; a small one
// gives its reader back before QueryContext returns.
func TestQueryStreams(t *testing.T) {
	f := open(t, nil)
	const n = 5000
	seed(t, f, n)
	ctx := context.Background()
	rows, err := f.db.QueryContext(ctx, `SELECT id, v FROM kv ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	if busy := f.eng.Stats().ReadersBusy; busy != 1 {
		t.Fatalf("ReadersBusy = %d while streaming, want 1", busy)
	}
	// A write committed mid-stream is not seen by it (one snapshot).
	f.must(t, `INSERT INTO kv (v) VALUES ('late')`)
	seen := 0
	for rows.Next() {
		var id int64
		var v string
		if err := rows.Scan(&id, &v); err != nil {
			t.Fatal(err)
		}
		seen++
		if id != int64(seen) {
			t.Fatalf("row %d has id %d", seen, id)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	rows.Close()
	if seen != n {
		t.Fatalf("streamed %d rows, want %d (the snapshot)", seen, n)
	}
	waitReadersIdle(t, f.eng)

	// Closing early gives the reader back.
	rows, err = f.db.QueryContext(ctx, `SELECT id FROM kv`)
	if err != nil {
		t.Fatal(err)
	}
	rows.Next()
	rows.Close()
	waitReadersIdle(t, f.eng)

	// A point query holds no reader once answered.
	var v string
	if err := f.db.QueryRowContext(ctx, `SELECT v FROM kv WHERE id = ?`, 7).Scan(&v); err != nil || v != "v7" {
		t.Fatalf("point query = %q, %v", v, err)
	}
	waitReadersIdle(t, f.eng)
}

// TestQueryWritesGoToWriter: INSERT ... RETURNING through QueryRowContext
// runs on the writer (the readers are query_only); a failing one rolls
// back alone; a read-only statement never reaches the writer.
func TestQueryWritesGoToWriter(t *testing.T) {
	f := open(t, nil)
	ctx := context.Background()
	f.must(t, `CREATE TABLE r (id INTEGER PRIMARY KEY, v TEXT UNIQUE, at DATETIME DEFAULT CURRENT_TIMESTAMP)`)
	for i, want := range []int64{1, 2} {
		var id int64
		var v string
		if err := f.db.QueryRowContext(ctx, `INSERT INTO r (v) VALUES (?) RETURNING id, v`, []string{"a", "b"}[i]).Scan(&id, &v); err != nil || id != want {
			t.Fatalf("returning = %d %q, %v", id, v, err)
		}
	}
	err := f.db.QueryRowContext(ctx, `INSERT INTO r (v) VALUES ('a') RETURNING id`).Scan(new(int64))
	if !errors.Is(err, sqlite3.CONSTRAINT) {
		t.Fatalf("duplicate returning: %v", err)
	}
	// A CTE that writes is found by SQLite, not by its first keyword.
	rows, err := f.db.QueryContext(ctx, `WITH x AS (SELECT 'c' AS v) INSERT INTO r (v) SELECT v FROM x RETURNING id`)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for rows.Next() {
		n++
	}
	rows.Close()
	if n != 1 || f.int(t, `SELECT count(*) FROM r`) != 3 {
		t.Fatalf("CTE insert returned %d rows; table has %d", n, f.int(t, `SELECT count(*) FROM r`))
	}
	// Reads never take the writer: with it held, a query still answers.
	release := holdWriter(t, f)
	if got := f.int(t, `SELECT count(*) FROM r`); got != 3 {
		t.Fatalf("count = %d", got)
	}
	release()
}

// TestCancelQuery: a ctx that ends interrupts a running query, and the
// reader is given back.
func TestCancelQuery(t *testing.T) {
	f := open(t, nil)
	ctx := f.cancelOnSignal()
	rows, err := f.db.QueryContext(ctx, `WITH RECURSIVE r(i) AS (SELECT signal() UNION ALL SELECT i+1 FROM r) SELECT max(i) FROM r`)
	if err == nil {
		rows.Close()
	}
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	waitReadersIdle(t, f.eng)
}

// TestRowsNeverClosed: rows that are never closed hold their reader only
// until the read limit; the next read then gets it, and the abandoned rows
// report ErrRowsExpired.
func TestRowsNeverClosed(t *testing.T) {
	f := open(t, func(c *liteactor.Config) { c.Readers = 1 }, sqldb.WithReadLimit(50*time.Millisecond))
	seed(t, f, 1000)
	ctx := context.Background()
	leaked, err := f.db.QueryContext(ctx, `SELECT id FROM kv`)
	if err != nil {
		t.Fatal(err)
	}
	// The only reader is leased: this read waits for the limit to free it.
	if got := f.int(t, `SELECT count(*) FROM kv`); got != 1000 {
		t.Fatalf("count = %d", got)
	}
	n := 0
	for leaked.Next() {
		n++
	}
	if !errors.Is(leaked.Err(), sqldb.ErrRowsExpired) {
		t.Fatalf("abandoned rows: %d rows then %v, want ErrRowsExpired", n, leaked.Err())
	}
	leaked.Close()
}
