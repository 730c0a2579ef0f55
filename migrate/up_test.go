package migrate

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/liteactor/liteactor"
	"github.com/ncruces/go-sqlite3"
	"github.com/rs/zerolog"
)

var ctx = context.Background()

func appliedVersions(recs []Record) string {
	vs := make([]string, len(recs))
	for i, r := range recs {
		vs[i] = string(r.Kind[0]) + r.Version
	}
	return strings.Join(vs, " ")
}

func tableCount(t *testing.T, eng *liteactor.Engine, name string) int64 {
	t.Helper()
	return scalar(t, eng, `SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = ?`, name).(int64)
}

// fullChain has an old baseline and the incrementals that lead from it to a
// newer baseline, plus incrementals above that.
var fullChain = []Migration{
	Baseline("1.0.0", `CREATE TABLE users(id INTEGER PRIMARY KEY, name TEXT);`).WithDescription("first schema"),
	Incremental("1.1.0", "1.0.0", `CREATE TABLE legacy_audit(x); ALTER TABLE users ADD COLUMN email TEXT;`),
	Incremental("2.0.0", "1.1.0", `DROP TABLE legacy_audit; CREATE TABLE orders(id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users(id));`),
	Baseline("2.0.0", `CREATE TABLE users(id INTEGER PRIMARY KEY, name TEXT, email TEXT);
CREATE TABLE orders(id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users(id));`).WithDescription("squashed"),
	Incremental("2.1.0", "2.0.0", `CREATE INDEX orders_user ON orders(user_id);`),
	Incremental("2.2.0", "2.1.0", `ALTER TABLE orders ADD COLUMN total REAL NOT NULL DEFAULT 0;`),
}

func TestUpFreshAppliesNewestBaselineThenIncrementals(t *testing.T) {
	eng := openEngine(t, "")
	rep, err := Up(ctx, eng, fullChain)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Before != "" || rep.After != "2.2.0" || rep.DryRun || appliedVersions(rep.Applied) != "b2.0.0 i2.1.0 i2.2.0" {
		t.Fatalf("report = %+v", rep)
	}
	if tableCount(t, eng, "legacy_audit") != 0 || tableCount(t, eng, "orders") != 1 {
		t.Fatal("old incrementals ran on a fresh database")
	}
	if v, err := Current(ctx, eng); err != nil || v != "2.2.0" {
		t.Fatalf("Current = %q, %v", v, err)
	}
	h, err := History(ctx, eng)
	if err != nil || appliedVersions(h) != "b2.0.0 i2.1.0 i2.2.0" || h[0].Description != "squashed" {
		t.Fatalf("History = %+v, %v", h, err)
	}
}

func TestUpExistingAppliesOnlyIncrementals(t *testing.T) {
	eng := openEngine(t, "")
	if _, err := Up(ctx, eng, fullChain[:1]); err != nil {
		t.Fatal(err)
	}
	rep, err := Up(ctx, eng, fullChain)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Before != "1.0.0" || rep.After != "2.2.0" || appliedVersions(rep.Applied) != "i1.1.0 i2.0.0 i2.1.0 i2.2.0" {
		t.Fatalf("report = %+v", rep)
	}
	h, _ := History(ctx, eng)
	if appliedVersions(h) != "b1.0.0 i1.1.0 i2.0.0 i2.1.0 i2.2.0" {
		t.Fatalf("history = %s", appliedVersions(h))
	}
	if tableCount(t, eng, "legacy_audit") != 0 {
		t.Fatal("2.0.0 did not drop legacy_audit")
	}
	// Both roads lead to the same schema; Validate agrees with the history.
	if _, err := Validate(ctx, eng); err != nil {
		t.Fatal(err)
	}
}

func TestUpTwiceAppliesNothing(t *testing.T) {
	eng := openEngine(t, "")
	if _, err := Up(ctx, eng, fullChain); err != nil {
		t.Fatal(err)
	}
	rep, err := Up(ctx, eng, fullChain)
	if err != nil || len(rep.Applied) != 0 || rep.Before != "2.2.0" || rep.After != "2.2.0" {
		t.Fatalf("second Up = %+v, %v", rep, err)
	}
	if h, _ := History(ctx, eng); len(h) != 3 {
		t.Fatalf("history has %d rows", len(h))
	}
}

func TestUpRefusesBadChainBeforeAnythingRuns(t *testing.T) {
	eng := openEngine(t, "")
	bad := [][]Migration{
		{Baseline("1.0.0", "CREATE TABLE a(x)"), Incremental("1.2.0", "1.1.0", "CREATE TABLE b(x)")},                                                     // missing link
		{Baseline("1.0.0", "CREATE TABLE a(x)"), Baseline("1.0.0", "CREATE TABLE b(x)")},                                                                 // duplicate
		{Baseline("1.0.0", "CREATE TABLE a(x)"), Incremental("1.1.0", "1.0.0", "CREATE TABLE b(x)"), Incremental("1.0.5", "1.0.2", "CREATE TABLE c(x)")}, // leads nowhere
		{Baseline("1.0.0", "CREATE TABLE a(x)"), Incremental("1.1", "1.0.0", "CREATE TABLE b(x)")},                                                       // invalid version
	}
	for i, ms := range bad {
		if _, err := Up(ctx, eng, ms); err == nil {
			t.Fatalf("chain %d accepted", i)
		}
	}
	if n := scalar(t, eng, `SELECT count(*) FROM sqlite_schema`).(int64); n != 0 {
		t.Fatalf("a refused chain created %d objects", n)
	}
	_, err := Up(ctx, eng, bad[3])
	wantErr(t, err, ErrInvalidVersion, `"1.1"`)
}

func TestUpFailureInTheMiddleOfAMultiStatementMigration(t *testing.T) {
	eng := openEngine(t, "")
	ms := []Migration{
		Baseline("1.0.0", `CREATE TABLE accounts(id INTEGER PRIMARY KEY, email TEXT UNIQUE);
INSERT INTO accounts(email) VALUES ('a@x');`),
		Incremental("1.1.0", "1.0.0", `CREATE TABLE profiles(account_id INTEGER);
INSERT INTO profiles VALUES (1);
UPDATE accounts SET email = email || '.old';
INSERT INTO accounts(email) VALUES ('a@x.old');
CREATE TABLE never_created(x);`),
		Incremental("1.2.0", "1.1.0", `CREATE TABLE after_failure(x);`),
	}
	rep, err := Up(ctx, eng, ms)
	var me *MigrationError
	if !errors.As(err, &me) {
		t.Fatalf("err = %v, want *MigrationError", err)
	}
	if me.Version != "1.1.0" || me.Statement != 4 || me.Line != 4 || !strings.Contains(me.SQL, "INSERT INTO accounts") {
		t.Fatalf("MigrationError = %+v", me)
	}
	if !errors.Is(err, ErrMigrationFailed) || !errors.Is(err, sqlite3.CONSTRAINT) {
		t.Fatalf("err = %v, want ErrMigrationFailed and sqlite3.CONSTRAINT", err)
	}
	if !strings.Contains(err.Error(), "1.1.0") || !strings.Contains(err.Error(), "statement 4") {
		t.Fatalf("message %q does not name version and statement", err)
	}
	if appliedVersions(rep.Applied) != "b1.0.0" || rep.After != "1.0.0" {
		t.Fatalf("report = %+v", rep)
	}
	// No trace: no table, no row, no changed email, no history row; 1.2.0 never ran.
	for _, name := range []string{"profiles", "never_created", "after_failure"} {
		if tableCount(t, eng, name) != 0 {
			t.Fatalf("table %s exists after the failed migration", name)
		}
	}
	if e := scalar(t, eng, `SELECT email FROM accounts`); e != "a@x" {
		t.Fatalf("email = %v: the UPDATE of the failed migration survived", e)
	}
	if v, _ := Current(ctx, eng); v != "1.0.0" {
		t.Fatalf("Current = %q, want 1.0.0", v)
	}
	if h, _ := History(ctx, eng); len(h) != 1 {
		t.Fatalf("history has %d rows, want 1", len(h))
	}
	// Fixed, the chain goes on from 1.0.0.
	ms[1] = Incremental("1.1.0", "1.0.0", `CREATE TABLE profiles(account_id INTEGER);`)
	if rep, err := Up(ctx, eng, ms); err != nil || appliedVersions(rep.Applied) != "i1.1.0 i1.2.0" {
		t.Fatalf("Up after fix = %+v, %v", rep, err)
	}
}

func TestUpRefusesTransactionControl(t *testing.T) {
	eng := openEngine(t, "")
	ms := []Migration{Baseline("1.0.0", "CREATE TABLE a(x); COMMIT; CREATE TABLE b(x);")}
	_, err := Up(ctx, eng, ms)
	if !errors.Is(err, ErrTransactionControl) {
		t.Fatalf("err = %v", err)
	}
	if tableCount(t, eng, "a") != 0 {
		t.Fatal("statement before COMMIT survived")
	}
	// Also with ForeignKeysOff, where the engine's own guard is not active.
	_, err = Up(ctx, eng, ms, ForeignKeysOff())
	if !errors.Is(err, ErrTransactionControl) || tableCount(t, eng, "a") != 0 {
		t.Fatalf("ForeignKeysOff: err = %v", err)
	}
}

func TestUpChecksumMismatch(t *testing.T) {
	eng := openEngine(t, "")
	v1 := []Migration{Baseline("1.0.0", "CREATE TABLE a(x);"), Incremental("1.1.0", "1.0.0", "CREATE TABLE b(x);")}
	if _, err := Up(ctx, eng, v1); err != nil {
		t.Fatal(err)
	}
	changed := []Migration{v1[0], Incremental("1.1.0", "1.0.0", "CREATE TABLE b(x, y);"), Incremental("1.2.0", "1.1.0", "CREATE TABLE c(x);")}
	_, err := Up(ctx, eng, changed)
	wantErr(t, err, ErrChecksumMismatch, "1.1.0")
	if tableCount(t, eng, "c") != 0 {
		t.Fatal("Up went on despite the mismatch")
	}
	_, err = Up(ctx, eng, changed, DryRun())
	wantErr(t, err, ErrChecksumMismatch, "1.1.0")

	rep, err := Up(ctx, eng, changed, AcceptChecksumChange("1.1.0"))
	if err != nil || appliedVersions(rep.Applied) != "i1.2.0" {
		t.Fatalf("accepted Up = %+v, %v", rep, err)
	}
	h, _ := History(ctx, eng)
	if h[1].Checksum != changed[1].Checksum() {
		t.Fatal("accepted checksum not stored")
	}
	if _, err := Up(ctx, eng, changed); err != nil {
		t.Fatalf("Up after accepting: %v", err)
	}
}

func TestUpDryRun(t *testing.T) {
	eng := openEngine(t, "")
	var events []Event
	hook := WithHook(func(_ context.Context, ev Event) error { events = append(events, ev); return nil })
	rep, err := Up(ctx, eng, fullChain, DryRun(), hook)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.DryRun || rep.Before != "" || rep.After != "2.2.0" || appliedVersions(rep.Applied) != "b2.0.0 i2.1.0 i2.2.0" {
		t.Fatalf("dry run report = %+v", rep)
	}
	if !rep.Applied[0].AppliedAt.IsZero() || rep.Applied[0].Checksum != fullChain[3].Checksum() {
		t.Fatalf("planned record = %+v", rep.Applied[0])
	}
	if len(events) != 3 || !events[0].DryRun {
		t.Fatalf("hook events = %+v", events)
	}
	if n := scalar(t, eng, `SELECT count(*) FROM sqlite_schema`).(int64); n != 0 {
		t.Fatalf("dry run created %d objects", n)
	}
	if _, err := Up(ctx, eng, fullChain[:1]); err != nil {
		t.Fatal(err)
	}
	rep, err = Up(ctx, eng, fullChain, DryRun())
	if err != nil || rep.Before != "1.0.0" || appliedVersions(rep.Applied) != "i1.1.0 i2.0.0 i2.1.0 i2.2.0" {
		t.Fatalf("dry run on 1.0.0 = %+v, %v", rep, err)
	}
	if v, _ := Current(ctx, eng); v != "1.0.0" {
		t.Fatalf("dry run moved the database to %s", v)
	}
}

func TestUpRecordsHistoryFields(t *testing.T) {
	eng := openEngine(t, "")
	before := time.Now().Add(-time.Second)
	if _, err := Up(ctx, eng, fullChain[3:5], AppName("billing")); err != nil {
		t.Fatal(err)
	}
	rows, err := eng.Query(ctx, `SELECT version, kind, from_version, description, checksum, applied_at, execution_us, app_name
		FROM liteactor_migrations ORDER BY rowid`)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows.Values) != 2 {
		t.Fatalf("%d rows", len(rows.Values))
	}
	r := rows.Values[1]
	if r[0] != "2.1.0" || r[1] != "incremental" || r[2] != "2.0.0" || r[4] != fullChain[4].Checksum() || r[7] != "billing" {
		t.Fatalf("row = %v", r)
	}
	at, err := time.Parse(time.RFC3339, r[5].(string))
	if err != nil || at.Before(before) || at.After(time.Now().Add(time.Second)) || !strings.HasSuffix(r[5].(string), "Z") {
		t.Fatalf("applied_at %v: %v", r[5], err)
	}
	if us, ok := r[6].(int64); !ok || us < 0 {
		t.Fatalf("execution_us = %v", r[6])
	}
	if rows.Values[0][3] != "squashed" {
		t.Fatalf("description = %v", rows.Values[0][3])
	}
}

func TestUpHookAndLog(t *testing.T) {
	eng := openEngine(t, "")
	var buf bytes.Buffer
	var seen []string
	stop := errors.New("stop rollout")
	hook := func(_ context.Context, ev Event) error {
		seen = append(seen, ev.Version)
		if ev.Version == "2.1.0" {
			return stop
		}
		return nil
	}
	rep, err := Up(ctx, eng, fullChain, WithHook(hook), Logger(zerolog.New(&buf)))
	if !errors.Is(err, stop) || !strings.Contains(err.Error(), "2.1.0") {
		t.Fatalf("err = %v", err)
	}
	if strings.Join(seen, " ") != "2.0.0 2.1.0" || appliedVersions(rep.Applied) != "b2.0.0 i2.1.0" {
		t.Fatalf("hook saw %v, report %+v", seen, rep)
	}
	if v, _ := Current(ctx, eng); v != "2.1.0" {
		t.Fatalf("Current = %s: the hook's error must stop before 2.2.0 and keep 2.1.0", v)
	}
	log := buf.String()
	for _, want := range []string{`"component":"migrate"`, `"version":"2.0.0"`, `"migration applied"`, `"migration hook called"`, `stop rollout`} {
		if !strings.Contains(log, want) {
			t.Fatalf("log lacks %s:\n%s", want, log)
		}
	}
	// A failing migration reaches the hook with its error.
	var failed Event
	_, err = Up(ctx, eng, append(fullChain[:5:5], Incremental("2.2.0", "2.1.0", "SELECT * FROM nope")),
		WithHook(func(_ context.Context, ev Event) error { failed = ev; return nil }))
	if !errors.Is(err, ErrMigrationFailed) || failed.Version != "2.2.0" || !errors.Is(failed.Err, ErrMigrationFailed) {
		t.Fatalf("err = %v, event = %+v", err, failed)
	}
}

func TestUpGoFunctionMigrations(t *testing.T) {
	eng := openEngine(t, "")
	seed := IncrementalFunc("2.1.0", "2.0.0", func(conn *sqlite3.Conn) error {
		stmt, _, err := conn.Prepare(`INSERT INTO users(name) VALUES (?)`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for _, n := range []string{"ann", "bob"} {
			if err := stmt.BindText(1, n); err != nil {
				return err
			}
			if err := stmt.Exec(); err != nil {
				return err
			}
		}
		return nil
	}).WithDescription("seed users").WithRevision("r1")
	ms := []Migration{fullChain[3], seed}
	if _, err := Up(ctx, eng, ms); err != nil {
		t.Fatal(err)
	}
	if n := scalar(t, eng, `SELECT count(*) FROM users`); n != int64(2) {
		t.Fatalf("users = %v", n)
	}
	h, _ := History(ctx, eng)
	if h[1].Checksum != sum("go:r1") || h[1].Description != "seed users" {
		t.Fatalf("record = %+v", h[1])
	}
	ms[1] = ms[1].WithRevision("r2")
	_, err := Up(ctx, eng, ms)
	wantErr(t, err, ErrChecksumMismatch, "2.1.0")
}

func TestUpGoFunctionFailureAndPanic(t *testing.T) {
	eng := openEngine(t, "")
	boom := errors.New("boom")
	fail := IncrementalFunc("2.1.0", "2.0.0", func(conn *sqlite3.Conn) error {
		if err := conn.Exec(`CREATE TABLE half(x)`); err != nil {
			return err
		}
		return boom
	})
	_, err := Up(ctx, eng, []Migration{fullChain[3], fail})
	var me *MigrationError
	if !errors.As(err, &me) || me.Version != "2.1.0" || !errors.Is(err, boom) || tableCount(t, eng, "half") != 0 {
		t.Fatalf("err = %v", err)
	}
	panicky := IncrementalFunc("2.1.0", "2.0.0", func(conn *sqlite3.Conn) error {
		if err := conn.Exec(`CREATE TABLE half(x)`); err != nil {
			return err
		}
		panic("kaboom")
	})
	_, err = Up(ctx, eng, []Migration{fullChain[3], panicky})
	if !errors.As(err, &me) || me.Version != "2.1.0" || !errors.Is(err, liteactor.ErrPanic) || !strings.Contains(err.Error(), "kaboom") {
		t.Fatalf("err = %v", err)
	}
	if tableCount(t, eng, "half") != 0 {
		t.Fatal("panicking migration left a table")
	}
	if v, _ := Current(ctx, eng); v != "2.0.0" {
		t.Fatalf("Current = %s", v)
	}
}

func TestUpNoPathAndDatabaseAhead(t *testing.T) {
	eng := openEngine(t, "")
	if _, err := Up(ctx, eng, fullChain); err != nil {
		t.Fatal(err)
	}
	_, err := Up(ctx, eng, fullChain[:3])
	wantErr(t, err, ErrDatabaseAhead, "2.2.0", "2.0.0")
	other := []Migration{Baseline("3.0.0", "SELECT 1"), Incremental("3.1.0", "3.0.0", "SELECT 1"), Incremental("3.0.0", "2.9.0", "SELECT 1")}
	_, err = Up(ctx, eng, other)
	wantErr(t, err, ErrNoPath, "2.2.0")
}

func TestUpHonoursContext(t *testing.T) {
	eng := openEngine(t, "")
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := Up(cctx, eng, fullChain); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	if v, err := Current(ctx, eng); v != "" || err != nil {
		t.Fatalf("Current = %q, %v", v, err)
	}
}

func TestCurrentOnFreshDatabase(t *testing.T) {
	eng := openEngine(t, "")
	if v, err := Current(ctx, eng); v != "" || err != nil {
		t.Fatalf("Current = %q, %v; want \"\", nil", v, err)
	}
	if _, err := eng.Exec(ctx, `CREATE TABLE preexisting(x)`); err != nil {
		t.Fatal(err)
	}
	if v, err := Current(ctx, eng); v != "" || err != nil {
		t.Fatalf("Current with a foreign table = %q, %v", v, err)
	}
	if h, err := History(ctx, eng); len(h) != 0 || err != nil {
		t.Fatalf("History = %v, %v", h, err)
	}
}

func TestTableOption(t *testing.T) {
	eng := openEngine(t, "")
	if _, err := Up(ctx, eng, fullChain, Table("schema history")); err != nil {
		t.Fatal(err)
	}
	if tableCount(t, eng, "schema history") != 1 || tableCount(t, eng, DefaultTable) != 0 {
		t.Fatal("history not in the named table")
	}
	if v, _ := Current(ctx, eng, Table("schema history")); v != "2.2.0" {
		t.Fatalf("Current(Table) = %q", v)
	}
	if v, _ := Current(ctx, eng); v != "" {
		t.Fatalf("Current(default table) = %q", v)
	}
	if _, err := Up(ctx, eng, fullChain, Table("")); !errors.Is(err, ErrInvalidOption) {
		t.Fatalf("empty table: %v", err)
	}
}
