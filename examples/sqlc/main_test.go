package main

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/pressly/goose/v3"
	"go.uber.org/goleak"

	"github.com/liteactor/liteactor"
	"github.com/liteactor/liteactor/examples/sqlc/migrations"
	"github.com/liteactor/liteactor/examples/sqlc/store"
	"github.com/liteactor/liteactor/sqldb"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// openDB opens an engine on a fresh file and a *sql.DB on it, both closed
// at cleanup.
func openDB(t *testing.T) (*liteactor.Engine, *sql.DB) {
	t.Helper()
	ctx := context.Background()
	cfg := liteactor.MinimalConfig()
	cfg.Readers = 2
	eng, err := liteactor.Open(ctx, filepath.Join(t.TempDir(), "t.db"), cfg)
	if err != nil {
		t.Fatal(err)
	}
	db := sqldb.OpenDB(eng)
	t.Cleanup(func() {
		db.Close()
		if err := eng.Close(ctx); err != nil {
			t.Error(err)
		}
	})
	return eng, db
}

func migrate(t *testing.T, db *sql.DB) *goose.Provider {
	t.Helper()
	p, err := goose.NewProvider(goose.DialectSQLite3, db, migrations.FS)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Up(context.Background()); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestGooseUpDown: goose's Provider (sqlite3 dialect) migrates up, reports
// its status (its TIMESTAMP column scans into time.Time), migrates down to
// nothing and up again.
func TestGooseUpDown(t *testing.T) {
	_, db := openDB(t)
	ctx := context.Background()
	p := migrate(t, db)
	st, err := p.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(st) != 2 || st[1].State != goose.StateApplied || st[1].AppliedAt.IsZero() || time.Since(st[1].AppliedAt) > time.Hour {
		t.Fatalf("status %+v", st[1])
	}
	if v, err := p.GetDBVersion(ctx); err != nil || v != 2 {
		t.Fatalf("version %d, %v", v, err)
	}
	if _, err := p.DownTo(ctx, 0); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_schema WHERE name IN ('authors', 'books')`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("%d tables left after down, %v", n, err)
	}
	if res, err := p.Up(ctx); err != nil || len(res) != 2 {
		t.Fatalf("up again: %d, %v", len(res), err)
	}
}

// TestSqlcQueries: the generated code runs unchanged: RETURNING, time.Time
// and bool columns, sql.Null*, sql.ErrNoRows, WithTx, :execrows and
// :execresult.
func TestSqlcQueries(t *testing.T) {
	_, db := openDB(t)
	migrate(t, db)
	ctx := context.Background()
	q := store.New(db)
	a, err := q.CreateAuthor(ctx, store.CreateAuthorParams{Name: "Ursula", Bio: sql.NullString{String: "sf", Valid: true}})
	if err != nil {
		t.Fatal(err)
	}
	if a.ID != 1 || !a.Active || a.CreatedAt.IsZero() || time.Since(a.CreatedAt) > time.Hour || a.Bio.String != "sf" {
		t.Fatalf("created %+v", a)
	}
	if _, err := q.CreateAuthor(ctx, store.CreateAuthorParams{Name: "Ursula"}); err == nil {
		t.Fatal("duplicate author accepted")
	}
	pub := time.Date(1969, 3, 1, 0, 0, 0, 0, time.UTC)
	res, err := q.CreateBook(ctx, store.CreateBookParams{AuthorID: a.ID, Title: "The Left Hand of Darkness", Published: sql.NullTime{Time: pub, Valid: true}})
	if err != nil {
		t.Fatal(err)
	}
	if id, _ := res.LastInsertId(); id != 1 {
		t.Fatalf("book id %d", id)
	}
	if _, err := q.CreateBook(ctx, store.CreateBookParams{AuthorID: a.ID, Title: "Untitled"}); err != nil {
		t.Fatal(err)
	}
	books, err := q.ListBooksByAuthor(ctx, a.ID)
	if err != nil || len(books) != 2 {
		t.Fatalf("books %v, %v", books, err)
	}
	if books[0].Published.Valid || !books[1].Published.Time.Equal(pub) {
		t.Fatalf("published %+v", books)
	}

	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	n, err := q.WithTx(tx).UpdateAuthorBio(ctx, store.UpdateAuthorBioParams{ID: a.ID})
	if err != nil || n != 1 {
		t.Fatalf("update %d, %v", n, err)
	}
	if err := q.WithTx(tx).DeactivateAuthor(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	got, err := q.GetAuthor(ctx, a.ID)
	if err != nil || got.Active || got.Bio.Valid || !got.CreatedAt.Equal(a.CreatedAt) {
		t.Fatalf("after tx %+v, %v", got, err)
	}
	if _, err := q.GetAuthor(ctx, 99); !errors.Is(err, sql.ErrNoRows) {
		t.Fatalf("missing author: %v", err)
	}
}

// TestSqlx: sqlx's struct scanning, named statements and IN expansion on
// the *sql.DB.
func TestSqlx(t *testing.T) {
	_, db := openDB(t)
	migrate(t, db)
	ctx := context.Background()
	x := sqlx.NewDb(db, "sqlite3") // the driver name only picks sqlx's "?" bind style
	type author struct {
		ID        int64          `db:"id"`
		Name      string         `db:"name"`
		Bio       sql.NullString `db:"bio"`
		Active    bool           `db:"active"`
		CreatedAt time.Time      `db:"created_at"`
	}
	for _, name := range []string{"Le Guin", "Butler", "Delany"} {
		if _, err := x.NamedExecContext(ctx, `INSERT INTO authors (name, bio) VALUES (:name, :bio)`,
			author{Name: name, Bio: sql.NullString{String: "bio of " + name, Valid: true}}); err != nil {
			t.Fatal(err)
		}
	}
	var all []author
	if err := x.SelectContext(ctx, &all, `SELECT * FROM authors ORDER BY name`); err != nil {
		t.Fatal(err)
	}
	if len(all) != 3 || all[0].Name != "Butler" || !all[0].Active || all[0].CreatedAt.IsZero() || all[0].Bio.String != "bio of Butler" {
		t.Fatalf("select %+v", all)
	}
	var one author
	if err := x.GetContext(ctx, &one, `SELECT * FROM authors WHERE name = ?`, "Delany"); err != nil || one.ID != 3 {
		t.Fatalf("get %+v, %v", one, err)
	}
	query, args, err := sqlx.In(`SELECT name FROM authors WHERE id IN (?) ORDER BY id`, []int64{1, 3})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	if err := x.SelectContext(ctx, &names, x.Rebind(query), args...); err != nil || strings.Join(names, ",") != "Le Guin,Delany" {
		t.Fatalf("in: %v, %v", names, err)
	}
	tx, err := x.BeginTxx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	tx.MustExecContext(ctx, `DELETE FROM authors WHERE name = ?`, "Butler")
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	var count int
	if err := x.GetContext(ctx, &count, `SELECT count(*) FROM authors`); err != nil || count != 2 {
		t.Fatalf("count %d, %v", count, err)
	}
}

// TestRun runs the example end to end.
func TestRun(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), &out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"migrations applied: 2", "authors: 32, books: 32", "(the first), created "} {
		if !strings.Contains(out.String(), want) {
			t.Fatalf("output lacks %q:\n%s", want, out.String())
		}
	}
}
