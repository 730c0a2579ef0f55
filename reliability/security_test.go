package reliability_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/liteactor/liteactor"
	"github.com/liteactor/liteactor/messages"
	"github.com/ncruces/go-sqlite3"
	"github.com/rs/zerolog"
)

// TestReadersCannotWrite: every way of writing through a reader fails, and
// nothing it tried reaches the database. A caller's SQL cannot switch the
// reader's query_only off, nor attach a database to write there.
func TestReadersCannotWrite(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	e := open(t, filepath.Join(dir, "ro.db"), testConfig(2))
	mustExec(t, e, "CREATE TABLE t (n INTEGER)")
	for _, sql := range []string{
		"INSERT INTO t VALUES (1)",
		"INSERT INTO t VALUES (1) RETURNING n",
		"UPDATE t SET n = 2",
		"DELETE FROM t",
		"CREATE TABLE u (x)",
		"DROP TABLE t",
		"CREATE INDEX i ON t (n)",
		"PRAGMA user_version = 7",
		"REPLACE INTO t VALUES (1)",
		"VACUUM",
		"PRAGMA query_only = 0",
		"PRAGMA query_only = false",
		"PRAGMA main.query_only = OFF",
	} {
		for i := range 3 { // reach more than one reader
			_, err := e.Query(ctx, sql)
			if err == nil && !strings.HasPrefix(sql, "PRAGMA query_only") && !strings.HasPrefix(sql, "PRAGMA main") {
				t.Errorf("Query(%q) on a reader succeeded", sql)
			}
			if strings.Contains(sql, "query_only") && !errors.Is(err, liteactor.ErrInvalidArg) {
				t.Errorf("Query(%q) (try %d): %v, want ErrInvalidArg", sql, i, err)
			}
			if _, err := e.Query(ctx, "INSERT INTO t VALUES (99)"); !errors.Is(err, sqlite3.READONLY) {
				t.Fatalf("after Query(%q): an insert through a reader gives %v, want sqlite3.READONLY", sql, err)
			}
		}
	}
	err := e.Read(ctx, func(c *sqlite3.Conn) error { return c.Exec("INSERT INTO t VALUES (3)") })
	if !errors.Is(err, sqlite3.READONLY) {
		t.Errorf("insert in a Read callback: %v, want sqlite3.READONLY", err)
	}
	if n := queryInt(t, e, "SELECT count(*) FROM t"); n != 0 {
		t.Fatalf("%d rows written through readers", n)
	}
	if v := queryInt(t, e, "PRAGMA user_version"); v != 0 {
		t.Fatalf("user_version %d set through a reader", v)
	}
}

func fileMode(t *testing.T, path string) os.FileMode {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode().Perm()
}

// TestFileModes: a new database and its -wal and -shm files are created
// owner-only (0600) by default, or with Config.FileMode; for an existing
// database the -wal and -shm files get the database file's mode, as
// SQLite's own unix VFS does.
func TestFileModes(t *testing.T) {
	check := func(t *testing.T, path string, want os.FileMode) {
		t.Helper()
		for _, p := range []string{path, path + "-wal", path + "-shm"} {
			if got := fileMode(t, p); got != want {
				t.Errorf("%s: mode %v, want %v", filepath.Base(p), got, want)
			}
		}
	}
	t.Run("default", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "new.db")
		e := open(t, path, testConfig(1))
		mustExec(t, e, "CREATE TABLE t (x)")
		mustExec(t, e, "INSERT INTO t VALUES (randomblob(10000))")
		check(t, path, 0o600)
	})
	t.Run("configured", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "shared.db")
		cfg := testConfig(1)
		cfg.FileMode = 0o640
		e := open(t, path, cfg)
		mustExec(t, e, "CREATE TABLE t (x)")
		check(t, path, 0o640)
	})
	t.Run("existing", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "old.db")
		e := open(t, path, testConfig(1))
		mustExec(t, e, "CREATE TABLE t (x)")
		closeEngine(t, e)
		if err := os.Chmod(path, 0o660); err != nil {
			t.Fatal(err)
		}
		e = open(t, path, testConfig(1))
		mustExec(t, e, "INSERT INTO t VALUES (1)")
		check(t, path, 0o660)
	})
}

// TestArgumentsNotLogged runs statements whose arguments carry a secret,
// including failing ones (constraint errors, an unsupported argument type, a
// panicking callback, a closed engine), with the engine logging at trace
// level, and checks that the secret appears nowhere in the logs.
func TestArgumentsNotLogged(t *testing.T) {
	const secret = "s3cr3t-arg-value"
	var buf bytes.Buffer
	cfg := testConfig(1)
	cfg.Logger = zerolog.New(&buf).Level(zerolog.TraceLevel)
	path := filepath.Join(t.TempDir(), "log.db")
	e, err := liteactor.Open(context.Background(), path, cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	mustExec(t, e, "CREATE TABLE t (name TEXT UNIQUE, CHECK (length(name) < 100))")
	mustExec(t, e, "INSERT INTO t VALUES (?)", secret)
	calls := []error{}
	_, err = e.Exec(ctx, "INSERT INTO t VALUES (?)", secret) // UNIQUE
	calls = append(calls, err)
	_, err = e.Exec(ctx, "INSERT INTO t VALUES (?)", strings.Repeat(secret, 10)) // CHECK
	calls = append(calls, err)
	_, err = e.Exec(ctx, "INSERT INTO t VALUES (?, ?)", secret, struct{ s string }{secret}) // bad args
	calls = append(calls, err)
	_, err = e.Query(ctx, "SELECT * FROM t WHERE name = ? AND nope", secret) // bad SQL
	calls = append(calls, err)
	calls = append(calls, e.Write(ctx, func(c *sqlite3.Conn) error {
		s, _, err := c.Prepare("INSERT INTO t VALUES (?)")
		if err != nil {
			return err
		}
		defer s.Close()
		s.BindText(1, secret)
		s.Exec()
		panic(errors.New("callback failed"))
	}))
	rows, err := e.Query(ctx, "SELECT name FROM t WHERE name = ?", secret)
	if err != nil || len(rows.Values) != 1 {
		t.Fatalf("query: %v, %v", rows, err)
	}
	// Typed messages from actors, also after Close: protoactor logs
	// undeliverable messages (dead letters) with their content.
	sys, pid := e.ActorSystem(), e.PID()
	res, err := sys.Root.RequestFuture(pid, &messages.Exec{SQL: "INSERT INTO t VALUES (?)", Args: []any{secret}}, 10*time.Second).Result()
	if err != nil || res.(*messages.ExecResult).Err == nil {
		t.Fatalf("duplicate insert through a typed message: %v, %#v", err, res)
	}
	closeEngine(t, e)
	_, err = e.Exec(ctx, "INSERT INTO t VALUES (?)", secret)
	calls = append(calls, err)
	sys.Root.Send(pid, &messages.Exec{SQL: "INSERT INTO t VALUES (?)", Args: []any{secret}})
	_, err = sys.Root.RequestFuture(pid, &messages.Query{SQL: "SELECT ?", Args: []any{secret}}, 10*time.Second).Result()
	calls = append(calls, err)
	for i, err := range calls {
		if err == nil {
			t.Fatalf("call %d succeeded, want an error", i)
		}
	}
	if buf.Len() == 0 {
		t.Fatal("nothing was logged at trace level: the check below would prove nothing")
	}
	if !bytes.Contains(buf.Bytes(), []byte("DeadLetter")) {
		t.Fatalf("no dead letter was logged: the typed messages after Close prove nothing:\n%s", buf.String())
	}
	if bytes.Contains(buf.Bytes(), []byte(secret)) {
		t.Fatalf("an argument value was logged:\n%s", buf.String())
	}
	t.Logf("%d bytes of logs, no argument value in them", buf.Len())
}
