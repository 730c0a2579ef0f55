package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestHelpOnEveryCommand(t *testing.T) {
	dir := t.TempDir()
	r := cli(t, dir, "-h")
	r.want(t, 0, "Usage: liteactor -db PATH <command>", "Exit codes")
	for _, c := range commands() {
		if !strings.Contains(r.stdout, "  "+c.name+" ") {
			t.Errorf("liteactor -h does not list %s", c.name)
		}
		// Without -db, and with -db: help never needs a database.
		cli(t, dir, c.name, "-h").want(t, 0, "Usage: liteactor -db PATH "+c.name)
		cli(t, dir, "-db", "x.db", c.name, "-h").want(t, 0, "Usage: liteactor -db PATH "+c.name)
	}
	cli(t, dir, "migrate", "-h").want(t, 0, "up", "status", "validate", "repair", "create")
	for _, sub := range []string{"up", "status", "validate", "repair", "create"} {
		cli(t, dir, "migrate", sub, "-h").want(t, 0, "Usage: liteactor -db PATH migrate "+sub, "-dir")
	}
	if _, err := os.Stat(filepath.Join(dir, "x.db")); !os.IsNotExist(err) {
		t.Fatalf("help created the database: %v", err)
	}
}

func TestUsageErrorsExitTwo(t *testing.T) {
	dir := t.TempDir()
	for _, args := range [][]string{
		{},                                       // no command
		{"frobnicate"},                           // unknown command
		{"stats"},                                // no -db
		{"-db", "x.db", "stats", "-bogus"},       // unknown flag
		{"-db", "x.db", "backup"},                // missing DEST
		{"-db", "x.db", "backup", "a", "b"},      // extra argument
		{"-db", "x.db", "checkpoint", "restart"}, // mode not offered
		{"-db", "x.db", "migrate"},               // no migrate command
		{"-db", "x.db", "migrate", "down"},       // unknown migrate command
		{"migrate", "up"},                        // no -db
		{"-db", "x.db", "backup", "d", "-step", "0"},
		{"-db", "x.db", "backup", "d", "-pause", "-1s"},
	} {
		r := cli(t, dir, args...)
		if r.code != 2 {
			t.Fatalf("liteactor %q: exit %d, want 2\n%s%s", args, r.code, r.stdout, r.stderr)
		}
		if r.stderr == "" {
			t.Fatalf("liteactor %q: no message on stderr", args)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "x.db")); !os.IsNotExist(err) {
		t.Fatalf("a usage error created the database: %v", err)
	}
}

func TestMissingOrBadDatabaseFailsWithOneLine(t *testing.T) {
	dir := t.TempDir()
	r := cli(t, dir, "-db", "nope.db", "stats")
	r.want(t, 3, "nope.db does not exist")
	r.oneLineErrors(t)
	if _, err := os.Stat(filepath.Join(dir, "nope.db")); !os.IsNotExist(err) {
		t.Fatal("stats created a database")
	}
	if err := os.WriteFile(filepath.Join(dir, "junk.db"), []byte(strings.Repeat("not a database ", 512)), 0o600); err != nil {
		t.Fatal(err)
	}
	r = cli(t, dir, "-db", "junk.db", "check")
	r.want(t, 3, "SQLITE_NOTADB")
	r.oneLineErrors(t)
	cli(t, dir, "verify", "junk.db").want(t, 3, "SQLITE_NOTADB")
	cli(t, dir, "verify", "missing.db").want(t, 3, "missing.db")
}
