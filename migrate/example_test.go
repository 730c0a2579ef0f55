package migrate_test

import (
	"context"
	"embed"
	"fmt"
	"os"
	"path/filepath"

	"github.com/liteactor/liteactor"
	"github.com/liteactor/liteactor/migrate"
	"github.com/ncruces/go-sqlite3"
)

//go:embed testdata/migrations/*.sql
var migrationFiles embed.FS

// openTemp opens an engine on a new file in a temporary directory; done
// closes it and removes the directory.
func openTemp() (eng *liteactor.Engine, done func(), err error) {
	dir, err := os.MkdirTemp("", "migrate-example")
	if err != nil {
		return nil, nil, err
	}
	eng, err = liteactor.Open(context.Background(), filepath.Join(dir, "app.db"), liteactor.MinimalConfig())
	if err != nil {
		os.RemoveAll(dir)
		return nil, nil, err
	}
	return eng, func() { eng.Close(context.Background()); os.RemoveAll(dir) }, nil
}

func ExampleUp() {
	ctx := context.Background()
	eng, done, err := openTemp()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer done()

	ms := []migrate.Migration{
		migrate.Baseline("1.0.0", `CREATE TABLE users(id INTEGER PRIMARY KEY, name TEXT NOT NULL);`).
			WithDescription("users"),
		migrate.Incremental("1.1.0", "1.0.0", `ALTER TABLE users ADD COLUMN email TEXT;
CREATE UNIQUE INDEX users_email ON users(email);`).
			WithDescription("email"),
	}
	rep, err := migrate.Up(ctx, eng, ms, migrate.AppName("example"))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("from %q to %s\n", rep.Before, rep.After)
	for _, r := range rep.Applied {
		fmt.Println("applied", r.Kind, r.Version, r.Description)
	}

	// Running it again applies nothing.
	rep, _ = migrate.Up(ctx, eng, ms)
	fmt.Println("second run applied", len(rep.Applied))
	// Output:
	// from "" to 1.1.0
	// applied baseline 1.0.0 users
	// applied incremental 1.1.0 email
	// second run applied 0
}

func ExampleUp_dryRun() {
	ctx := context.Background()
	eng, done, err := openTemp()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer done()

	ms, err := migrate.LoadFS(migrationFiles, "testdata/migrations")
	if err != nil {
		fmt.Println(err)
		return
	}
	rep, err := migrate.Up(ctx, eng, ms, migrate.DryRun())
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range rep.Applied {
		fmt.Println("would apply", r.Version)
	}
	v, _ := migrate.Current(ctx, eng)
	fmt.Printf("still at %q\n", v)
	// Output:
	// would apply 1.0.0
	// would apply 1.1.0
	// would apply 1.2.0
	// still at ""
}

func ExampleLoadFS() {
	ms, err := migrate.LoadFS(migrationFiles, "testdata/migrations")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, m := range ms {
		fmt.Printf("%s %s from %q: %s\n", m.Kind(), m.Version(), m.From(), m.Description())
	}
	fmt.Println("chain ok:", migrate.CheckChain(ms) == nil)
	// Output:
	// baseline 1.0.0 from "": baseline
	// incremental 1.1.0 from "1.0.0": add email
	// incremental 1.2.0 from "1.1.0": orders
	// chain ok: true
}

func ExampleCurrent() {
	ctx := context.Background()
	eng, done, err := openTemp()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer done()

	v, err := migrate.Current(ctx, eng)
	fmt.Printf("fresh: %q, %v\n", v, err)
	ms, _ := migrate.LoadFS(migrationFiles, "testdata/migrations")
	if _, err := migrate.Up(ctx, eng, ms); err != nil {
		fmt.Println(err)
		return
	}
	v, err = migrate.Current(ctx, eng)
	fmt.Printf("migrated: %q, %v\n", v, err)
	// Output:
	// fresh: "", <nil>
	// migrated: "1.2.0", <nil>
}

func ExampleHistory() {
	ctx := context.Background()
	eng, done, err := openTemp()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer done()

	ms, _ := migrate.LoadFS(migrationFiles, "testdata/migrations")
	if _, err := migrate.Up(ctx, eng, ms, migrate.AppName("billing")); err != nil {
		fmt.Println(err)
		return
	}
	h, _ := migrate.History(ctx, eng)
	for _, r := range h {
		fmt.Println(r.Version, r.Kind, r.AppName, len(r.Checksum), !r.AppliedAt.IsZero())
	}
	// Output:
	// 1.0.0 baseline billing 64 true
	// 1.1.0 incremental billing 64 true
	// 1.2.0 incremental billing 64 true
}

func ExampleIncrementalFunc() {
	ctx := context.Background()
	eng, done, err := openTemp()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer done()

	ms := []migrate.Migration{
		migrate.Baseline("1.0.0", `CREATE TABLE settings(key TEXT PRIMARY KEY, value TEXT);`),
		// A data migration in Go; bump the revision if its behaviour ever changes.
		migrate.IncrementalFunc("1.1.0", "1.0.0", func(conn *sqlite3.Conn) error {
			return conn.Exec(`INSERT INTO settings VALUES ('theme', 'dark'), ('lang', 'en')`)
		}).WithDescription("default settings").WithRevision("2024-06-01"),
	}
	if _, err := migrate.Up(ctx, eng, ms); err != nil {
		fmt.Println(err)
		return
	}
	rows, _ := eng.Query(ctx, `SELECT count(*) FROM settings`)
	fmt.Println("settings:", rows.Values[0][0])
	// Output:
	// settings: 2
}

func ExampleRepair() {
	ctx := context.Background()
	eng, done, err := openTemp()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer done()

	ms, _ := migrate.LoadFS(migrationFiles, "testdata/migrations")
	if _, err := migrate.Up(ctx, eng, ms); err != nil {
		fmt.Println(err)
		return
	}
	eng.Exec(ctx, `DROP INDEX orders_user`) // lost by accident

	v, err := migrate.Validate(ctx, eng)
	fmt.Println("valid:", err == nil, "missing:", len(v.Missing))
	rep, err := migrate.Repair(ctx, eng)
	for _, o := range rep.Recreated {
		fmt.Println("recreated", o.Type, o.Name, "from", o.Version)
	}
	fmt.Println("valid after repair:", err == nil)
	// Output:
	// valid: false missing: 1
	// recreated index orders_user from 1.2.0
	// valid after repair: true
}

func ExampleReset() {
	ctx := context.Background()
	eng, done, err := openTemp()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer done()

	ms, _ := migrate.LoadFS(migrationFiles, "testdata/migrations")
	migrate.Up(ctx, eng, ms)
	eng.Exec(ctx, `INSERT INTO users(name) VALUES ('test user')`)

	_, err = migrate.Reset(ctx, eng, ms)
	fmt.Println("without confirm:", err != nil)
	rep, err := migrate.Reset(ctx, eng, ms, migrate.ConfirmReset())
	if err != nil {
		fmt.Println(err)
		return
	}
	rows, _ := eng.Query(ctx, `SELECT count(*) FROM users`)
	fmt.Println("reset to", rep.After, "users:", rows.Values[0][0])
	// Output:
	// without confirm: true
	// reset to 1.2.0 users: 0
}
