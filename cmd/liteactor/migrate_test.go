package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

var firstLine = map[string]string{
	"1.0.0_baseline.sql": "CREATE TABLE users(id INTEGER PRIMARY KEY, name TEXT);\n",
	"1.1.0_add_a.sql":    "CREATE TABLE a(x);\n",
	"1.2.0_add_b.sql":    "CREATE TABLE b(x); CREATE INDEX b_x ON b(x);\n",
}

func TestMigrateUpStatusAndDrift(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, filepath.Join(dir, "migrations"), firstLine)
	// Status of a database that does not exist: the plan, nothing created.
	r := cli(t, dir, "-db", "app.db", "migrate", "status")
	r.want(t, 0, "VERSION", "CHECKSUM", "1.0.0", "pending", "missing")
	if _, err := os.Stat(filepath.Join(dir, "app.db")); !os.IsNotExist(err) {
		t.Fatal("status created the database")
	}
	cli(t, dir, "-db", "app.db", "migrate", "up", "-dry-run").want(t, 0, "would apply 1.2.0", "would be at 1.2.0")
	cli(t, dir, "-db", "app.db", "migrate", "up").want(t, 0, "applied 1.0.0 baseline", "applied 1.2.0 incremental", "database at 1.2.0 (was fresh, 3 applied)")
	cli(t, dir, "-db", "app.db", "migrate", "up").want(t, 0, "database at 1.2.0 (was 1.2.0, 0 applied)")
	r = cli(t, dir, "-db", "app.db", "migrate", "status")
	r.want(t, 0, "1.2.0    incremental  add b")
	if strings.Count(r.stdout, " ok\n") != 3 {
		t.Fatalf("status:\n%s", r.stdout)
	}
	cli(t, dir, "-db", "app.db", "migrate", "validate").want(t, 0, "ok")

	// Drift: an applied migration's file changed.
	writeFiles(t, filepath.Join(dir, "migrations"), map[string]string{"1.1.0_add_a.sql": "CREATE TABLE a(x, y);\n"})
	cli(t, dir, "-db", "app.db", "migrate", "status").want(t, 1, "changed", "checksum of applied incremental 1.1.0 changed")
	var st struct {
		Version    string `json:"version"`
		Migrations []struct {
			Version, State, Checksum string
		} `json:"migrations"`
		Problems []string `json:"problems"`
	}
	r = cli(t, dir, "-db", "app.db", "migrate", "status", "-json")
	r.want(t, 1)
	decodeJSON(t, r.stdout, &st)
	if st.Version != "1.2.0" || len(st.Migrations) != 3 || st.Migrations[1].Checksum != "changed" || len(st.Problems) != 1 {
		t.Fatalf("status -json = %+v", st)
	}
	cli(t, dir, "-db", "app.db", "migrate", "up").want(t, 1, "checksum mismatch", "1.1.0")
	cli(t, dir, "-db", "app.db", "migrate", "validate").want(t, 1, "checksum mismatch")
	cli(t, dir, "-db", "app.db", "migrate", "up", "-accept-checksum", "1.1.0").want(t, 0, "database at 1.2.0")
	cli(t, dir, "-db", "app.db", "migrate", "status").want(t, 0)

	// Schema drift: an index the migrations made is gone; repair puts it back.
	rawExec(t, filepath.Join(dir, "app.db"), "DROP INDEX b_x")
	cli(t, dir, "-db", "app.db", "migrate", "validate").want(t, 1, "missing: index b_x (created by 1.2.0)")
	cli(t, dir, "-db", "app.db", "migrate", "repair").want(t, 0, "recreated index b_x (from 1.2.0)")
	cli(t, dir, "-db", "app.db", "migrate", "validate").want(t, 0, "ok")
}

func TestMigrateBrokenChainExitsOne(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, filepath.Join(dir, "migrations"), map[string]string{
		"1.0.0_baseline.sql": "CREATE TABLE a(x);",
		"1.2.0_b.sql":        "-- migrate:from 1.1.0\nCREATE TABLE b(x);",
	})
	cli(t, dir, "-db", "app.db", "migrate", "status").want(t, 1, "missing link")
	cli(t, dir, "-db", "app.db", "migrate", "up").want(t, 1, "missing link")
	writeFiles(t, filepath.Join(dir, "bad"), map[string]string{"1.0_baseline.sql": "x"})
	cli(t, dir, "-db", "app.db", "migrate", "up", "-dir", "bad").want(t, 1, "invalid migration file")
	cli(t, dir, "-db", "app.db", "migrate", "up", "-dir", "nowhere").want(t, 3, "nowhere")
}

func TestMigrateSquashedHistory(t *testing.T) {
	dir := t.TempDir()
	mig := filepath.Join(dir, "migrations")
	writeFiles(t, mig, firstLine)
	cli(t, dir, "-db", "old.db", "migrate", "up").want(t, 0, "database at 1.2.0")
	// Squash: the 1.x files stay, a 2.0.0 baseline and an incremental come.
	writeFiles(t, mig, map[string]string{
		"2.0.0_baseline.sql": "CREATE TABLE users(id INTEGER PRIMARY KEY, name TEXT); CREATE TABLE a(x); CREATE TABLE b(x); CREATE INDEX b_x ON b(x);\n",
		"2.1.0_add_c.sql":    "CREATE TABLE c(x);\n",
	})
	cli(t, dir, "-db", "new.db", "migrate", "up").want(t, 0, "applied 2.0.0 baseline", "applied 2.1.0 incremental", "database at 2.1.0 (was fresh, 2 applied)")
	r := cli(t, dir, "-db", "new.db", "migrate", "status")
	r.want(t, 0, "note: older lineage cannot reach 2.1.0 from 1.0.0, 1.1.0, 1.2.0")
	r = cli(t, dir, "-db", "old.db", "migrate", "up")
	r.want(t, 1, "database is at 1.2.0, on an older line", "cannot reach 2.1.0")
	r.oneLineErrors(t)
	cli(t, dir, "-db", "old.db", "migrate", "status").want(t, 1, "older line")
	// A bridge from the old line lets it continue.
	writeFiles(t, mig, map[string]string{"2.0.0_bridge.sql": "-- migrate:from 1.2.0\nCREATE TABLE c_placeholder(x); DROP TABLE c_placeholder;\n"})
	cli(t, dir, "-db", "old.db", "migrate", "up").want(t, 0, "applied 2.0.0 incremental", "applied 2.1.0 incremental", "database at 2.1.0")
}

func TestMigrateCreate(t *testing.T) {
	dir := t.TempDir()
	cli(t, dir, "migrate", "create", "add_users").want(t, 2, "the first migration must be a baseline")
	cli(t, dir, "migrate", "create", "-baseline", "first").want(t, 0, filepath.Join("migrations", "1.0.0_baseline_first.sql"))
	cli(t, dir, "migrate", "create", "add users").want(t, 0, filepath.Join("migrations", "1.1.0_add_users.sql"))
	cli(t, dir, "migrate", "create", "-version", "1.1.5", "hotfix").want(t, 0, "1.1.5_hotfix.sql")
	cli(t, dir, "migrate", "create", "bad/name").want(t, 2, "letters, digits and underscores")
	cli(t, dir, "migrate", "create", "baseline").want(t, 2, "pass -baseline")
	cli(t, dir, "migrate", "create", "-version", "1.1.5", "again").want(t, 1, "would break the migrations")
	cli(t, dir, "migrate", "create", "-baseline", "squash").want(t, 0, "1.1.5_baseline_squash.sql")
	onlyFiles(t, filepath.Join(dir, "migrations"), "1.0.0_baseline_first.sql", "1.1.0_add_users.sql", "1.1.5_baseline_squash.sql", "1.1.5_hotfix.sql")
	cli(t, dir, "-db", "app.db", "migrate", "up").want(t, 0, "applied 1.1.5 baseline")
}
