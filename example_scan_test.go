package liteactor_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/liteactor/liteactor"
)

// exampleEngine opens an in-memory engine with a small notes table.
func exampleEngine(ctx context.Context) *liteactor.Engine {
	eng, err := liteactor.Open(ctx, ":memory:", liteactor.MinimalConfig())
	if err != nil {
		panic(err)
	}
	eng.Exec(ctx, "CREATE TABLE notes (id INTEGER PRIMARY KEY, title TEXT NOT NULL, body TEXT, created_at TEXT)")
	at := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	eng.Exec(ctx, "INSERT INTO notes (title, body, created_at) VALUES (?, ?, ?), (?, ?, ?)",
		"first", "hello", at, "second", nil, at.Add(time.Hour))
	return eng
}

func ExampleEngine_QueryRow() {
	ctx := context.Background()
	eng := exampleEngine(ctx)
	defer eng.Close(ctx)

	type NoteID int64
	var (
		title   string
		body    *string // NULL scans as nil
		created time.Time
	)
	err := eng.QueryRow(ctx, "SELECT title, body, created_at FROM notes WHERE id = ?", NoteID(2)).Scan(&title, &body, &created)
	fmt.Println(title, body == nil, created, err)

	err = eng.QueryRow(ctx, "SELECT title FROM notes WHERE id = :id", sql.Named("id", 99)).Scan(&title)
	fmt.Println(errors.Is(err, sql.ErrNoRows))
	// Output:
	// second true 2026-11-30 10:00:00 +0000 UTC <nil>
	// true
}

func ExampleCollect() {
	ctx := context.Background()
	eng := exampleEngine(ctx)
	defer eng.Close(ctx)

	type Note struct {
		ID      int64          `db:"id"`
		Title   string         // matches the column "title" case-insensitively
		Body    sql.NullString `db:"body"`
		Created time.Time      `db:"created_at"`
	}
	notes, err := liteactor.Collect[Note](ctx, eng, "SELECT id, title, body, created_at FROM notes ORDER BY id")
	for _, n := range notes {
		fmt.Println(n.ID, n.Title, n.Body.Valid, n.Created.Format(time.Kitchen))
	}
	titles, _ := liteactor.Collect[string](ctx, eng, "SELECT title FROM notes ORDER BY title DESC")
	fmt.Println(titles, err)
	// Output:
	// 1 first true 9:00AM
	// 2 second false 10:00AM
	// [second first] <nil>
}

func ExampleEngine_QueryFunc() {
	ctx := context.Background()
	eng := exampleEngine(ctx)
	defer eng.Close(ctx)

	// Walk a result row by row on a reader; nothing is materialised.
	var total int64
	err := eng.QueryFunc(ctx, func(c *liteactor.Cursor) error {
		var v int64
		if err := c.Scan(&v); err != nil {
			return err
		}
		total += v
		return nil
	}, "SELECT value FROM generate_series(1, ?)", 100000)
	fmt.Println(total, err)
	// Output:
	// 5000050000 <nil>
}

func ExampleEngine_QueryLimit() {
	ctx := context.Background()
	eng := exampleEngine(ctx)
	defer eng.Close(ctx)

	rows, err := eng.QueryLimit(ctx, 10, "SELECT id FROM notes")
	fmt.Println(len(rows.Values), err)
	_, err = eng.QueryLimit(ctx, 1, "SELECT id FROM notes")
	fmt.Println(errors.Is(err, liteactor.ErrTooManyRows))
	// Output:
	// 2 <nil>
	// true
}

func ExampleEngine_WriteQuery() {
	ctx := context.Background()
	eng := exampleEngine(ctx)
	defer eng.Close(ctx)

	rows, err := eng.WriteQuery(ctx, "INSERT INTO notes (title) VALUES (?) RETURNING id", "third")
	fmt.Println(rows.Values, err)

	// Query runs on a reader, which never writes.
	_, err = eng.Query(ctx, "DELETE FROM notes RETURNING id")
	fmt.Println(errors.Is(err, liteactor.ErrNotReadOnly))
	// Output:
	// [[3]] <nil>
	// true
}

func ExampleEngine_WriteTx() {
	ctx := context.Background()
	eng := exampleEngine(ctx)
	defer eng.Close(ctx)

	// Several statements, atomically, with arguments and the writer's
	// statement cache; results leave through the handle, not the raw conn.
	var id int64
	err := eng.WriteTx(ctx, func(tx *liteactor.Tx) error {
		if err := tx.QueryRow("INSERT INTO notes (title) VALUES (?) RETURNING id", "draft").Scan(&id); err != nil {
			return err
		}
		_, err := tx.Exec("UPDATE notes SET body = ? WHERE id = ?", "written", id)
		return err
	})
	fmt.Println(id, err)

	err = eng.ReadTx(ctx, func(tx *liteactor.Tx) error {
		var body string
		err := tx.QueryRow("SELECT body FROM notes WHERE id = ?", id).Scan(&body)
		fmt.Println(body)
		return err
	})
	fmt.Println(err)
	// Output:
	// 3 <nil>
	// written
	// <nil>
}
