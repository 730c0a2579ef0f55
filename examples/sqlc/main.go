// Command sqlc runs a sqlc-generated repository (package store) and goose
// migrations on a liteactor engine through package sqldb: the code written
// for *sql.DB is unchanged, and its writes are group-committed by the
// engine's writer instead of fighting over SQLite's lock.
//
//	go run ./examples/sqlc
package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/pressly/goose/v3"

	"github.com/liteactor/liteactor"
	"github.com/liteactor/liteactor/examples/sqlc/migrations"
	"github.com/liteactor/liteactor/examples/sqlc/store"
	"github.com/liteactor/liteactor/sqldb"
)

func main() {
	if err := run(context.Background(), os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "sqlc:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, out io.Writer) error {
	dir, err := os.MkdirTemp("", "liteactor-sqlc-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)

	eng, err := liteactor.Open(ctx, filepath.Join(dir, "library.db"), liteactor.DefaultConfig())
	if err != nil {
		return err
	}
	defer eng.Close(context.Background())
	db := sqldb.OpenDB(eng)
	defer db.Close()

	// Migrations: goose's Provider with the sqlite3 dialect, on the *sql.DB.
	migrator, err := goose.NewProvider(goose.DialectSQLite3, db, migrations.FS)
	if err != nil {
		return err
	}
	applied, err := migrator.Up(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "migrations applied: %d\n", len(applied))

	q := store.New(db)
	// 32 goroutines create authors at once: each INSERT ... RETURNING goes
	// to the writer, and they share its transactions.
	var wg sync.WaitGroup
	errs := make(chan error, 32)
	for i := range 32 {
		wg.Go(func() {
			a, err := q.CreateAuthor(ctx, store.CreateAuthorParams{Name: fmt.Sprintf("author %02d", i)})
			if err == nil {
				_, err = q.CreateBook(ctx, store.CreateBookParams{
					AuthorID:  a.ID,
					Title:     fmt.Sprintf("book of %s", a.Name),
					Published: sql.NullTime{Time: time.Date(2000+i, 1, 1, 0, 0, 0, 0, time.UTC), Valid: true},
				})
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			return err
		}
	}

	// An interactive transaction through the generated code (WithTx).
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	qtx := q.WithTx(tx)
	first, err := qtx.GetAuthor(ctx, 1)
	if err != nil {
		tx.Rollback()
		return err
	}
	if _, err := qtx.UpdateAuthorBio(ctx, store.UpdateAuthorBioParams{Bio: sql.NullString{String: "the first", Valid: true}, ID: first.ID}); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return err
	}

	authors, err := q.ListAuthors(ctx)
	if err != nil {
		return err
	}
	books, err := q.CountBooks(ctx)
	if err != nil {
		return err
	}
	a, err := q.GetAuthor(ctx, first.ID)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "authors: %d, books: %d\n", len(authors), books)
	fmt.Fprintf(out, "%s (%s), created %s\n", a.Name, a.Bio.String, a.CreatedAt.Format(time.DateOnly))
	s := eng.Stats()
	fmt.Fprintf(out, "engine: %d writes in %d transactions\n", s.Completed, s.Batches)
	return nil
}
