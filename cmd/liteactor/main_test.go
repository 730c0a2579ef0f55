package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ncruces/go-sqlite3"
	"go.uber.org/goleak"

	"github.com/liteactor/liteactor"
)

// bin is the command under test, built once by TestMain.
var bin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "liteactor-cli-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	bin = filepath.Join(dir, "liteactor")
	build := exec.Command("go", append(append([]string{"build"}, raceFlag...), "-o", bin, ".")...)
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building the command:", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, "goleak:", err)
			code = 1
		}
	}
	os.Exit(code)
}

// result is one run of the command.
type result struct {
	stdout, stderr string
	code           int
}

// cli runs the command in dir with args and returns its output and exit
// code; it fails the test if the command cannot be started or hangs.
func cli(t *testing.T, dir string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = dir
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		t.Fatalf("liteactor %s: %v", strings.Join(args, " "), err)
	}
	return result{out.String(), errOut.String(), code}
}

// want fails unless r exited with code and its stdout+stderr mention every
// string given.
func (r result) want(t *testing.T, code int, mentions ...string) {
	t.Helper()
	if r.code != code {
		t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, code, r.stdout, r.stderr)
	}
	all := r.stdout + r.stderr
	for _, m := range mentions {
		if !strings.Contains(all, m) {
			t.Fatalf("output does not mention %q\nstdout:\n%s\nstderr:\n%s", m, r.stdout, r.stderr)
		}
	}
}

// oneLineErrors fails unless stderr holds at most one line per liteactor
// error message (errors are one line each).
func (r result) oneLineErrors(t *testing.T) {
	t.Helper()
	for _, l := range strings.Split(strings.TrimSpace(r.stderr), "\n") {
		if l != "" && !strings.HasPrefix(l, "liteactor") && !strings.HasPrefix(l, "Run 'liteactor") && !strings.HasPrefix(l, "warning:") {
			t.Fatalf("stderr line %q is not a one-line error\n%s", l, r.stderr)
		}
	}
}

func openEngine(t *testing.T, path string) *liteactor.Engine {
	t.Helper()
	eng, err := liteactor.Open(context.Background(), path, liteactor.MinimalConfig())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { eng.Close(context.Background()) })
	return eng
}

// seed makes a database at dir/name holding rows rows of ~500 bytes (about
// rows/7 pages) and closes it.
func seed(t *testing.T, dir, name string, rows int) string {
	t.Helper()
	path := filepath.Join(dir, name)
	eng := openEngine(t, path)
	_, err := eng.Exec(context.Background(), fmt.Sprintf(`CREATE TABLE t (id INTEGER PRIMARY KEY, pad BLOB NOT NULL);
		WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %d)
		INSERT INTO t SELECT i, randomblob(500) FROM n;`, rows))
	if err != nil {
		t.Fatal(err)
	}
	if err := eng.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	return path
}

// rawExec runs sql on a plain connection to path.
func rawExec(t *testing.T, path, sql string) {
	t.Helper()
	conn, err := sqlite3.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if err := conn.Exec(sql); err != nil {
		t.Fatal(err)
	}
}

// rawInt reads one integer from path on a read-only connection.
func rawInt(t *testing.T, path, sql string) int64 {
	t.Helper()
	conn, err := sqlite3.OpenFlags(path, sqlite3.OPEN_READONLY)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	stmt, _, err := conn.Prepare(sql)
	if err != nil {
		t.Fatal(err)
	}
	defer stmt.Close()
	if !stmt.Step() {
		t.Fatalf("%s: no row: %v", sql, stmt.Err())
	}
	return stmt.ColumnInt64(0)
}

// onlyFiles fails unless dir holds exactly the named entries.
func onlyFiles(t *testing.T, dir string, names ...string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	if strings.Join(got, " ") != strings.Join(names, " ") {
		t.Fatalf("%s holds %v, want %v", dir, got, names)
	}
}

func decodeJSON(t *testing.T, s string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(s), v); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, s)
	}
}
