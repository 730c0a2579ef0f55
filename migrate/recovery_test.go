package migrate

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/liteactor/liteactor"
	"github.com/ncruces/go-sqlite3"
)

func TestValidateThroughEngine(t *testing.T) {
	eng := openEngine(t, "")
	if v, err := Validate(ctx, eng); err != nil || !v.OK() || v.Version != "" {
		t.Fatalf("fresh: %+v %v", v, err)
	}
	if _, err := Up(ctx, eng, fullChain); err != nil {
		t.Fatal(err)
	}
	if v, err := Validate(ctx, eng); err != nil || !v.OK() || v.Version != "2.2.0" {
		t.Fatalf("migrated: %+v %v", v, err)
	}
	if _, err := eng.Exec(ctx, `DROP INDEX orders_user`); err != nil {
		t.Fatal(err)
	}
	v, err := Validate(ctx, eng)
	wantErr(t, err, ErrValidationFailed, "index orders_user (from 2.1.0)")
	if len(v.Missing) != 1 || v.Missing[0].Name != "orders_user" {
		t.Fatalf("missing = %+v", v.Missing)
	}
}

func TestRepairThroughEngineRecreatesMissingTable(t *testing.T) {
	eng := openEngine(t, "")
	if _, err := Up(ctx, eng, fullChain); err != nil {
		t.Fatal(err)
	}
	if _, err := eng.Exec(ctx, `INSERT INTO users(name) VALUES ('kept')`); err != nil {
		t.Fatal(err)
	}
	// A lost table, and with it its index.
	if _, err := eng.Exec(ctx, `DROP TABLE orders`); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	rep, err := Repair(ctx, eng, Logger(zerologTo(&buf)))
	if err != nil {
		t.Fatal(err)
	}
	if objectNames(rep.Recreated) != "table orders (from 2.2.0), index orders_user (from 2.1.0)" || !rep.Remaining.OK() {
		t.Fatalf("repair = %+v", rep)
	}
	// The recreated table has the definition of the last migration that changed it.
	if _, err := eng.Exec(ctx, `INSERT INTO orders(user_id, total) VALUES (1, 9.5)`); err != nil {
		t.Fatalf("recreated orders lacks 2.2.0's column: %v", err)
	}
	if n := scalar(t, eng, `SELECT count(*) FROM users`); n != int64(1) {
		t.Fatalf("users = %v", n)
	}
	if !strings.Contains(buf.String(), "recreated missing object") {
		t.Fatalf("log: %s", buf.String())
	}
	// Nothing to do on a healthy database.
	if rep, err := Repair(ctx, eng); err != nil || len(rep.Recreated) != 0 || !rep.Remaining.OK() {
		t.Fatalf("second repair = %+v, %v", rep, err)
	}
}

func TestRepairThroughEngineFailureChangesNothing(t *testing.T) {
	eng := openEngine(t, "")
	ms := []Migration{Baseline("1.0.0", `CREATE TABLE a(k TEXT); CREATE UNIQUE INDEX a_k ON a(k); CREATE TABLE b(x);`)}
	if _, err := Up(ctx, eng, ms); err != nil {
		t.Fatal(err)
	}
	if _, err := eng.Exec(ctx, `DROP INDEX a_k; DROP TABLE b; INSERT INTO a VALUES ('dup'), ('dup');`); err != nil {
		t.Fatal(err)
	}
	rep, err := Repair(ctx, eng)
	if !errors.Is(err, sqlite3.CONSTRAINT) || !strings.Contains(err.Error(), "a_k") {
		t.Fatalf("err = %v", err)
	}
	if len(rep.Remaining.Missing) != 2 {
		t.Fatalf("remaining = %+v", rep.Remaining)
	}
	// Not half done: b was not created either, and nothing was dropped.
	if tableCount(t, eng, "b") != 0 || tableCount(t, eng, "a") != 1 || scalar(t, eng, `SELECT count(*) FROM a`) != int64(2) {
		t.Fatal("a failed repair changed the database")
	}
}

func TestRepairThroughEngineReindexesAndReportsWhatRemains(t *testing.T) {
	path := filepath.Join(t.TempDir(), "idx.db")
	corruptIndex(t, path) // built with collation flip ascending
	eng := openEngine(t, path, func(c *liteactor.Config) {
		c.InitHook = func(conn *sqlite3.Conn) error { return conn.CreateCollation("flip", reversed) }
	})
	if _, err := eng.Exec(ctx, `CREATE TABLE p(id INTEGER PRIMARY KEY); CREATE TABLE c(pid REFERENCES p(id));`); err != nil {
		t.Fatal(err)
	}
	// A dangling reference, written with foreign keys off.
	err := eng.Exclusive(ctx, func(conn *sqlite3.Conn) error {
		return conn.Exec(`PRAGMA foreign_keys = OFF; INSERT INTO c VALUES (7); PRAGMA foreign_keys = ON;`)
	})
	if err != nil {
		t.Fatal(err)
	}
	v, err := Validate(ctx, eng)
	if !errors.Is(err, ErrValidationFailed) || len(v.Integrity) == 0 || len(v.ForeignKeys) != 1 {
		t.Fatalf("validate = %+v, %v", v, err)
	}
	rep, err := Repair(ctx, eng)
	if !errors.Is(err, ErrValidationFailed) {
		t.Fatalf("err = %v, want ErrValidationFailed for the foreign key left as it is", err)
	}
	if len(rep.Reindexed) != 1 || rep.Reindexed[0] != "words_w" || len(rep.Remaining.Integrity) != 0 || len(rep.Remaining.ForeignKeys) != 1 {
		t.Fatalf("repair = %+v", rep)
	}
	if n := scalar(t, eng, `SELECT count(*) FROM c`); n != int64(1) {
		t.Fatal("repair deleted the violating row")
	}
}

func TestResetRequiresConfirm(t *testing.T) {
	eng := openEngine(t, "")
	if _, err := Up(ctx, eng, fullChain); err != nil {
		t.Fatal(err)
	}
	if _, err := eng.Exec(ctx, `INSERT INTO users(name) VALUES ('precious')`); err != nil {
		t.Fatal(err)
	}
	_, err := Reset(ctx, eng, fullChain)
	wantErr(t, err, ErrResetNotConfirmed, "ConfirmReset")
	if n := scalar(t, eng, `SELECT count(*) FROM users`); n != int64(1) {
		t.Fatal("unconfirmed reset changed data")
	}
}

func TestResetDropsEverythingAndReapplies(t *testing.T) {
	eng := openEngine(t, "")
	if _, err := Up(ctx, eng, fullChain[:1]); err != nil {
		t.Fatal(err)
	}
	if _, err := eng.Exec(ctx, `INSERT INTO users(name) VALUES ('x'); CREATE TABLE stray(a); CREATE VIEW sv AS SELECT * FROM stray;`); err != nil {
		t.Fatal(err)
	}
	dry, err := Reset(ctx, eng, fullChain, ConfirmReset(), DryRun())
	if err != nil || !dry.DryRun || dry.Before != "1.0.0" || appliedVersions(dry.Applied) != "b2.0.0 i2.1.0 i2.2.0" {
		t.Fatalf("dry reset = %+v, %v", dry, err)
	}
	if tableCount(t, eng, "stray") != 1 {
		t.Fatal("dry reset dropped something")
	}
	var hooked []string
	rep, err := Reset(ctx, eng, fullChain, ConfirmReset(), AppName("ops"),
		WithHook(func(_ context.Context, ev Event) error { hooked = append(hooked, ev.Version); return nil }))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Before != "1.0.0" || rep.After != "2.2.0" || appliedVersions(rep.Applied) != "b2.0.0 i2.1.0 i2.2.0" || strings.Join(hooked, " ") != "2.0.0 2.1.0 2.2.0" {
		t.Fatalf("reset = %+v, hooked %v", rep, hooked)
	}
	if tableCount(t, eng, "stray") != 0 || scalar(t, eng, `SELECT count(*) FROM users`) != int64(0) {
		t.Fatal("reset kept old objects or data")
	}
	h, _ := History(ctx, eng)
	if appliedVersions(h) != "b2.0.0 i2.1.0 i2.2.0" || h[0].AppName != "ops" {
		t.Fatalf("history after reset = %+v", h)
	}
	if _, err := Validate(ctx, eng); err != nil {
		t.Fatal(err)
	}
}

func TestResetFailureChangesNothing(t *testing.T) {
	eng := openEngine(t, "")
	if _, err := Up(ctx, eng, fullChain); err != nil {
		t.Fatal(err)
	}
	if _, err := eng.Exec(ctx, `INSERT INTO users(name) VALUES ('precious')`); err != nil {
		t.Fatal(err)
	}
	broken := append(fullChain[:5:5], Incremental("2.2.0", "2.1.0", `ALTER TABLE nope ADD COLUMN x;`))
	var failed Event
	_, err := Reset(ctx, eng, broken, ConfirmReset(), WithHook(func(_ context.Context, ev Event) error { failed = ev; return nil }))
	var me *MigrationError
	if !errors.As(err, &me) || me.Version != "2.2.0" || failed.Version != "2.2.0" || failed.Err == nil {
		t.Fatalf("err = %v, hook event = %+v", err, failed)
	}
	if n := scalar(t, eng, `SELECT count(*) FROM users`); n != int64(1) {
		t.Fatal("a failed reset dropped data")
	}
	if h, _ := History(ctx, eng); len(h) != 3 {
		t.Fatalf("history after failed reset: %d rows", len(h))
	}
	if _, err := Validate(ctx, eng); err != nil {
		t.Fatal(err)
	}
}

func TestValidateTracksObjectsOfGoFunctionMigrations(t *testing.T) {
	eng := openEngine(t, "")
	ms := []Migration{BaselineFunc("1.0.0", func(conn *sqlite3.Conn) error {
		return conn.Exec(`CREATE TABLE made_in_go(x); CREATE INDEX made_in_go_x ON made_in_go(x);`)
	})}
	if _, err := Up(ctx, eng, ms); err != nil {
		t.Fatal(err)
	}
	if _, err := eng.Exec(ctx, `DROP TABLE made_in_go`); err != nil {
		t.Fatal(err)
	}
	v, err := Validate(ctx, eng)
	wantErr(t, err, ErrValidationFailed, "table made_in_go (from 1.0.0)", "index made_in_go_x (from 1.0.0)")
	if len(v.Missing) != 2 {
		t.Fatalf("missing = %+v", v.Missing)
	}
	if _, err := Repair(ctx, eng); err != nil {
		t.Fatal(err)
	}
	if tableCount(t, eng, "made_in_go") != 1 {
		t.Fatal("not recreated")
	}
}
