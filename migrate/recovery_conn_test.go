package migrate

import (
	"bytes"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ncruces/go-sqlite3"
	"github.com/ncruces/go-sqlite3/ext/rtree"
)

func applyAll(t *testing.T, conn *sqlite3.Conn, ms []Migration, o *options) {
	t.Helper()
	c, err := newChain(ms)
	if err != nil {
		t.Fatal(err)
	}
	for {
		res, err := stepRaw(t, conn, c, o)
		if err != nil {
			t.Fatal(err)
		}
		if !res.attempted {
			return
		}
	}
}

var shopChain = []Migration{
	Baseline("1.0.0", `CREATE TABLE customers(id INTEGER PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE orders(id INTEGER PRIMARY KEY, customer_id INTEGER REFERENCES customers(id), total REAL);
CREATE INDEX orders_customer ON orders(customer_id);`),
	Incremental("1.1.0", "1.0.0", `ALTER TABLE customers ADD COLUMN email TEXT;
CREATE UNIQUE INDEX customers_email ON customers(email);
CREATE VIEW big_orders AS SELECT * FROM orders WHERE total > 100;
CREATE TRIGGER orders_positive BEFORE INSERT ON orders WHEN NEW.total < 0 BEGIN SELECT RAISE(ABORT, 'negative'); END;`),
}

func TestValidateConnHealthy(t *testing.T) {
	conn := openRaw(t)
	o := testOptions(t)
	applyAll(t, conn, shopChain, o)
	v, err := validateConn(conn, o.table)
	if err != nil {
		t.Fatal(err)
	}
	if !v.OK() || v.Err() != nil || v.Version != "1.1.0" {
		t.Fatalf("validation = %+v", v)
	}
}

func TestValidateConnFindsMissingChangedAndForeignKeys(t *testing.T) {
	conn := openRaw(t)
	o := testOptions(t)
	applyAll(t, conn, shopChain, o)
	mustExec(t, conn, `PRAGMA foreign_keys = OFF; DROP VIEW big_orders; DROP INDEX orders_customer;
DROP INDEX customers_email; CREATE INDEX customers_email ON customers(name);
INSERT INTO orders(customer_id, total) VALUES (42, 1);`)
	v, err := validateConn(conn, o.table)
	if err != nil {
		t.Fatal(err)
	}
	if names := objectNames(v.Missing); names != "index orders_customer (from 1.0.0), view big_orders (from 1.1.0)" {
		t.Fatalf("missing = %s", names)
	}
	if len(v.Changed) != 1 || v.Changed[0].Name != "customers_email" {
		t.Fatalf("changed = %+v", v.Changed)
	}
	if len(v.ForeignKeys) != 1 || v.ForeignKeys[0].Table != "orders" || v.ForeignKeys[0].Parent != "customers" {
		t.Fatalf("foreign keys = %+v", v.ForeignKeys)
	}
	err = v.Err()
	wantErr(t, err, ErrValidationFailed, "orders_customer", "big_orders", "customers_email", "foreign_key_check")
}

// corruptIndex builds an index whose entries are ordered by a collation
// that then changes meaning: integrity_check reports the index as damaged,
// and REINDEX rebuilds it.
func corruptIndex(t *testing.T, path string) {
	t.Helper()
	conn, err := sqlite3.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if err := conn.CreateCollation("flip", bytes.Compare); err != nil {
		t.Fatal(err)
	}
	mustExec(t, conn, `CREATE TABLE words(w TEXT); CREATE INDEX words_w ON words(w COLLATE flip);
INSERT INTO words VALUES ('a'),('b'),('c'),('d'),('e'),('f');`)
}

func reversed(a, b []byte) int { return bytes.Compare(b, a) }

func TestRepairConnReindexesDamagedIndex(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.db")
	corruptIndex(t, path)
	conn, err := sqlite3.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if err := conn.CreateCollation("flip", reversed); err != nil {
		t.Fatal(err)
	}
	v, err := validateConn(conn, DefaultTable)
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Integrity) == 0 || !strings.Contains(strings.Join(v.Integrity, "\n"), "words_w") {
		t.Fatalf("integrity findings = %q", v.Integrity)
	}
	mustExec(t, conn, `BEGIN IMMEDIATE`)
	rep, err := repairConn(conn, DefaultTable, v.Integrity)
	if err != nil {
		t.Fatal(err)
	}
	mustExec(t, conn, `COMMIT`)
	if len(rep.Reindexed) != 1 || rep.Reindexed[0] != "words_w" {
		t.Fatalf("reindexed = %q", rep.Reindexed)
	}
	if v, err := validateConn(conn, DefaultTable); err != nil || !v.OK() {
		t.Fatalf("after repair: %+v %v", v, err)
	}
}

func TestRepairConnRecreatesMissingAndNeverDrops(t *testing.T) {
	conn := openRaw(t)
	o := testOptions(t)
	applyAll(t, conn, shopChain, o)
	mustExec(t, conn, `INSERT INTO customers(name, email) VALUES ('ann', 'a@x');
DROP TRIGGER orders_positive; DROP INDEX orders_customer; DROP VIEW big_orders`)
	mustExec(t, conn, `BEGIN IMMEDIATE`)
	rep, err := repairConn(conn, o.table, nil)
	if err != nil {
		t.Fatal(err)
	}
	mustExec(t, conn, `COMMIT`)
	if names := objectNames(rep.Recreated); names != "index orders_customer (from 1.0.0), view big_orders (from 1.1.0), trigger orders_positive (from 1.1.0)" {
		t.Fatalf("recreated = %s", names)
	}
	if v, err := validateConn(conn, o.table); err != nil || !v.OK() {
		t.Fatalf("after repair: %+v %v", v, err)
	}
	if n := countRows(t, conn, `SELECT count(*) FROM customers`); n != 1 {
		t.Fatalf("repair lost data: %d customers", n)
	}
}

func TestRepairConnFailureChangesNothing(t *testing.T) {
	conn := openRaw(t)
	o := testOptions(t)
	applyAll(t, conn, shopChain, o)
	// Without its unique index, duplicates got in: the index cannot be recreated.
	mustExec(t, conn, `DROP INDEX customers_email; DROP INDEX orders_customer;
INSERT INTO customers(name, email) VALUES ('a', 'same'), ('b', 'same');`)
	mustExec(t, conn, `BEGIN IMMEDIATE`)
	_, err := repairConn(conn, o.table, nil)
	mustExec(t, conn, `ROLLBACK`)
	if !errors.Is(err, sqlite3.CONSTRAINT) || !strings.Contains(err.Error(), "customers_email") || !strings.Contains(err.Error(), "1.1.0") {
		t.Fatalf("err = %v, want a constraint error naming customers_email and its migration", err)
	}
	if n := countRows(t, conn, `SELECT count(*) FROM customers`); n != 2 {
		t.Fatalf("customers = %d, want the 2 rows untouched", n)
	}
	v, err := validateConn(conn, o.table)
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Missing) != 2 {
		t.Fatalf("missing after failed repair = %+v, want both still missing (nothing half-done)", v.Missing)
	}
}

func TestResetConnDropsEverythingAndReapplies(t *testing.T) {
	conn := openRaw(t)
	if err := rtree.Register(conn); err != nil {
		t.Fatal(err)
	}
	o := testOptions(t)
	applyAll(t, conn, shopChain, o)
	mustExec(t, conn, `INSERT INTO customers(name) VALUES ('x');
CREATE TABLE stray(a INTEGER PRIMARY KEY AUTOINCREMENT); INSERT INTO stray VALUES (NULL);
CREATE VIRTUAL TABLE rt USING rtree(id, x0, x1);`)
	c, _ := newChain(shopChain)
	mustExec(t, conn, `BEGIN IMMEDIATE`)
	recs, err := resetConn(conn, c, o)
	if err != nil {
		t.Fatal(err)
	}
	mustExec(t, conn, `COMMIT`)
	if len(recs) != 2 || recs[0].Version != "1.0.0" || recs[1].Version != "1.1.0" {
		t.Fatalf("recs = %+v", recs)
	}
	if n := countRows(t, conn, `SELECT count(*) FROM sqlite_schema WHERE name IN ('stray', 'rt') OR name LIKE 'rt\_%' ESCAPE '\'`); n != 0 {
		t.Fatalf("%d stray objects survived reset", n)
	}
	if n := countRows(t, conn, `SELECT count(*) FROM customers`); n != 0 {
		t.Fatalf("customers = %d after reset", n)
	}
	if v, err := validateConn(conn, o.table); err != nil || !v.OK() || v.Version != "1.1.0" {
		t.Fatalf("after reset: %+v %v", v, err)
	}
}
