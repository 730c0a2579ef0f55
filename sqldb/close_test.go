package sqldb_test

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/liteactor/liteactor"
	"github.com/liteactor/liteactor/internal/enginetest"
	"github.com/liteactor/liteactor/sqldb"
)

// TestEngineClosed: closing the engine ends open streams and transactions
// at once (Close is not held up by them), and every call afterwards, on
// the *sql.DB, an open *sql.Tx, Rows or a prepared statement, fails with
// an error wrapping liteactor.ErrClosed.
func TestEngineClosed(t *testing.T) {
	eng, _ := enginetest.Open(t, func(ctx context.Context, path string) (*liteactor.Engine, error) {
		cfg := liteactor.MinimalConfig()
		cfg.Readers = 2
		return liteactor.Open(ctx, path, cfg)
	})
	db := sqldb.OpenDB(eng) // default limits: 10s, 1 min
	defer db.Close()
	ctx := context.Background()
	if _, err := db.ExecContext(ctx, `CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `INSERT INTO t (v) WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM r WHERE i < 1000) SELECT i FROM r`); err != nil {
		t.Fatal(err)
	}
	st, err := db.PrepareContext(ctx, `SELECT v FROM t WHERE id = ?`)
	if err != nil {
		t.Fatal(err)
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM t`); err != nil {
		t.Fatal(err)
	}
	ro, err := db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	rows, err := db.QueryContext(ctx, `SELECT id FROM t`)
	if err != nil {
		t.Fatal(err)
	}
	closed := make(chan error, 1)
	go func() { closed <- eng.Close(ctx) }()
	if err := <-closed; err != nil {
		t.Fatalf("engine Close: %v", err)
	}
	closedErr := func(what string, err error) {
		t.Helper()
		if !errors.Is(err, liteactor.ErrClosed) {
			t.Errorf("%s after Close: %v, want liteactor.ErrClosed", what, err)
		}
	}
	for rows.Next() {
	}
	closedErr("streamed rows", rows.Err())
	_, err = tx.ExecContext(ctx, `DELETE FROM t`)
	closedErr("tx.Exec", err)
	closedErr("tx.Commit", tx.Commit())
	closedErr("read-only tx query", ro.QueryRowContext(ctx, `SELECT 1`).Scan(new(int)))
	ro.Rollback()
	_, err = db.ExecContext(ctx, `DELETE FROM t`)
	closedErr("db.Exec", err)
	closedErr("db.QueryRow", db.QueryRowContext(ctx, `SELECT 1`).Scan(new(int)))
	_, err = db.QueryContext(ctx, `SELECT 1`)
	closedErr("db.Query", err)
	_, err = db.BeginTx(ctx, nil)
	closedErr("db.BeginTx", err)
	_, err = db.PrepareContext(ctx, `SELECT 1`)
	closedErr("db.Prepare", err)
	closedErr("stmt.QueryRow", st.QueryRowContext(ctx, 1).Scan(new(string)))
	closedErr("db.Ping", db.PingContext(ctx))
}

// TestDBClose: closing the *sql.DB leaves the engine running; a statement
// prepared on it then fails with database/sql's own error.
func TestDBClose(t *testing.T) {
	f := open(t, nil)
	ctx := context.Background()
	db := sqldb.OpenDB(f.eng)
	if _, err := db.ExecContext(ctx, `CREATE TABLE t (v)`); err != nil {
		t.Fatal(err)
	}
	st, err := db.PrepareContext(ctx, `INSERT INTO t VALUES (?)`)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := st.ExecContext(ctx, 1); err == nil || !strings.Contains(err.Error(), "closed") {
		t.Fatalf("stmt after db.Close: %v", err)
	}
	if _, err := f.eng.Exec(ctx, `INSERT INTO t VALUES (2)`); err != nil {
		t.Fatalf("engine after db.Close: %v", err)
	}
	if _, err := sqldb.NewConnector(f.eng).Driver().Open("file.db"); err == nil {
		t.Fatal("the driver opened a DSN: connections must come from OpenDB")
	}
}

// recorder is an Observer that records the kinds of operations.
type recorder struct {
	mu    sync.Mutex
	kinds []string
}

func (r *recorder) Before(ctx context.Context, op *liteactor.Op) (context.Context, error) {
	return nil, nil
}

func (r *recorder) After(_ context.Context, op *liteactor.Op, _ *liteactor.Outcome) {
	r.mu.Lock()
	r.kinds = append(r.kinds, string(op.Kind)+":"+op.SQL)
	r.mu.Unlock()
}

func (r *recorder) take() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	k := r.kinds
	r.kinds = nil
	return k
}

// TestObservers: the bridge's calls reach Config.Observers as the engine's
// own operations (see the package doc).
func TestObservers(t *testing.T) {
	rec := &recorder{}
	f := open(t, func(c *liteactor.Config) { c.Observers = []liteactor.Observer{rec} })
	ctx := context.Background()
	f.must(t, `CREATE TABLE t (id INTEGER PRIMARY KEY)`)
	f.int(t, `SELECT count(*) FROM t`)
	var id int64
	if err := f.db.QueryRowContext(ctx, `INSERT INTO t DEFAULT VALUES RETURNING id`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	tx, err := f.db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	tx.ExecContext(ctx, `INSERT INTO t DEFAULT VALUES`)
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	ro, err := f.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	ro.Commit()
	// Leases end on the engine's goroutine just after Commit returns.
	want := []string{
		"exec:CREATE TABLE t (id INTEGER PRIMARY KEY)",
		"read:",      // the count
		"read:",      // RETURNING tried on a reader: SQLite says it writes
		"write:",     // then run on the writer
		"exclusive:", // the read-write transaction
		"read:",      // the read-only one
	}
	enginetest.WaitFor(t, "every operation observed", func() bool {
		rec.mu.Lock()
		defer rec.mu.Unlock()
		return len(rec.kinds) >= len(want)
	})
	// Leases end asynchronously: compare the operations, not their order.
	got := rec.take()
	slices.Sort(got)
	slices.Sort(want)
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("observed %q\nwant     %q", got, want)
	}
}
