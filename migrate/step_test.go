package migrate

import (
	"errors"
	"testing"
	"time"

	"github.com/ncruces/go-sqlite3"

	"github.com/liteactor/liteactor/internal/sqlstmt"
)

// stepRaw runs applyNext in a BEGIN IMMEDIATE transaction on a raw
// connection, as Engine.Write would, committing on success.
func stepRaw(t *testing.T, conn *sqlite3.Conn, c *chain, o *options) (stepResult, error) {
	t.Helper()
	mustExec(t, conn, `BEGIN IMMEDIATE`)
	var res stepResult
	err := applyNext(conn, c, o, &res)
	if err != nil {
		mustExec(t, conn, `ROLLBACK`)
		return res, err
	}
	mustExec(t, conn, `COMMIT`)
	return res, nil
}

func testOptions(t *testing.T, opts ...Option) *options {
	t.Helper()
	o, err := buildOptions(opts)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func TestApplyNextWalksTheChainAndRecords(t *testing.T) {
	conn := openRaw(t)
	at := time.Date(2025, 3, 4, 5, 6, 7, 123456789, time.FixedZone("X", 3600))
	o := testOptions(t, AppName("svc"), withClock(func() time.Time { return at }))
	c, err := newChain([]Migration{
		Baseline("1.0.0", "CREATE TABLE a(x); CREATE INDEX ax ON a(x);").WithDescription("init"),
		Incremental("1.1.0", "1.0.0", "ALTER TABLE a ADD y; DROP INDEX ax; CREATE VIEW v AS SELECT x FROM a;"),
	})
	if err != nil {
		t.Fatal(err)
	}
	var got []stepResult
	for {
		res, err := stepRaw(t, conn, c, o)
		if err != nil {
			t.Fatal(err)
		}
		if !res.attempted {
			if res.before != "1.1.0" {
				t.Fatalf("final version %q", res.before)
			}
			break
		}
		got = append(got, res)
	}
	if len(got) != 2 || got[0].before != "" || got[1].before != "1.0.0" {
		t.Fatalf("steps = %+v", got)
	}
	rows, err := loadHistory(conn, o.table)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 {
		t.Fatalf("history rows = %d", len(rows))
	}
	r := rows[0]
	if r.Version != "1.0.0" || r.Kind != KindBaseline || r.Description != "init" || r.AppName != "svc" ||
		r.Checksum != c.baselines["1.0.0"].Checksum() || !r.AppliedAt.Equal(at.Truncate(time.Microsecond)) {
		t.Fatalf("row 0 = %+v", r.Record)
	}
	if rows[1].From != "1.0.0" || rows[1].Kind != KindIncremental {
		t.Fatalf("row 1 = %+v", rows[1].Record)
	}
	var text string
	if err := sqlstmt.Query(conn, `SELECT applied_at FROM liteactor_migrations WHERE version = '1.0.0'`, nil,
		func(s *sqlite3.Stmt) error { text = s.ColumnText(0); return nil }); err != nil {
		t.Fatal(err)
	}
	if text != "2025-03-04T04:06:07.123456Z" {
		t.Fatalf("applied_at stored as %q, want RFC 3339 UTC", text)
	}
	// Deltas: 1.0.0 created a and ax; 1.1.0 changed a, dropped ax, created v.
	exp := expectedSchema(rows)
	if len(exp) != 2 || exp[0].Name != "a" || exp[0].Version != "1.1.0" || exp[1].Name != "v" || exp[1].Type != "view" {
		t.Fatalf("expected schema = %+v", exp)
	}
	live, err := snapshot(conn, o.table)
	if err != nil {
		t.Fatal(err)
	}
	if len(live) != 2 || live[0].SQL != exp[0].SQL {
		t.Fatalf("live schema %+v differs from expected %+v", live, exp)
	}
}

func TestApplyNextFailureLeavesNoHistory(t *testing.T) {
	conn := openRaw(t)
	o := testOptions(t)
	c, err := newChain([]Migration{
		Baseline("1.0.0", "CREATE TABLE a(x UNIQUE);"),
		Incremental("1.1.0", "1.0.0", "CREATE TABLE b(y); INSERT INTO a VALUES (1); INSERT INTO a VALUES (1); CREATE TABLE c(z);"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := stepRaw(t, conn, c, o); err != nil {
		t.Fatal(err)
	}
	res, err := stepRaw(t, conn, c, o)
	var me *MigrationError
	if !errors.As(err, &me) || me.Version != "1.1.0" || me.Statement != 3 || !res.attempted || res.rec.Version != "1.1.0" {
		t.Fatalf("err = %v, res = %+v", err, res)
	}
	rows, _ := loadHistory(conn, o.table)
	if len(rows) != 1 || currentVersion(rows) != "1.0.0" {
		t.Fatalf("history after failure = %+v", rows)
	}
	if n := countRows(t, conn, `SELECT count(*) FROM sqlite_schema WHERE name IN ('b','c')`); n != 0 {
		t.Fatalf("failed migration left %d tables", n)
	}
	if n := countRows(t, conn, `SELECT count(*) FROM a`); n != 0 {
		t.Fatalf("failed migration left %d rows", n)
	}
}

func TestVerifyChecksums(t *testing.T) {
	conn := openRaw(t)
	o := testOptions(t)
	c1, _ := newChain([]Migration{Baseline("1.0.0", "CREATE TABLE a(x);")})
	if _, err := stepRaw(t, conn, c1, o); err != nil {
		t.Fatal(err)
	}
	c2, _ := newChain([]Migration{Baseline("1.0.0", "CREATE TABLE a(x, y);")})
	_, err := stepRaw(t, conn, c2, o)
	wantErr(t, err, ErrChecksumMismatch, "1.0.0")

	// Accepting another version does not help; accepting this one stores the new sum.
	if _, err := stepRaw(t, conn, c2, testOptions(t, AcceptChecksumChange("9.9.9"))); !errors.Is(err, ErrChecksumMismatch) {
		t.Fatalf("err = %v, want mismatch", err)
	}
	if _, err := stepRaw(t, conn, c2, testOptions(t, AcceptChecksumChange("1.0.0"))); err != nil {
		t.Fatal(err)
	}
	rows, _ := loadHistory(conn, o.table)
	if rows[0].Checksum != c2.baselines["1.0.0"].Checksum() {
		t.Fatal("accepted checksum was not stored")
	}
	if _, err := stepRaw(t, conn, c2, o); err != nil {
		t.Fatalf("after accepting, plain run fails: %v", err)
	}
	// A migration no longer in the list is not checked.
	c3, _ := newChain([]Migration{Baseline("0.5.0", "whatever")})
	if _, err := stepRaw(t, conn, c3, o); !errors.Is(err, ErrDatabaseAhead) {
		t.Fatalf("err = %v, want ErrDatabaseAhead (and no checksum error)", err)
	}
}

func TestRunFuncRules(t *testing.T) {
	conn := openRaw(t)
	mustExec(t, conn, `BEGIN IMMEDIATE`)
	boom := errors.New("boom")
	err := runFunc(conn, IncrementalFunc("1.1.0", "1.0.0", func(*sqlite3.Conn) error { return boom }))
	var me *MigrationError
	if !errors.As(err, &me) || me.Version != "1.1.0" || !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
	err = runFunc(conn, IncrementalFunc("1.1.0", "1.0.0", func(c *sqlite3.Conn) error { return c.Exec("COMMIT") }))
	if !errors.Is(err, ErrTransactionControl) {
		t.Fatalf("err = %v, want ErrTransactionControl", err)
	}
}

func TestInOwnTransactionForeignKeys(t *testing.T) {
	conn := openRaw(t)
	mustExec(t, conn, `PRAGMA foreign_keys = ON; CREATE TABLE p(id INTEGER PRIMARY KEY); CREATE TABLE c(pid REFERENCES p(id)); INSERT INTO p VALUES (1); INSERT INTO c VALUES (1);`)
	// A table rebuild of p: with foreign_keys ON, DROP TABLE p would fail or cascade.
	rebuild := func(conn *sqlite3.Conn) error {
		return runScript(conn, "1.1.0", `CREATE TABLE p_new(id INTEGER PRIMARY KEY, name TEXT);
INSERT INTO p_new(id) SELECT id FROM p; DROP TABLE p; ALTER TABLE p_new RENAME TO p;`)
	}
	var fkDuring bool
	err := inOwnTransaction(conn, true, func(conn *sqlite3.Conn) error {
		var err error
		fkDuring, err = foreignKeysOn(conn)
		if err != nil {
			return err
		}
		return rebuild(conn)
	})
	if err != nil {
		t.Fatal(err)
	}
	if fkDuring {
		t.Fatal("foreign_keys was ON inside the transaction")
	}
	if on, _ := foreignKeysOn(conn); !on {
		t.Fatal("foreign_keys not restored")
	}
	if n := countRows(t, conn, `SELECT count(*) FROM c JOIN p ON p.id = c.pid`); n != 1 {
		t.Fatalf("rebuild lost the relation: %d", n)
	}
	// A rebuild that loses the parent row: foreign_key_check fails before COMMIT, all rolled back.
	err = inOwnTransaction(conn, true, func(conn *sqlite3.Conn) error {
		return runScript(conn, "1.2.0", `CREATE TABLE p_new(id INTEGER PRIMARY KEY); DROP TABLE p; ALTER TABLE p_new RENAME TO p;`)
	})
	wantErr(t, err, ErrForeignKeyViolation, "c rowid 1 -> p")
	if !conn.GetAutocommit() {
		t.Fatal("transaction left open")
	}
	if n := countRows(t, conn, `SELECT count(*) FROM p`); n != 1 {
		t.Fatalf("violating rebuild was not rolled back: p has %d rows", n)
	}
	if on, _ := foreignKeysOn(conn); !on {
		t.Fatal("foreign_keys not restored after failure")
	}
}

func TestInOwnTransactionLeavesForeignKeysOffWhenTheyWereOff(t *testing.T) {
	conn := openRaw(t)
	mustExec(t, conn, `PRAGMA foreign_keys = OFF`)
	if err := inOwnTransaction(conn, true, func(conn *sqlite3.Conn) error { return conn.Exec(`CREATE TABLE t(a)`) }); err != nil {
		t.Fatal(err)
	}
	if on, _ := foreignKeysOn(conn); on {
		t.Fatal("foreign_keys turned ON")
	}
}
