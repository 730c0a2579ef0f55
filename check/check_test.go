package check

import (
	"context"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/ncruces/go-sqlite3"
	"go.uber.org/goleak"

	"github.com/liteactor/liteactor"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// plant prepares a database file with a raw connection (foreign keys off,
// writable schema allowed) before any engine opens it.
func plant(t *testing.T, sql string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "check.db")
	conn, err := sqlite3.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if err := conn.Exec("PRAGMA journal_mode=WAL; PRAGMA foreign_keys=OFF;" + sql); err != nil {
		t.Fatal(err)
	}
	return path
}

func open(t *testing.T, path string) *liteactor.Engine {
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

const fkSchema = `
CREATE TABLE parent (id INTEGER PRIMARY KEY);
CREATE TABLE child (id INTEGER PRIMARY KEY, p INTEGER REFERENCES parent(id));
CREATE TABLE "odd child" (k TEXT PRIMARY KEY, q INTEGER, p INTEGER, FOREIGN KEY (q) REFERENCES child(id), FOREIGN KEY (p) REFERENCES parent(id)) WITHOUT ROWID;
INSERT INTO parent VALUES (1), (2);
INSERT INTO child VALUES (10, 1), (11, 2);
INSERT INTO "odd child" VALUES ('fine', 10, 1);
`

func TestCleanDatabasePassesEveryCheck(t *testing.T) {
	eng := open(t, plant(t, fkSchema))
	ctx := context.Background()
	for name, f := range map[string]func(context.Context, *liteactor.Engine, Options) (Report, error){"integrity": Integrity, "quick": Quick} {
		r, err := f(ctx, eng, Options{})
		if err != nil || !r.OK || len(r.Findings) != 0 {
			t.Errorf("%s = %+v, %v; want OK", name, r, err)
		}
	}
	v, err := ForeignKeys(ctx, eng, "")
	if err != nil || len(v) != 0 {
		t.Fatalf("ForeignKeys = %+v, %v; want none", v, err)
	}
}

func TestForeignKeysReportsViolationsPlantedWithForeignKeysOff(t *testing.T) {
	eng := open(t, plant(t, fkSchema+`
		INSERT INTO child VALUES (12, 99);                -- no parent 99
		INSERT INTO "odd child" VALUES ('bad', 77, 2);    -- no child 77
	`))
	ctx := context.Background()
	v, err := ForeignKeys(ctx, eng, "")
	if err != nil {
		t.Fatal(err)
	}
	// foreign_key_list numbers constraints in reverse declaration order:
	// "odd child"'s p -> parent is id 0, q -> child is id 1.
	want := []Violation{
		{Table: "child", RowID: 12, HasRowID: true, Parent: "parent", FKIndex: 0},
		{Table: "odd child", Parent: "child", FKIndex: 1},
	}
	if !reflect.DeepEqual(v, want) {
		t.Fatalf("ForeignKeys =\n%+v\nwant\n%+v", v, want)
	}
	only, err := ForeignKeys(ctx, eng, "odd child")
	if err != nil || !reflect.DeepEqual(only, want[1:]) {
		t.Fatalf("ForeignKeys(odd child) = %+v, %v", only, err)
	}
	// An FK violation is not a structural fault.
	if r, err := Integrity(ctx, eng, Options{}); err != nil || !r.OK {
		t.Fatalf("Integrity = %+v, %v", r, err)
	}
}

func TestForeignKeysReportsViolationPlantedThroughExclusive(t *testing.T) {
	eng := open(t, plant(t, fkSchema))
	ctx := context.Background()
	err := eng.Exclusive(ctx, func(conn *sqlite3.Conn) error {
		return conn.Exec("PRAGMA foreign_keys=OFF; INSERT INTO child VALUES (13, 42); PRAGMA foreign_keys=ON")
	})
	if err != nil {
		t.Fatal(err)
	}
	// With foreign_keys back on, the same insert is refused.
	if _, err := eng.Exec(ctx, "INSERT INTO child VALUES (14, 43)"); err == nil {
		t.Fatal("engine accepted an FK violation with foreign_keys=ON")
	}
	v, err := ForeignKeys(ctx, eng, "child")
	want := []Violation{{Table: "child", RowID: 13, HasRowID: true, Parent: "parent", FKIndex: 0}}
	if err != nil || !reflect.DeepEqual(v, want) {
		t.Fatalf("ForeignKeys = %+v, %v; want %+v", v, err, want)
	}
}

// nullFault: a NULL stored in a column declared NOT NULL afterwards through
// writable_schema. Both checks verify NOT NULL.
const nullFault = `
CREATE TABLE t (a, b);
INSERT INTO t VALUES (1, 'x'), (NULL, 'y'), (NULL, 'z');
PRAGMA writable_schema=ON;
UPDATE sqlite_schema SET sql = 'CREATE TABLE t (a NOT NULL, b)' WHERE name = 't';
PRAGMA writable_schema=OFF;
`

func TestIntegrityAndQuickReportANotNullFault(t *testing.T) {
	eng := open(t, plant(t, nullFault))
	ctx := context.Background()
	for name, f := range map[string]func(context.Context, *liteactor.Engine, Options) (Report, error){"integrity": Integrity, "quick": Quick} {
		r, err := f(ctx, eng, Options{})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if r.OK || len(r.Findings) != 2 || !strings.Contains(r.Findings[0], "NULL value in t.a") {
			t.Errorf("%s = %+v; want two NULL findings", name, r)
		}
		r, err = f(ctx, eng, Options{MaxFindings: 1})
		if err != nil || r.OK || len(r.Findings) != 1 {
			t.Errorf("%s with MaxFindings 1 = %+v, %v", name, r, err)
		}
	}
}

// indexFault: an index whose recorded definition no longer matches its
// contents, so rows are "missing from index". quick_check does not compare
// index contents and does not see it.
const indexFault = `
CREATE TABLE t (a, b);
CREATE TABLE clean (x);
CREATE INDEX t_a ON t (a);
INSERT INTO t VALUES (1, 100), (2, 200), (3, 300);
PRAGMA writable_schema=ON;
UPDATE sqlite_schema SET sql = 'CREATE INDEX t_a ON t (b)' WHERE name = 't_a';
PRAGMA writable_schema=OFF;
`

func TestIntegrityReportsAnIndexFaultThatQuickMisses(t *testing.T) {
	eng := open(t, plant(t, indexFault))
	ctx := context.Background()
	r, err := Integrity(ctx, eng, Options{})
	if err != nil {
		t.Fatal(err)
	}
	missing := 0
	for _, f := range r.Findings {
		if strings.Contains(f, "missing from index t_a") {
			missing++
		}
	}
	if r.OK || missing != 3 {
		t.Fatalf("Integrity = %+v; want 3 rows missing from index t_a", r)
	}
	if q, err := Quick(ctx, eng, Options{}); err != nil || !q.OK {
		t.Fatalf("Quick = %+v, %v; quick_check does not compare index contents", q, err)
	}
	// Limited to an unaffected table, the check passes.
	if r, err := Integrity(ctx, eng, Options{Table: "clean"}); err != nil || !r.OK {
		t.Fatalf("Integrity(clean) = %+v, %v", r, err)
	}
	if r, err := Integrity(ctx, eng, Options{Table: "t"}); err != nil || r.OK {
		t.Fatalf("Integrity(t) = %+v, %v; want findings", r, err)
	}
}

func TestChecksFailOnAClosedEngine(t *testing.T) {
	eng := open(t, plant(t, fkSchema))
	if err := eng.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := Integrity(context.Background(), eng, Options{}); err == nil {
		t.Fatal("Integrity on a closed engine succeeded")
	}
	if _, err := ForeignKeys(context.Background(), eng, ""); err == nil {
		t.Fatal("ForeignKeys on a closed engine succeeded")
	}
	if _, err := Integrity(context.Background(), eng, Options{MaxFindings: -1}); err == nil {
		t.Fatal("negative MaxFindings accepted")
	}
}
