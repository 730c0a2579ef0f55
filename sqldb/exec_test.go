package sqldb_test

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/liteactor/liteactor"
	"github.com/liteactor/liteactor/internal/enginetest"
	"github.com/ncruces/go-sqlite3"
)

// TestExecGroupCommits: ExecContext from many goroutines goes through the
// admission queue and shares transactions: with the writer held while they
// queue, 100 calls commit in far fewer transactions (counted by a commit
// hook installed through Config.InitHook).
func TestExecGroupCommits(t *testing.T) {
	f := open(t, nil)
	f.must(t, `CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)`)
	const n = 100
	release := enginetest.HoldWriter(t, f.eng)
	before := f.commits.Load()
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := f.db.ExecContext(context.Background(), `INSERT INTO t (v) VALUES (?)`, fmt.Sprint(i))
			errs <- err
		}()
	}
	enginetest.WaitFor(t, "every insert queued", func() bool { return f.eng.Stats().QueueDepth == n })
	release()
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	commits := f.commits.Load() - before
	if commits > n/10 {
		t.Fatalf("%d ExecContext calls took %d commits; want far fewer", n, commits)
	}
	if got := f.int(t, `SELECT count(*) FROM t`); got != n {
		t.Fatalf("rows = %d, want %d", got, n)
	}
	t.Logf("%d calls, %d commits (including the held write's)", n, commits)
}

// valuer is a driver.Valuer (database/sql converts it before the driver).
type cents int64

func (c cents) Value() (driver.Value, error) { return int64(c), nil }

// TestValues: every argument kind database/sql can send, named parameters
// in the three SQLite forms, sql.Null*, time.Time in and out by declared
// type, bool, []byte; and the errors a caller tests with errors.Is.
func TestValues(t *testing.T) {
	f := open(t, nil)
	ctx := context.Background()
	f.must(t, `CREATE TABLE v (
		id INTEGER PRIMARY KEY, name TEXT UNIQUE, price INTEGER, ok BOOLEAN, at DATETIME,
		ts TIMESTAMP, day DATE, raw BLOB, note TEXT, ratio REAL)`)
	at := time.Date(2026, 11, 30, 15, 4, 5, 123456789, time.FixedZone("CET", 3600))
	day := time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)
	res, err := f.db.ExecContext(ctx,
		`INSERT INTO v (name, price, ok, at, ts, day, raw, note, ratio) VALUES (:name, @price, $ok, :at, :ts, :day, :raw, :note, :ratio)`,
		sql.Named("name", "apple"), sql.Named("price", cents(150)), sql.Named("ok", true),
		sql.Named("at", at), sql.Named("ts", sql.NullTime{}), sql.Named("day", day),
		sql.Named("raw", []byte{0, 1, 2}), sql.Named("note", sql.NullString{}), sql.Named("ratio", float32(0.5)))
	if err != nil {
		t.Fatal(err)
	}
	if id, _ := res.LastInsertId(); id != 1 {
		t.Fatalf("LastInsertId = %d", id)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		t.Fatalf("RowsAffected = %d", n)
	}
	// Positional, named types, pointers.
	type name string
	note := "pear note"
	f.must(t, `INSERT INTO v (name, price, ok, at, day, note) VALUES (?, ?, ?, CURRENT_TIMESTAMP, '2026-03-04', ?)`,
		name("pear"), uint16(90), false, &note)

	var (
		gotName  string
		price    int64
		ok       bool
		gotAt    time.Time
		ts       sql.NullTime
		gotDay   time.Time
		raw      []byte
		gotNote  sql.NullString
		ratio    sql.NullFloat64
		anyOK    any
		anyPrice any
	)
	err = f.db.QueryRowContext(ctx, `SELECT name, price, ok, at, ts, day, raw, note, ratio, ok, price FROM v WHERE id = :id`, sql.Named("id", 1)).
		Scan(&gotName, &price, &ok, &gotAt, &ts, &gotDay, &raw, &gotNote, &ratio, &anyOK, &anyPrice)
	if err != nil {
		t.Fatal(err)
	}
	if gotName != "apple" || price != 150 || !ok || !gotAt.Equal(at) || ts.Valid || !gotDay.Equal(day) ||
		string(raw) != "\x00\x01\x02" || gotNote.Valid || !ratio.Valid || ratio.Float64 != 0.5 || anyOK != true || anyPrice != int64(150) {
		t.Fatalf("row 1 = %q %d %v %v %v %v %v %v %v %#v %#v", gotName, price, ok, gotAt, ts, gotDay, raw, gotNote, ratio, anyOK, anyPrice)
	}
	// CURRENT_TIMESTAMP and a date string scan into time.Time by declared type.
	var now, d time.Time
	var n2 string
	if err := f.db.QueryRowContext(ctx, `SELECT at, day, note FROM v WHERE name = ?`, "pear").Scan(&now, &d, &n2); err != nil {
		t.Fatal(err)
	}
	if time.Since(now) > time.Hour || time.Since(now) < -time.Hour || !d.Equal(time.Date(2026, 3, 4, 0, 0, 0, 0, time.UTC)) || n2 != note {
		t.Fatalf("row 2 = %v %v %q", now, d, n2)
	}
	// Errors.
	_, err = f.db.ExecContext(ctx, `INSERT INTO v (name) VALUES (?)`, "apple")
	if !errors.Is(err, sqlite3.CONSTRAINT) {
		t.Fatalf("duplicate: %v, want sqlite3.CONSTRAINT", err)
	}
	err = f.db.QueryRowContext(ctx, `SELECT id FROM v WHERE name = ?`, "none").Scan(new(int64))
	if !errors.Is(err, sql.ErrNoRows) {
		t.Fatalf("no row: %v, want sql.ErrNoRows", err)
	}
	_, err = f.db.ExecContext(ctx, `SELECT :a`, sql.Named("b", 1))
	if !errors.Is(err, liteactor.ErrInvalidArg) {
		t.Fatalf("unknown name: %v, want ErrInvalidArg", err)
	}
	_, err = f.db.ExecContext(ctx, `SELECT ?, ?`, 1)
	if !errors.Is(err, liteactor.ErrInvalidArg) {
		t.Fatalf("missing argument: %v, want ErrInvalidArg", err)
	}
	if _, err = f.db.ExecContext(ctx, `SELEC 1`); !errors.Is(err, sqlite3.ERROR) {
		t.Fatalf("syntax error: %v, want sqlite3.ERROR", err)
	}
	if _, err := f.db.ExecContext(ctx, `INSERT INTO v (name) VALUES (?)`, uint64(1<<63)); err == nil {
		t.Fatal("uint64 above MaxInt64 accepted")
	}
}

// TestPrepare: a prepared statement runs as ExecContext and QueryContext do,
// inside and outside a transaction, with named parameters; a bad statement
// fails at PrepareContext.
func TestPrepare(t *testing.T) {
	f := open(t, nil)
	ctx := context.Background()
	f.must(t, `CREATE TABLE p (id INTEGER PRIMARY KEY, v TEXT NOT NULL)`)
	if _, err := f.db.PrepareContext(ctx, `SELECT * FROM missing`); !errors.Is(err, sqlite3.ERROR) {
		t.Fatalf("prepare of a missing table: %v", err)
	}
	ins, err := f.db.PrepareContext(ctx, `INSERT INTO p (v) VALUES (:v) RETURNING id`)
	if err != nil {
		t.Fatal(err)
	}
	defer ins.Close()
	sel, err := f.db.PrepareContext(ctx, `SELECT v FROM p WHERE id = ?`)
	if err != nil {
		t.Fatal(err)
	}
	defer sel.Close()
	var id int64
	if err := ins.QueryRowContext(ctx, sql.Named("v", "one")).Scan(&id); err != nil || id != 1 {
		t.Fatalf("insert returning = %d, %v", id, err)
	}
	if _, err := ins.ExecContext(ctx, sql.Named("v", "two")); err != nil {
		t.Fatal(err)
	}
	if _, err := ins.ExecContext(ctx); err == nil {
		t.Fatal("missing argument accepted")
	}
	tx, err := f.db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.StmtContext(ctx, ins).QueryRowContext(ctx, sql.Named("v", "three")).Scan(&id); err != nil || id != 3 {
		t.Fatalf("in tx = %d, %v", id, err)
	}
	var v string
	if err := tx.StmtContext(ctx, sel).QueryRowContext(ctx, 3).Scan(&v); err != nil || v != "three" {
		t.Fatalf("select in tx = %q, %v", v, err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := sel.QueryRowContext(ctx, 2).Scan(&v); err != nil || v != "two" {
		t.Fatalf("select = %q, %v", v, err)
	}
}

// TestCancelExec: a ctx that ends while ExecContext runs interrupts the
// statement; its work is rolled back.
func TestCancelExec(t *testing.T) {
	f := open(t, nil)
	f.must(t, `CREATE TABLE c (x)`)
	ctx := f.cancelOnSignal()
	_, err := f.db.ExecContext(ctx, `INSERT INTO c WITH RECURSIVE r(i) AS (SELECT signal() UNION ALL SELECT i+1 FROM r) SELECT i FROM r`)
	if !errors.Is(err, context.Canceled) || !errors.Is(err, sqlite3.INTERRUPT) {
		t.Fatalf("err = %v, want context.Canceled and sqlite3.INTERRUPT", err)
	}
	if n := f.int(t, `SELECT count(*) FROM c`); n != 0 {
		t.Fatalf("%d rows left by an interrupted insert", n)
	}
}
