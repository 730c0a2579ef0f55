package schema_test

import (
	"context"
	"fmt"

	"github.com/liteactor/liteactor"
	"github.com/liteactor/liteactor/schema"
)

// Additive DDL that is safe to run at every start: quoted identifiers, and a
// second run changes nothing.
func ExampleAddColumnIfMissing() {
	ctx := context.Background()
	eng, err := liteactor.Open(ctx, ":memory:", liteactor.MinimalConfig())
	if err != nil {
		panic(err)
	}
	defer eng.Close(ctx)
	if _, err := eng.Exec(ctx, `CREATE TABLE "order" ("id" INTEGER PRIMARY KEY)`); err != nil {
		panic(err)
	}
	for range 2 {
		added, err := schema.AddColumnIfMissing(ctx, eng, "order", schema.ColumnDef{Name: "group", Type: "TEXT", Constraints: "NOT NULL DEFAULT ''"})
		fmt.Println("added:", added, err)
		created, err := schema.CreateIndexIfMissing(ctx, eng, schema.IndexDef{Name: "order by group", Table: "order", Columns: []string{"group"}})
		fmt.Println("created:", created, err)
	}
	cols, _ := schema.Columns(ctx, eng, "order")
	for _, c := range cols {
		fmt.Printf("%s %s notnull=%v\n", c.Name, c.Type, c.NotNull)
	}
	// Output:
	// added: true <nil>
	// created: true <nil>
	// added: false <nil>
	// created: false <nil>
	// id INTEGER notnull=false
	// group TEXT notnull=true
}
