package check_test

import (
	"context"
	"fmt"

	"github.com/ncruces/go-sqlite3"

	"github.com/liteactor/liteactor"
	"github.com/liteactor/liteactor/check"
)

func ExampleForeignKeys() {
	ctx := context.Background()
	eng, err := liteactor.Open(ctx, ":memory:", liteactor.MinimalConfig())
	if err != nil {
		panic(err)
	}
	defer eng.Close(ctx)
	// A row written while foreign keys were off.
	err = eng.Exclusive(ctx, func(conn *sqlite3.Conn) error {
		return conn.Exec(`CREATE TABLE author (id INTEGER PRIMARY KEY);
			CREATE TABLE book (id INTEGER PRIMARY KEY, author INTEGER REFERENCES author (id));
			PRAGMA foreign_keys = OFF; INSERT INTO book VALUES (7, 99); PRAGMA foreign_keys = ON;`)
	})
	if err != nil {
		panic(err)
	}
	violations, err := check.ForeignKeys(ctx, eng, "")
	fmt.Printf("%+v %v\n", violations, err)
	report, err := check.Integrity(ctx, eng, check.Options{})
	fmt.Println(report.OK, err)
	// Output:
	// [{Table:book RowID:7 HasRowID:true Parent:author FKIndex:0}] <nil>
	// true <nil>
}
