package backup_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/liteactor/liteactor"
	"github.com/liteactor/liteactor/backup"
)

func Example() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "backup-example-")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	cfg := liteactor.MinimalConfig()
	eng, err := liteactor.Open(ctx, filepath.Join(dir, "app.db"), cfg)
	if err != nil {
		panic(err)
	}
	if _, err := eng.Exec(ctx, "CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('kept')"); err != nil {
		panic(err)
	}

	// Online backup, verified before it is put in place.
	copyPath := filepath.Join(dir, "app-backup.db")
	res, err := backup.ToFile(ctx, eng, copyPath, backup.Options{Verify: true})
	fmt.Println(res.Method, res.Verified, err)

	// A later mistake...
	if _, err := eng.Exec(ctx, "DELETE FROM notes"); err != nil {
		panic(err)
	}
	// ...undone: drain, swap, reopen. Use the returned engine from now on.
	eng, err = backup.Restore(ctx, eng, copyPath, cfg, backup.RestoreOptions{})
	if err != nil {
		panic(err)
	}
	defer eng.Close(ctx)
	rows, _ := eng.Query(ctx, "SELECT body FROM notes")
	fmt.Println(rows.Values)
	// Output:
	// stepped true <nil>
	// [[kept]]
}
