package schema

import (
	"errors"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/ncruces/go-sqlite3"
)

// hostileDDL creates tables whose names need quoting: spaces, quotes,
// keywords.
const hostileDDL = `
PRAGMA foreign_keys = ON;
CREATE TABLE "select" (
	"id" INTEGER PRIMARY KEY,
	"from" TEXT NOT NULL DEFAULT 'x',
	"a ""quoted"" col" REAL,
	"total" INTEGER GENERATED ALWAYS AS ("id" * 2) VIRTUAL,
	UNIQUE ("from")
);
CREATE TABLE "order items" (
	"item id" INTEGER NOT NULL,
	"select id" INTEGER REFERENCES "select"("id") ON DELETE CASCADE,
	"group" TEXT,
	PRIMARY KEY ("item id", "group")
) WITHOUT ROWID;
CREATE TABLE child2 (a, b, FOREIGN KEY (a, b) REFERENCES "order items" ("item id", "group"));
CREATE INDEX "idx where" ON "order items" ("group" DESC, "select id") WHERE "group" IS NOT NULL;
CREATE INDEX expr_idx ON child2 (a + b);
CREATE VIEW "v" AS SELECT "id" FROM "select";
`

func openRaw(t *testing.T) *sqlite3.Conn {
	t.Helper()
	conn, err := sqlite3.Open(filepath.Join(t.TempDir(), "schema.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	if err := conn.Exec(hostileDDL); err != nil {
		t.Fatal(err)
	}
	return conn
}

func TestInspectorListsTables(t *testing.T) {
	in := Inspect(openRaw(t))
	tables, err := in.Tables()
	if err != nil {
		t.Fatal(err)
	}
	want := []Table{
		{Name: "child2", Type: "table", Columns: 2},
		{Name: "order items", Type: "table", Columns: 3, WithoutRowID: true},
		{Name: "select", Type: "table", Columns: 4},
	}
	if !reflect.DeepEqual(tables, want) {
		t.Fatalf("Tables = %+v\nwant %+v", tables, want)
	}
}

func TestInspectorListsColumns(t *testing.T) {
	in := Inspect(openRaw(t))
	cols, err := in.Columns("SELECT") // case-insensitive, like SQLite
	if err != nil {
		t.Fatal(err)
	}
	want := []Column{
		{Name: "id", Type: "INTEGER", PrimaryKey: 1},
		{Name: "from", Type: "TEXT", NotNull: true, Default: "'x'", HasDefault: true},
		{Name: `a "quoted" col`, Type: "REAL"},
		{Name: "total", Type: "INTEGER", Hidden: 2},
	}
	if !reflect.DeepEqual(cols, want) {
		t.Fatalf("Columns = %+v\nwant %+v", cols, want)
	}
	if cols, err := in.Columns("v"); err != nil || len(cols) != 1 || cols[0].Name != "id" {
		t.Fatalf("Columns(view) = %+v, %v", cols, err)
	}
	if _, err := in.Columns("missing"); !errors.Is(err, ErrNoSuchTable) {
		t.Fatalf("Columns(missing) err = %v", err)
	}
}

func TestInspectorListsIndexes(t *testing.T) {
	in := Inspect(openRaw(t))
	idx, err := in.Indexes("order items")
	if err != nil {
		t.Fatal(err)
	}
	want := []Index{
		{Name: "idx where", Table: "order items", Origin: "c", Partial: true, Columns: []IndexColumn{
			{Name: "group", Desc: true, Collation: "BINARY"}, {Name: "select id", Collation: "BINARY"}}},
		{Name: "sqlite_autoindex_order items_1", Table: "order items", Unique: true, Origin: "pk", Columns: []IndexColumn{
			{Name: "item id", Collation: "BINARY"}, {Name: "group", Collation: "BINARY"}}},
	}
	if !reflect.DeepEqual(idx, want) {
		t.Fatalf("Indexes = %+v\nwant %+v", idx, want)
	}
	idx, err = in.Indexes("child2")
	if err != nil || len(idx) != 1 || !idx[0].Columns[0].Expression {
		t.Fatalf("expression index = %+v, %v", idx, err)
	}
}

func TestInspectorListsForeignKeys(t *testing.T) {
	in := Inspect(openRaw(t))
	fks, err := in.ForeignKeys("CHILD2")
	if err != nil {
		t.Fatal(err)
	}
	want := []ForeignKey{{ID: 0, Table: "child2", Parent: "order items", From: []string{"a", "b"}, To: []string{"item id", "group"},
		OnUpdate: "NO ACTION", OnDelete: "NO ACTION", Match: "NONE"}}
	if !reflect.DeepEqual(fks, want) {
		t.Fatalf("ForeignKeys = %+v\nwant %+v", fks, want)
	}
	fks, err = in.ForeignKeys("order items")
	if err != nil || len(fks) != 1 || fks[0].OnDelete != "CASCADE" || fks[0].Parent != "select" {
		t.Fatalf("ForeignKeys(order items) = %+v, %v", fks, err)
	}
	if fks, err := in.ForeignKeys("select"); err != nil || len(fks) != 0 {
		t.Fatalf("ForeignKeys(select) = %+v, %v", fks, err)
	}
}

func TestInspectorExists(t *testing.T) {
	in := Inspect(openRaw(t))
	checks := []struct {
		name string
		got  func() (bool, error)
		want bool
	}{
		{"table", func() (bool, error) { return in.TableExists("Order Items") }, true},
		{"view is not a table", func() (bool, error) { return in.TableExists("v") }, false},
		{"missing table", func() (bool, error) { return in.TableExists("nope") }, false},
		{"index", func() (bool, error) { return in.IndexExists("IDX WHERE") }, true},
		{"auto index", func() (bool, error) { return in.IndexExists("sqlite_autoindex_select_1") }, true},
		{"missing index", func() (bool, error) { return in.IndexExists("idx") }, false},
		{"column", func() (bool, error) { return in.ColumnExists("select", `A "QUOTED" COL`) }, true},
		{"generated column", func() (bool, error) { return in.ColumnExists("select", "total") }, true},
		{"missing column", func() (bool, error) { return in.ColumnExists("select", "nope") }, false},
	}
	for _, c := range checks {
		got, err := c.got()
		if err != nil || got != c.want {
			t.Errorf("%s: %v, %v; want %v", c.name, got, err, c.want)
		}
	}
	if _, err := in.ColumnExists("nope", "x"); !errors.Is(err, ErrNoSuchTable) {
		t.Errorf("ColumnExists on a missing table: %v", err)
	}
}

func TestAddColumnIfMissing(t *testing.T) {
	conn := openRaw(t)
	in := Inspect(conn)
	col := ColumnDef{Name: `new "col"`, Type: "INTEGER", Constraints: "NOT NULL DEFAULT 7"}
	added, err := in.AddColumnIfMissing("order items", col)
	if err != nil || !added {
		t.Fatalf("first AddColumnIfMissing = %v, %v", added, err)
	}
	added, err = in.AddColumnIfMissing("ORDER ITEMS", ColumnDef{Name: `NEW "COL"`, Type: "TEXT"})
	if err != nil || added {
		t.Fatalf("second AddColumnIfMissing = %v, %v; want false, nil", added, err)
	}
	cols, err := in.Columns("order items")
	if err != nil {
		t.Fatal(err)
	}
	last := cols[len(cols)-1]
	if len(cols) != 4 || last.Name != `new "col"` || last.Type != "INTEGER" || last.Default != "7" {
		t.Fatalf("columns after add = %+v", cols)
	}
	if _, err := in.AddColumnIfMissing("nope", col); !errors.Is(err, ErrNoSuchTable) {
		t.Fatalf("missing table: %v", err)
	}
	// SQLite's own refusal passes through.
	if _, err := in.AddColumnIfMissing("select", ColumnDef{Name: "u", Constraints: "UNIQUE"}); err == nil {
		t.Fatal("ADD COLUMN ... UNIQUE accepted")
	}
}

func TestAddColumnRejectsASecondStatement(t *testing.T) {
	conn := openRaw(t)
	in := Inspect(conn)
	_, err := in.AddColumnIfMissing("select", ColumnDef{Name: "x", Constraints: `DEFAULT 0; DROP TABLE "order items"`})
	if !errors.Is(err, ErrInvalidDefinition) {
		t.Fatalf("err = %v, want ErrInvalidDefinition", err)
	}
	if ok, err := in.TableExists("order items"); err != nil || !ok {
		t.Fatalf("the smuggled DROP ran: %v, %v", ok, err)
	}
	// A trailing semicolon and comment are not a second statement.
	if added, err := in.AddColumnIfMissing("select", ColumnDef{Name: "y", Constraints: "DEFAULT 1; -- done"}); err != nil || !added {
		t.Fatalf("trailing comment: %v, %v", added, err)
	}
}

func TestDuplicateColumnRaceIsRecognised(t *testing.T) {
	conn := openRaw(t)
	// What the losing side of a race sees: the ALTER itself fails.
	err := execOne(conn, `ALTER TABLE "select" ADD COLUMN "from" TEXT`)
	if err == nil || !isDuplicateColumn(err) {
		t.Fatalf("duplicate ALTER error %v not recognised", err)
	}
	if isDuplicateColumn(sqlite3.CONSTRAINT) || isDuplicateColumn(nil) {
		t.Fatal("other errors taken for a duplicate column")
	}
}

func TestCreateIndexIfMissing(t *testing.T) {
	in := Inspect(openRaw(t))
	def := IndexDef{Name: "by from", Table: "select", Columns: []string{"from", `a "quoted" col`}}
	created, err := in.CreateIndexIfMissing(def)
	if err != nil || !created {
		t.Fatalf("first CreateIndexIfMissing = %v, %v", created, err)
	}
	def.Name, def.Table = "BY FROM", "SELECT"
	created, err = in.CreateIndexIfMissing(def)
	if err != nil || created {
		t.Fatalf("second CreateIndexIfMissing = %v, %v; want false, nil", created, err)
	}
	conflicts := []IndexDef{
		{Name: "by from", Table: "select", Columns: []string{"from"}},
		{Name: "by from", Table: "select", Columns: []string{"from", `a "quoted" col`}, Unique: true},
		{Name: "by from", Table: "child2", Columns: []string{"a"}},
		{Name: "idx where", Table: "order items", Columns: []string{"group", "select id"}}, // not partial
	}
	for _, c := range conflicts {
		if _, err := in.CreateIndexIfMissing(c); !errors.Is(err, ErrIndexConflict) {
			t.Errorf("%+v: err = %v, want ErrIndexConflict", c, err)
		}
	}
	if _, err := in.CreateIndexIfMissing(IndexDef{Name: "x", Table: "nope", Columns: []string{"a"}}); !errors.Is(err, ErrNoSuchTable) {
		t.Fatalf("missing table: %v", err)
	}
	created, err = in.CreateIndexIfMissing(IndexDef{Name: "partial u", Table: "child2", Columns: []string{"b"}, Unique: true, Where: "b > 0"})
	if err != nil || !created {
		t.Fatalf("partial unique index: %v, %v", created, err)
	}
}
