package migrate

import (
	"errors"
	"strings"
	"testing"

	"github.com/ncruces/go-sqlite3"
)

func TestRunScriptRunsEveryStatementInOrder(t *testing.T) {
	conn := openRaw(t)
	err := runScript(conn, "1.0.0", `
-- leading comment; with a semicolon
CREATE TABLE t(a INTEGER);
/* block; comment */ INSERT INTO t VALUES (1);
INSERT INTO t VALUES ('semi;colon');
CREATE TRIGGER tr AFTER INSERT ON t BEGIN
  INSERT INTO t SELECT 99 WHERE NEW.a = 2;
END;
INSERT INTO t VALUES (2)
-- trailing comment`)
	if err != nil {
		t.Fatal(err)
	}
	if n := countRows(t, conn, `SELECT count(*) FROM t`); n != 4 {
		t.Fatalf("rows = %d, want 4", n)
	}
}

func TestRunScriptEmptyAndCommentsOnly(t *testing.T) {
	conn := openRaw(t)
	for _, sql := range []string{"", "  \n", "-- nothing\n/* at all */"} {
		if err := runScript(conn, "1.0.0", sql); err != nil {
			t.Fatalf("%q: %v", sql, err)
		}
	}
}

func TestRunScriptFailureNamesStatement(t *testing.T) {
	conn := openRaw(t)
	mustExec(t, conn, `BEGIN IMMEDIATE`)
	err := runScript(conn, "1.3.0", "CREATE TABLE t(a UNIQUE);\nINSERT INTO t VALUES (1);\n\n  INSERT INTO t VALUES (1);\nCREATE TABLE never(x);")
	var me *MigrationError
	if !errors.As(err, &me) {
		t.Fatalf("err = %v, want *MigrationError", err)
	}
	if me.Version != "1.3.0" || me.Statement != 3 || me.Line != 4 || me.SQL != "INSERT INTO t VALUES (1);" {
		t.Fatalf("MigrationError = %+v", me)
	}
	if !errors.Is(err, ErrMigrationFailed) || !errors.Is(err, sqlite3.CONSTRAINT) {
		t.Fatalf("err %v does not match ErrMigrationFailed and sqlite3.CONSTRAINT", err)
	}
	for _, s := range []string{"1.3.0", "statement 3", "line 4", "INSERT INTO t VALUES (1);"} {
		if !strings.Contains(err.Error(), s) {
			t.Fatalf("message %q lacks %q", err, s)
		}
	}
	mustExec(t, conn, `ROLLBACK`)
	if n := countRows(t, conn, `SELECT count(*) FROM sqlite_schema`); n != 0 {
		t.Fatalf("rollback left %d objects", n)
	}
}

func TestRunScriptCompileErrorNamesStatement(t *testing.T) {
	conn := openRaw(t)
	err := runScript(conn, "2.0.0", "CREATE TABLE t(a);\n/* c */ INSERT INTO nope VALUES (1); SELECT 1;")
	var me *MigrationError
	if !errors.As(err, &me) {
		t.Fatalf("err = %v, want *MigrationError", err)
	}
	if me.Statement != 2 || me.Line != 2 || me.SQL != "INSERT INTO nope VALUES (1);" || !errors.Is(err, sqlite3.ERROR) {
		t.Fatalf("MigrationError = %+v (%v)", me, err)
	}
}

func TestRunScriptRefusesTransactionControl(t *testing.T) {
	for _, stmt := range []string{"COMMIT", "begin", "END TRANSACTION", "ROLLBACK", "SAVEPOINT s", "RELEASE s", "/* x */ commit"} {
		conn := openRaw(t)
		err := runScript(conn, "1.0.0", "CREATE TABLE t(a);\n"+stmt+";")
		var me *MigrationError
		if !errors.Is(err, ErrTransactionControl) || !errors.As(err, &me) || me.Statement != 2 {
			t.Fatalf("%s: err = %v, want ErrTransactionControl at statement 2", stmt, err)
		}
	}
}

func TestAbridge(t *testing.T) {
	long := strings.Repeat("é", 150) // 300 bytes
	got := abridge(long, false)
	if !strings.HasSuffix(got, "…") || len(got) > 204 || !strings.HasPrefix(got, "éé") {
		t.Fatalf("abridge = %q", got)
	}
	if got := abridge(" SELECT 1; SELECT 2;", true); got != "SELECT 1;" {
		t.Fatalf("abridge cut = %q", got)
	}
}

func TestLeadingKeyword(t *testing.T) {
	cases := map[string]string{
		"  -- c\n/* d */ begin immediate": "BEGIN",
		"CREATE TABLE x(a)":               "CREATE",
		"":                                "",
		"with x as (select 1) select 1":   "WITH",
	}
	for in, want := range cases {
		if got := leadingKeyword(in); got != want {
			t.Errorf("leadingKeyword(%q) = %q, want %q", in, got, want)
		}
	}
}
