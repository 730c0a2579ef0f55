package liteactor_test

import (
	"context"
	"database/sql"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/liteactor/liteactor"
	"github.com/ncruces/go-sqlite3"
)

type noteID int64

type note struct {
	ID      noteID         `db:"id"`
	Title   string         // matched case-insensitively by "title"
	Body    *string        `db:"body"` // NULL: nil
	Created time.Time      `db:"created_at"`
	Tag     sql.NullString `db:"tag"`
	Skip    int            `db:"-"`
}

type taggedNote struct {
	note
	Extra int64 `db:"extra"`
}

func notesEngine(t testing.TB) *liteactor.Engine {
	e, _ := open(t, liteactor.MinimalConfig())
	mustExec(t, e, "CREATE TABLE notes (id INTEGER PRIMARY KEY, title TEXT NOT NULL, body TEXT, created_at TEXT, tag TEXT)")
	at := time.Date(2026, 11, 30, 12, 0, 0, 1, time.FixedZone("+1", 3600))
	body := "b"
	mustExec(t, e, "INSERT INTO notes VALUES (?, ?, ?, ?, ?)", noteID(1), "one", &body, at, sql.NullString{String: "x", Valid: true})
	mustExec(t, e, "INSERT INTO notes VALUES (:id, :title, :body, :at, :tag)", sql.Named("id", 2), sql.Named("title", "two"),
		sql.Named("body", (*string)(nil)), sql.Named("at", at.Add(time.Hour)), sql.Named("tag", sql.NullString{}))
	return e
}

func TestQueryRowScan(t *testing.T) {
	e := notesEngine(t)
	ctx := context.Background()
	var (
		title string
		body  *string
		at    time.Time
		id    noteID
	)
	if err := e.QueryRow(ctx, "SELECT id, title, body, created_at FROM notes WHERE id = ?", noteID(2)).Scan(&id, &title, &body, &at); err != nil {
		t.Fatal(err)
	}
	want := time.Date(2026, 11, 30, 12, 0, 0, 1, time.UTC)
	if id != 2 || title != "two" || body != nil || !at.Equal(want) {
		t.Fatalf("got %v %q %v %v", id, title, body, at)
	}
	err := e.QueryRow(ctx, "SELECT title FROM notes WHERE id = ?", 99).Scan(&title)
	if !errors.Is(err, liteactor.ErrNoRows) || !errors.Is(err, sql.ErrNoRows) || err != sql.ErrNoRows {
		t.Fatalf("no row: %v, want sql.ErrNoRows", err)
	}
	// NULL into a string is ErrScan, not a panic; a pointer takes it.
	if err := e.QueryRow(ctx, "SELECT body FROM notes WHERE id = 2").Scan(&title); !errors.Is(err, liteactor.ErrScan) {
		t.Fatalf("NULL into *string: %v", err)
	}
	if err := e.QueryRow(ctx, "SELECT title FROM notes WHERE id = ?", struct{}{}).Scan(&title); !errors.Is(err, liteactor.ErrInvalidArg) {
		t.Fatalf("bad argument: %v", err)
	}
	// A statement that writes is refused on a reader, and did not run.
	err = e.QueryRow(ctx, "INSERT INTO notes (title) VALUES ('w') RETURNING id").Scan(&id)
	if !errors.Is(err, liteactor.ErrNotReadOnly) || !errors.Is(err, sqlite3.READONLY) {
		t.Fatalf("RETURNING through QueryRow: %v", err)
	}
	if n := count(t, e, "SELECT count(*) FROM notes"); n != 2 {
		t.Fatalf("%d notes", n)
	}
}

func TestCollect(t *testing.T) {
	e := notesEngine(t)
	ctx := context.Background()
	notes, err := liteactor.Collect[note](ctx, e, "SELECT id, TITLE, body, created_at, tag FROM notes ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	if len(notes) != 2 || notes[0].ID != 1 || notes[0].Title != "one" || *notes[0].Body != "b" || notes[0].Tag.String != "x" ||
		notes[1].Body != nil || notes[1].Tag.Valid || !notes[1].Created.Equal(time.Date(2026, 11, 30, 12, 0, 0, 1, time.UTC)) {
		t.Fatalf("%+v", notes)
	}
	tagged, err := liteactor.Collect[taggedNote](ctx, e, "SELECT id, title, 7 AS extra FROM notes ORDER BY id")
	if err != nil || len(tagged) != 2 || tagged[1].ID != 2 || tagged[1].Extra != 7 {
		t.Fatalf("embedded: %+v %v", tagged, err)
	}
	ids, err := liteactor.Collect[int64](ctx, e, "SELECT id FROM notes ORDER BY id DESC")
	if err != nil || len(ids) != 2 || ids[0] != 2 {
		t.Fatalf("scalar: %v %v", ids, err)
	}
	none, err := liteactor.Collect[note](ctx, e, "SELECT id FROM notes WHERE id > 9")
	if err != nil || none == nil || len(none) != 0 {
		t.Fatalf("no rows: %v %v", none, err)
	}
	if _, err := liteactor.Collect[note](ctx, e, "SELECT id, 1 AS nope FROM notes"); !errors.Is(err, liteactor.ErrScan) {
		t.Fatalf("unknown column: %v", err)
	}
	if _, err := liteactor.Collect[int64](ctx, e, "SELECT id, title FROM notes"); !errors.Is(err, liteactor.ErrScan) {
		t.Fatalf("two columns into a scalar: %v", err)
	}
	// Inside a transaction handle too.
	err = e.ReadTx(ctx, func(tx *liteactor.Tx) error {
		got, err := liteactor.Collect[note](ctx, tx, "SELECT id, title FROM notes WHERE id = ?", 1)
		if err == nil && (len(got) != 1 || got[0].Title != "one") {
			t.Errorf("in ReadTx: %+v", got)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestQueryFuncStreams(t *testing.T) {
	e, _ := open(t, liteactor.MinimalConfig())
	ctx := context.Background()
	const n = 5000
	sum, rows := int64(0), 0
	err := e.QueryFunc(ctx, func(c *liteactor.Cursor) error {
		var v int64
		if err := c.Scan(&v); err != nil {
			return err
		}
		sum += v
		rows++
		return nil
	}, "SELECT value FROM generate_series(1, ?)", n)
	if err != nil || rows != n || sum != n*(n+1)/2 {
		t.Fatalf("rows %d sum %d: %v", rows, sum, err)
	}
	// fn's error stops the walk and comes back as is.
	stop := errors.New("stop")
	rows = 0
	err = e.QueryFunc(ctx, func(*liteactor.Cursor) error { rows++; return stop }, "SELECT value FROM generate_series(1, 10)")
	if err != stop || rows != 1 {
		t.Fatalf("stop: %d rows, %v", rows, err)
	}
	// ctx ending mid-walk ends it with ctx's error, never a silent short result.
	cctx, cancel := context.WithCancel(ctx)
	rows = 0
	err = e.QueryFunc(cctx, func(*liteactor.Cursor) error {
		if rows++; rows == 100 {
			cancel()
		}
		return nil
	}, "SELECT value FROM generate_series(1, 100000)")
	if !errors.Is(err, context.Canceled) || rows != 100 {
		t.Fatalf("cancelled walk: %d rows, %v", rows, err)
	}
	// A panic in fn is an error; the reader is replaced and serves again.
	err = e.QueryFunc(ctx, func(*liteactor.Cursor) error { panic("boom") }, "SELECT 1")
	if !errors.Is(err, liteactor.ErrPanic) {
		t.Fatalf("panic: %v", err)
	}
	var one int
	if err := e.QueryRow(ctx, "SELECT 1").Scan(&one); err != nil || one != 1 {
		t.Fatal(one, err)
	}
}

func TestQueryLimit(t *testing.T) {
	e, _ := open(t, liteactor.MinimalConfig())
	ctx := context.Background()
	rows, err := e.QueryLimit(ctx, 10, "SELECT value FROM generate_series(1, 10)")
	if err != nil || len(rows.Values) != 10 {
		t.Fatal(rows, err)
	}
	rows, err = e.QueryLimit(ctx, 10, "SELECT value FROM generate_series(1, 11)")
	if !errors.Is(err, liteactor.ErrTooManyRows) || rows != nil {
		t.Fatalf("11 rows under 10: %v %v", rows, err)
	}
	if _, err := e.QueryLimit(ctx, 0, "SELECT 1"); !errors.Is(err, liteactor.ErrInvalidArg) {
		t.Fatalf("max 0: %v", err)
	}
}

func TestWriteQueryReturning(t *testing.T) {
	e := notesEngine(t)
	ctx := context.Background()
	rows, err := e.WriteQuery(ctx, "INSERT INTO notes (title) VALUES (?), (?) RETURNING id, title", "a", "b")
	if err != nil || len(rows.Values) != 2 || rows.Values[1][1] != "b" || rows.Columns[0] != "id" {
		t.Fatalf("%v %v", rows, err)
	}
	// Query refuses it: a reader never writes, and nothing ran.
	if _, err := e.Query(ctx, "DELETE FROM notes RETURNING id"); !errors.Is(err, liteactor.ErrNotReadOnly) {
		t.Fatalf("Query of DELETE RETURNING: %v", err)
	}
	if n := count(t, e, "SELECT count(*) FROM notes"); n != 4 {
		t.Fatalf("%d notes", n)
	}
	// A failing RETURNING statement leaves nothing behind.
	if _, err := e.WriteQuery(ctx, "INSERT INTO notes (id, title) VALUES (1, 'dup') RETURNING id"); !errors.Is(err, sqlite3.CONSTRAINT) {
		t.Fatalf("duplicate: %v", err)
	}
	if _, err := e.WriteQuery(ctx, "COMMIT"); !errors.Is(err, liteactor.ErrInvalidArg) {
		t.Fatalf("COMMIT: %v", err)
	}
	if _, err := e.WriteQuery(ctx, "SELECT 1; SELECT 2"); !errors.Is(err, liteactor.ErrInvalidArg) {
		t.Fatalf("two statements: %v", err)
	}
}

func TestWriteTxHandle(t *testing.T) {
	e := notesEngine(t)
	ctx := context.Background()
	var kept *liteactor.Tx
	var newID int64
	err := e.WriteTx(ctx, func(tx *liteactor.Tx) error {
		kept = tx
		res, err := tx.Exec("UPDATE notes SET title = ? WHERE id = ?", "ONE", 1)
		if err != nil || res.RowsAffected != 1 {
			t.Errorf("update: %v %v", res, err)
		}
		if err := tx.QueryRow("INSERT INTO notes (title) VALUES (?) RETURNING id", "three").Scan(&newID); err != nil {
			return err
		}
		// Nested: the same SQL walked again from inside its own walk.
		pairs := 0
		err = tx.QueryFunc(func(*liteactor.Cursor) error {
			return tx.QueryFunc(func(*liteactor.Cursor) error { pairs++; return nil }, "SELECT id FROM notes")
		}, "SELECT id FROM notes")
		if err != nil || pairs != 9 {
			t.Errorf("nested walks: %d pairs, %v", pairs, err)
		}
		rows, err := tx.Query("SELECT title FROM notes WHERE id = ?", newID)
		if err != nil || rows.Values[0][0] != "three" {
			t.Errorf("query: %v %v", rows, err)
		}
		if tx.Conn() == nil {
			t.Error("no raw connection")
		}
		if _, err := tx.Exec("COMMIT"); !errors.Is(err, liteactor.ErrInvalidArg) {
			t.Errorf("COMMIT in WriteTx: %v", err)
		}
		return nil
	})
	if err != nil || newID != 3 {
		t.Fatal(newID, err)
	}
	if _, err := kept.Exec("DELETE FROM notes"); !errors.Is(err, liteactor.ErrInvalidArg) {
		t.Fatalf("Tx after its callback: %v", err)
	}
	if err := kept.QueryRow("SELECT 1").Scan(new(int)); !errors.Is(err, liteactor.ErrInvalidArg) {
		t.Fatalf("Row of a Tx after its callback: %v", err)
	}
	// An error rolls back everything the callback did.
	fail := errors.New("fail")
	err = e.WriteTx(ctx, func(tx *liteactor.Tx) error {
		if _, err := tx.Exec("DELETE FROM notes"); err != nil {
			return err
		}
		return fail
	})
	if err != fail {
		t.Fatal(err)
	}
	if n := count(t, e, "SELECT count(*) FROM notes"); n != 3 {
		t.Fatalf("%d notes after a failed WriteTx", n)
	}
	// On a reader a write is ErrNotReadOnly.
	err = e.ReadTx(ctx, func(tx *liteactor.Tx) error {
		_, err := tx.Exec("DELETE FROM notes")
		return err
	})
	if !errors.Is(err, liteactor.ErrNotReadOnly) {
		t.Fatalf("write in ReadTx: %v", err)
	}
}

// kindObserver records the kind and SQL of every operation it sees.
type kindObserver struct {
	mu  sync.Mutex
	ops []liteactor.Op
}

func (o *kindObserver) Before(ctx context.Context, op *liteactor.Op) (context.Context, error) {
	return ctx, nil
}

func (o *kindObserver) After(_ context.Context, op *liteactor.Op, out *liteactor.Outcome) {
	o.mu.Lock()
	o.ops = append(o.ops, *op)
	o.mu.Unlock()
}

func TestNewCallsAreObserved(t *testing.T) {
	obs := &kindObserver{}
	cfg := liteactor.MinimalConfig()
	cfg.Observers = []liteactor.Observer{obs}
	e, _ := open(t, cfg)
	ctx := context.Background()
	mustExec(t, e, "CREATE TABLE t (v)")
	obs.ops = nil
	var v int
	_ = e.QueryRow(ctx, "SELECT 1").Scan(&v)
	_ = e.QueryFunc(ctx, func(*liteactor.Cursor) error { return nil }, "SELECT 2")
	_, _ = e.QueryLimit(ctx, 1, "SELECT 3")
	_, _ = e.WriteQuery(ctx, "INSERT INTO t VALUES (4) RETURNING v")
	_ = e.WriteTx(ctx, func(*liteactor.Tx) error { return nil })
	_ = e.ReadTx(ctx, func(*liteactor.Tx) error { return nil })
	_, _ = liteactor.Collect[int](ctx, e, "SELECT 5")
	want := []struct {
		kind liteactor.OpKind
		sql  string
	}{{liteactor.OpQuery, "SELECT 1"}, {liteactor.OpQuery, "SELECT 2"}, {liteactor.OpQuery, "SELECT 3"},
		{liteactor.OpQuery, "INSERT INTO t VALUES (4) RETURNING v"}, {liteactor.OpWrite, ""}, {liteactor.OpRead, ""},
		{liteactor.OpQuery, "SELECT 5"}}
	obs.mu.Lock()
	defer obs.mu.Unlock()
	if len(obs.ops) != len(want) {
		t.Fatalf("%d operations observed: %+v", len(obs.ops), obs.ops)
	}
	for i, w := range want {
		if obs.ops[i].Kind != w.kind || obs.ops[i].SQL != w.sql {
			t.Errorf("op %d: %s %q, want %s %q", i, obs.ops[i].Kind, obs.ops[i].SQL, w.kind, w.sql)
		}
	}
}

// A walk survives the statements its row callback runs, whatever the size
// of the statement cache: a statement pushed out while walked is finalized
// only once its walk ends.
func TestNestedWalksAnyCacheSize(t *testing.T) {
	for _, size := range []int{0, 1, 2, 100} {
		cfg := liteactor.MinimalConfig()
		cfg.StatementCacheSize = size
		e, _ := open(t, cfg)
		ctx := context.Background()
		mustExec(t, e, "CREATE TABLE t (v INTEGER)")
		mustExec(t, e, "INSERT INTO t SELECT value FROM generate_series(1, 20)")
		for _, run := range []func(func(*liteactor.Tx) error) error{
			func(fn func(*liteactor.Tx) error) error { return e.WriteTx(ctx, fn) },
			func(fn func(*liteactor.Tx) error) error { return e.ReadTx(ctx, fn) },
		} {
			outer, inner := 0, int64(0)
			err := run(func(tx *liteactor.Tx) error {
				return tx.QueryFunc(func(c *liteactor.Cursor) error {
					var v int64
					if err := c.Scan(&v); err != nil {
						return err
					}
					outer++
					for _, q := range []string{"SELECT ? + 0", "SELECT ? + 1", "SELECT ? + 2"} {
						var w int64
						if err := tx.QueryRow(q, v).Scan(&w); err != nil {
							return err
						}
						inner += w - v
					}
					return nil
				}, "SELECT v FROM t ORDER BY v")
			})
			if err != nil || outer != 20 || inner != 60 {
				t.Fatalf("cache size %d: outer %d inner %d: %v", size, outer, inner, err)
			}
		}
	}
}

// Reading PRAGMAs that SQLite does not call read-only (journal_mode) still
// run on a reader: query_only, not sqlite3_stmt_readonly, stops writes.
func TestReadingPragmasRunOnReaders(t *testing.T) {
	e, _ := open(t, liteactor.MinimalConfig())
	ctx := context.Background()
	var mode string
	if err := e.QueryRow(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
		t.Fatalf("PRAGMA journal_mode: %q %v", mode, err)
	}
	if rows, err := e.Query(ctx, "PRAGMA journal_mode"); err != nil || rows.Values[0][0] != "wal" {
		t.Fatalf("Query PRAGMA journal_mode: %v %v", rows, err)
	}
}
