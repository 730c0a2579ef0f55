package retry

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/ncruces/go-sqlite3"
	"go.uber.org/goleak"

	"github.com/liteactor/liteactor"
)

// lockHolderEnv names the database the re-executed test binary locks.
const lockHolderEnv = "LITEACTOR_RETRY_LOCK_HOLDER"

func TestMain(m *testing.M) {
	if path := os.Getenv(lockHolderEnv); path != "" {
		os.Exit(holdWriteLock(path))
	}
	goleak.VerifyTestMain(m)
}

// holdWriteLock is the child process: it takes the write lock with BEGIN
// IMMEDIATE, inserts a row, prints "ready", waits for a line on stdin, then
// commits and prints "committed".
func holdWriteLock(path string) int {
	fail := func(err error) int {
		fmt.Fprintln(os.Stderr, "lock holder:", err)
		return 1
	}
	conn, err := sqlite3.Open(path)
	if err != nil {
		return fail(err)
	}
	defer conn.Close()
	if err := conn.Exec("BEGIN IMMEDIATE; INSERT INTO t(who) VALUES ('child')"); err != nil {
		return fail(err)
	}
	fmt.Println("ready")
	if _, err := bufio.NewReader(os.Stdin).ReadString('\n'); err != nil {
		return fail(err)
	}
	if err := conn.Exec("COMMIT"); err != nil {
		return fail(err)
	}
	fmt.Println("committed")
	return 0
}

// lockHolder is a second OS process holding the write lock on a database.
type lockHolder struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	out   *bufio.Reader
}

func startLockHolder(t *testing.T, path string) *lockHolder {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), lockHolderEnv+"="+path)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	h := &lockHolder{cmd: cmd, stdin: stdin, out: bufio.NewReader(stdout)}
	t.Cleanup(func() {
		h.stdin.Close()
		h.cmd.Wait()
	})
	h.expect(t, "ready")
	return h
}

func (h *lockHolder) expect(t *testing.T, want string) {
	t.Helper()
	line, err := h.out.ReadString('\n')
	if err != nil || line != want+"\n" {
		t.Fatalf("lock holder said %q, %v; want %q", line, err, want)
	}
}

// release lets the child commit and waits until it has.
func (h *lockHolder) release(t *testing.T) {
	t.Helper()
	if _, err := io.WriteString(h.stdin, "go\n"); err != nil {
		t.Fatal(err)
	}
	h.expect(t, "committed")
}

func newContendedDB(t *testing.T) (string, *sqlite3.Conn) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "contended.db")
	conn, err := sqlite3.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	// busy_timeout 0: the parent sees BUSY at once, so every wait is retry's.
	if err := conn.Exec("PRAGMA journal_mode=WAL; PRAGMA busy_timeout=0; CREATE TABLE t(id INTEGER PRIMARY KEY, who TEXT)"); err != nil {
		t.Fatal(err)
	}
	return path, conn
}

func TestDoOutlastsAnotherProcessHoldingTheWriteLock(t *testing.T) {
	path, conn := newContendedDB(t)
	holder := startLockHolder(t, path)

	p := Policy{MaxAttempts: 0, Budget: time.Minute, InitialDelay: time.Millisecond, MaxDelay: 20 * time.Millisecond, Multiplier: 2, Jitter: 0.5}
	var failures []error
	p.OnRetry = func(attempt int, err error, _ time.Duration) {
		failures = append(failures, err)
		if attempt == 1 {
			holder.release(t) // the other process commits; a later attempt gets through
		}
	}
	err := Do(context.Background(), p, func(context.Context) error {
		return conn.Exec("INSERT INTO t(who) VALUES ('parent')")
	})
	if err != nil {
		t.Fatalf("Do: %v", err)
	}
	if len(failures) == 0 || !errors.Is(failures[0], sqlite3.BUSY) {
		t.Fatalf("first attempt failed with %v, want BUSY while the other process held the lock", failures)
	}
	stmt, _, err := conn.Prepare("SELECT group_concat(who, ',') FROM (SELECT who FROM t ORDER BY id)")
	if err != nil {
		t.Fatal(err)
	}
	defer stmt.Close()
	if !stmt.Step() {
		t.Fatal(stmt.Err())
	}
	if got := stmt.ColumnText(0); got != "child,parent" {
		t.Fatalf("rows = %q, want the child's commit then the parent's", got)
	}
}

func TestDoGivesUpWhileAnotherProcessKeepsTheLock(t *testing.T) {
	path, conn := newContendedDB(t)
	holder := startLockHolder(t, path)

	p := Policy{MaxAttempts: 3, InitialDelay: time.Millisecond, MaxDelay: time.Millisecond, Multiplier: 1}
	var calls int
	err := Do(context.Background(), p, func(context.Context) error {
		calls++
		return conn.Exec("INSERT INTO t(who) VALUES ('parent')")
	})
	if !errors.Is(err, ErrExhausted) || !errors.Is(err, sqlite3.BUSY) || calls != 3 {
		t.Fatalf("err=%v calls=%d, want ErrExhausted wrapping BUSY after 3 calls", err, calls)
	}
	holder.release(t)
}

// The same contention through an engine: its writer's BEGIN IMMEDIATE meets
// the other process's lock (busy timeout 0, so at once), the engine reports
// BUSY, and Do retries the whole Exec until the other process commits.
func TestDoRetriesEngineWritesAgainstAnotherProcess(t *testing.T) {
	path, conn := newContendedDB(t)
	conn.Close()
	cfg := liteactor.MinimalConfig()
	cfg.BusyTimeout = 0
	eng, err := liteactor.Open(context.Background(), path, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close(context.Background())
	holder := startLockHolder(t, path)

	p := Interactive()
	p.Budget, p.MaxAttempts = time.Minute, 0
	var first error
	p.OnRetry = func(attempt int, err error, _ time.Duration) {
		if attempt == 1 {
			first = err
			holder.release(t)
		}
	}
	res, err := DoValue(context.Background(), p, func(ctx context.Context) (liteactor.Result, error) {
		return eng.Exec(ctx, "INSERT INTO t(who) VALUES (?)", "engine")
	})
	if err != nil {
		t.Fatalf("Do: %v", err)
	}
	if !errors.Is(first, sqlite3.BUSY) {
		t.Fatalf("first attempt: %v, want BUSY", first)
	}
	if res.LastInsertID != 2 {
		t.Fatalf("engine row got id %d, want 2 (after the other process's row)", res.LastInsertID)
	}
	rows, err := eng.Query(context.Background(), "SELECT group_concat(who, ',') FROM (SELECT who FROM t ORDER BY id)")
	if err != nil || rows.Values[0][0] != "child,engine" {
		t.Fatalf("rows = %v, %v", rows, err)
	}
}
