package migrate

import (
	"errors"
	"testing"

	"github.com/liteactor/liteactor"
	"github.com/ncruces/go-sqlite3"
)

var fkBase = []Migration{
	Baseline("1.0.0", `CREATE TABLE parent(id INTEGER PRIMARY KEY);
CREATE TABLE child(id INTEGER PRIMARY KEY, parent_id INTEGER NOT NULL REFERENCES parent(id));
INSERT INTO parent VALUES (1), (2);
INSERT INTO child(parent_id) VALUES (1), (2);`),
}

// rebuildParent is SQLite's 12-step table rebuild of parent (adding a
// column with a constraint ALTER TABLE cannot add).
const rebuildParent = `CREATE TABLE parent_new(id INTEGER PRIMARY KEY, name TEXT NOT NULL DEFAULT '' CHECK (length(name) < 100));
INSERT INTO parent_new(id) SELECT id FROM parent;
DROP TABLE parent;
ALTER TABLE parent_new RENAME TO parent;`

func writerForeignKeys(t *testing.T, eng *liteactor.Engine) bool {
	t.Helper()
	var on bool
	err := eng.Exclusive(ctx, func(conn *sqlite3.Conn) error {
		var err error
		on, err = foreignKeysOn(conn)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return on
}

func TestForeignKeysOffTableRebuild(t *testing.T) {
	eng := openEngine(t, "")
	if !writerForeignKeys(t, eng) {
		t.Fatal("precondition: the engine's writer has foreign_keys ON")
	}
	ms := append(fkBase[:1:1], Incremental("1.1.0", "1.0.0", rebuildParent))
	// Inside the engine's transaction foreign_keys stays ON: DROP TABLE parent fails.
	_, err := Up(ctx, eng, ms)
	var me *MigrationError
	if !errors.As(err, &me) || me.Version != "1.1.0" || me.Statement != 3 || !errors.Is(err, sqlite3.CONSTRAINT) {
		t.Fatalf("without ForeignKeysOff: err = %v", err)
	}
	rep, err := Up(ctx, eng, ms, ForeignKeysOff())
	if err != nil || appliedVersions(rep.Applied) != "i1.1.0" {
		t.Fatalf("with ForeignKeysOff: %+v, %v", rep, err)
	}
	if n := scalar(t, eng, `SELECT count(*) FROM child JOIN parent ON parent.id = child.parent_id`); n != int64(2) {
		t.Fatalf("joined rows = %v", n)
	}
	if !writerForeignKeys(t, eng) {
		t.Fatal("foreign_keys not restored on the writer")
	}
	if _, err := eng.Exec(ctx, `INSERT INTO child(parent_id) VALUES (99)`); !errors.Is(err, sqlite3.CONSTRAINT) {
		t.Fatalf("foreign keys not enforced after the migration: %v", err)
	}
}

func TestForeignKeysOffCheckBeforeCommit(t *testing.T) {
	eng := openEngine(t, "")
	// The rebuild forgets parent 2, which child still references.
	ms := append(fkBase[:1:1], Incremental("1.1.0", "1.0.0", `CREATE TABLE parent_new(id INTEGER PRIMARY KEY);
INSERT INTO parent_new SELECT id FROM parent WHERE id = 1;
DROP TABLE parent;
ALTER TABLE parent_new RENAME TO parent;`))
	_, err := Up(ctx, eng, ms, ForeignKeysOff())
	var me *MigrationError
	if !errors.As(err, &me) || me.Version != "1.1.0" || !errors.Is(err, ErrForeignKeyViolation) {
		t.Fatalf("err = %v", err)
	}
	wantErr(t, err, ErrForeignKeyViolation, "child", "parent")
	if n := scalar(t, eng, `SELECT count(*) FROM parent`); n != int64(2) {
		t.Fatalf("parent has %v rows: the violating rebuild was not rolled back", n)
	}
	if v, _ := Current(ctx, eng); v != "1.0.0" {
		t.Fatalf("Current = %s", v)
	}
	if !writerForeignKeys(t, eng) {
		t.Fatal("foreign_keys not restored after the failure")
	}
}
