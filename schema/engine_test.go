package schema

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	"go.uber.org/goleak"

	"github.com/liteactor/liteactor"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func openEngine(t *testing.T, path string) *liteactor.Engine {
	t.Helper()
	eng, err := liteactor.Open(context.Background(), path, liteactor.MinimalConfig())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := eng.Close(context.Background()); err != nil {
			t.Error(err)
		}
	})
	return eng
}

func TestEngineInspectionAndDDL(t *testing.T) {
	ctx := context.Background()
	eng := openEngine(t, filepath.Join(t.TempDir(), "s.db"))
	if _, err := eng.Exec(ctx, hostileDDL); err != nil {
		t.Fatal(err)
	}
	tables, err := Tables(ctx, eng)
	if err != nil || len(tables) != 3 || tables[2].Name != "select" {
		t.Fatalf("Tables = %+v, %v", tables, err)
	}
	added, err := AddColumnIfMissing(ctx, eng, "select", ColumnDef{Name: "where", Type: "TEXT", Constraints: "DEFAULT 'w'"})
	if err != nil || !added {
		t.Fatalf("AddColumnIfMissing = %v, %v", added, err)
	}
	// A write that returned is visible to the next read.
	if ok, err := ColumnExists(ctx, eng, "select", "WHERE"); err != nil || !ok {
		t.Fatalf("ColumnExists after add = %v, %v", ok, err)
	}
	cols, err := Columns(ctx, eng, "select")
	if err != nil || len(cols) != 5 || cols[4].Default != "'w'" {
		t.Fatalf("Columns = %+v, %v", cols, err)
	}
	created, err := CreateIndexIfMissing(ctx, eng, IndexDef{Name: "on where", Table: "select", Columns: []string{"where", "from"}})
	if err != nil || !created {
		t.Fatalf("CreateIndexIfMissing = %v, %v", created, err)
	}
	if ok, err := IndexExists(ctx, eng, "on where"); err != nil || !ok {
		t.Fatalf("IndexExists = %v, %v", ok, err)
	}
	if idx, err := Indexes(ctx, eng, "select"); err != nil || len(idx) != 2 {
		t.Fatalf("Indexes = %+v, %v", idx, err)
	}
	if fks, err := ForeignKeys(ctx, eng, "order items"); err != nil || len(fks) != 1 {
		t.Fatalf("ForeignKeys = %+v, %v", fks, err)
	}
	if ok, err := TableExists(ctx, eng, "order items"); err != nil || !ok {
		t.Fatalf("TableExists = %v, %v", ok, err)
	}
	if _, err := Columns(ctx, eng, "nope"); !errors.Is(err, ErrNoSuchTable) {
		t.Fatalf("Columns(nope) = %v", err)
	}
	// The engine works on: a row using the new column goes in.
	if _, err := eng.Exec(ctx, `INSERT INTO "select" ("from", "where") VALUES (?, ?)`, "f", "w2"); err != nil {
		t.Fatal(err)
	}
}

// Two engines on one file behave like two processes: their writers contend
// for the file's write lock. Racing "add if missing" from both, and from
// several goroutines on each, adds the column and the index exactly once and
// fails nobody.
func TestAddIfMissingRaceAcrossEngines(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "race.db")
	a := openEngine(t, path)
	if _, err := a.Exec(ctx, `CREATE TABLE "the table" ("id" INTEGER PRIMARY KEY, "v" TEXT)`); err != nil {
		t.Fatal(err)
	}
	b := openEngine(t, path)
	var columnsAdded, indexesCreated atomic.Int32
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for i := range 8 {
		eng := a
		if i%2 == 1 {
			eng = b
		}
		wg.Go(func() {
			added, err := AddColumnIfMissing(ctx, eng, "the table", ColumnDef{Name: "new col", Type: "INTEGER"})
			if err != nil {
				errs <- fmt.Errorf("AddColumnIfMissing: %w", err)
			}
			if added {
				columnsAdded.Add(1)
			}
			created, err := CreateIndexIfMissing(ctx, eng, IndexDef{Name: "by new col", Table: "the table", Columns: []string{"new col", "v"}})
			if err != nil {
				errs <- fmt.Errorf("CreateIndexIfMissing: %w", err)
			}
			if created {
				indexesCreated.Add(1)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if columnsAdded.Load() != 1 || indexesCreated.Load() != 1 {
		t.Fatalf("column added %d times, index created %d times; want once each", columnsAdded.Load(), indexesCreated.Load())
	}
	for _, eng := range []*liteactor.Engine{a, b} {
		cols, err := Columns(ctx, eng, "the table")
		if err != nil || len(cols) != 3 || cols[2].Name != "new col" {
			t.Fatalf("Columns = %+v, %v", cols, err)
		}
	}
}
