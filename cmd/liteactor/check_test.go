package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// indexFault rewrites an index's definition behind SQLite's back, so
// integrity_check finds rows missing from it (quick_check does not look).
const indexFault = `
CREATE TABLE t2 (a, b);
CREATE INDEX t2_a ON t2 (a);
INSERT INTO t2 VALUES (1, 100), (2, 200), (3, 300);
PRAGMA writable_schema=ON;
UPDATE sqlite_schema SET sql = 'CREATE INDEX t2_a ON t2 (b)' WHERE name = 't2_a';
PRAGMA writable_schema=OFF;
`

func TestCheckAndVerifyReportFindings(t *testing.T) {
	dir := t.TempDir()
	db := seed(t, dir, "app.db", 50)
	cli(t, dir, "-db", "app.db", "check").want(t, 0, "integrity_check: ok")
	cli(t, dir, "-db", "app.db", "check", "-quick", "-fk").want(t, 0, "quick_check: ok", "foreign_key_check: ok")
	rawExec(t, db, indexFault+`
		CREATE TABLE parent (id INTEGER PRIMARY KEY);
		CREATE TABLE child (id INTEGER PRIMARY KEY, p INTEGER REFERENCES parent(id));
		PRAGMA foreign_keys=OFF; INSERT INTO child VALUES (7, 99);`)
	r := cli(t, dir, "-db", "app.db", "check")
	r.want(t, 1, "integrity_check: row 1 missing from index t2_a", "finding(s)")
	if n := strings.Count(r.stdout, "missing from index t2_a"); n != 3 {
		t.Fatalf("%d findings, want 3:\n%s", n, r.stdout)
	}
	cli(t, dir, "-db", "app.db", "check", "-quick").want(t, 0, "quick_check: ok")
	cli(t, dir, "-db", "app.db", "check", "-quick", "-fk").want(t, 1, "foreign_key_check: child rowid 7 has no parent in parent (constraint 0)")
	var rep struct {
		Check       string   `json:"check"`
		OK          bool     `json:"ok"`
		Findings    []string `json:"findings"`
		ForeignKeys []struct {
			Table  string `json:"table"`
			RowID  *int64 `json:"rowid"`
			Parent string `json:"parent"`
		} `json:"foreign_keys"`
	}
	r = cli(t, dir, "-db", "app.db", "check", "-fk", "-json", "-max", "2")
	r.want(t, 1)
	decodeJSON(t, r.stdout, &rep)
	if rep.OK || rep.Check != "integrity_check" || len(rep.Findings) != 2 || len(rep.ForeignKeys) != 1 ||
		rep.ForeignKeys[0].RowID == nil || *rep.ForeignKeys[0].RowID != 7 {
		t.Fatalf("check -json = %+v", rep)
	}
	cli(t, dir, "-db", "app.db", "backup", "copy.db").want(t, 0)
	cli(t, dir, "verify", "copy.db").want(t, 1, "copy.db: row 1 missing from index t2_a")
	cli(t, dir, "-db", "app.db", "backup", "-verify", "checked.db").want(t, 3, "verification failed")
	nothingAt(t, dir, "checked.db")
}

func TestMaintenanceCommands(t *testing.T) {
	dir := t.TempDir()
	db := seed(t, dir, "app.db", 700)
	rawExec(t, db, "DELETE FROM t WHERE id % 2 = 0")
	for _, mode := range []string{"", "passive", "FULL", "truncate"} {
		args := []string{"-db", "app.db", "checkpoint"}
		want := "checkpoint PASSIVE"
		if mode != "" {
			args = append(args, mode)
			want = "checkpoint " + strings.ToUpper(mode)
		}
		cli(t, dir, args...).want(t, 0, want, "frames in the WAL")
	}
	before := fileBytes(db)
	cli(t, dir, "-db", "app.db", "vacuum").want(t, 0, "vacuum: ")
	if after := fileBytes(db); after >= before {
		t.Fatalf("vacuum left the file at %d bytes (was %d)", after, before)
	}
	cli(t, dir, "-db", "app.db", "analyze").want(t, 0, "analyze: done")
	cli(t, dir, "-db", "app.db", "analyze", "t").want(t, 0, "analyze: done")
	cli(t, dir, "-db", "app.db", "analyze", "no_such_table").want(t, 3, "no_such_table", "SQLITE_ERROR")
	cli(t, dir, "-db", "app.db", "optimize").want(t, 0, "optimize: done")
	if n := rawInt(t, filepath.Join(dir, "app.db"), "SELECT count(*) FROM sqlite_stat1"); n == 0 {
		t.Fatal("analyze wrote no statistics")
	}
}

func TestStatsAndHealth(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, filepath.Join(dir, "migrations"), firstLine)
	cli(t, dir, "-db", "app.db", "migrate", "up").want(t, 0)
	cli(t, dir, "-db", "app.db", "stats").want(t, 0, "journal mode  wal", "version 1.2.0 (3 applied)")
	var s dbStats
	r := cli(t, dir, "-db", "app.db", "stats", "-json")
	r.want(t, 0)
	decodeJSON(t, r.stdout, &s)
	if s.PageSize != 4096 || s.PageCount == 0 || s.JournalMode != "wal" || s.Version != "1.2.0" || s.Migrations != 3 || s.Objects["table"] != 4 || s.Objects["index"] != 1 {
		t.Fatalf("stats -json = %+v", s)
	}
	cli(t, dir, "-db", "app.db", "health").want(t, 0, "status", "healthy", "write round trip")
	var h struct {
		Status  string   `json:"status"`
		Reasons []string `json:"reasons"`
	}
	r = cli(t, dir, "-db", "app.db", "health", "-json")
	r.want(t, 0)
	decodeJSON(t, r.stdout, &h)
	if h.Status != "healthy" || len(h.Reasons) != 0 {
		t.Fatalf("health -json = %+v", h)
	}
	// A WAL above the threshold is degraded: exit 1 with the reason.
	eng := openEngine(t, filepath.Join(dir, "app.db"))
	if _, err := eng.Exec(t.Context(), "CREATE TABLE big (x); INSERT INTO big VALUES (randomblob(100000))"); err != nil {
		t.Fatal(err)
	}
	cli(t, dir, "-db", "app.db", "health", "-wal-bytes", "1000").want(t, 1, "degraded", "WAL is")
}
