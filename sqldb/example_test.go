package sqldb_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/liteactor/liteactor"
	"github.com/liteactor/liteactor/sqldb"
)

// ExampleOpenDB runs database/sql on an engine: a group-committed Exec, an
// INSERT ... RETURNING (on the writer), an interactive transaction and a
// streamed query.
func ExampleOpenDB() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "sqldb-example-")
	defer os.RemoveAll(dir)
	eng, err := liteactor.Open(ctx, filepath.Join(dir, "app.db"), liteactor.MinimalConfig())
	if err != nil {
		fmt.Println(err)
		return
	}
	defer eng.Close(ctx)
	db := sqldb.OpenDB(eng)
	defer db.Close()

	db.ExecContext(ctx, `CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL, at DATETIME DEFAULT CURRENT_TIMESTAMP)`)
	var id int64
	db.QueryRowContext(ctx, `INSERT INTO notes (body) VALUES (?) RETURNING id`, "first").Scan(&id)

	tx, _ := db.BeginTx(ctx, nil)
	tx.ExecContext(ctx, `UPDATE notes SET body = body || ' (edited)' WHERE id = ?`, id)
	tx.Commit()

	rows, _ := db.QueryContext(ctx, `SELECT id, body FROM notes`)
	defer rows.Close()
	for rows.Next() {
		var body string
		rows.Scan(&id, &body)
		fmt.Println(id, body)
	}
	// Output: 1 first (edited)
}
