package reliability_test

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"

	"github.com/liteactor/liteactor"
	"github.com/liteactor/liteactor/internal/enginetest"
	"github.com/ncruces/go-sqlite3"
)

// waitQueued polls Stats until n writes are queued behind the writer.
func waitQueued(t *testing.T, e *liteactor.Engine, n int) {
	t.Helper()
	if err := enginetest.Poll(enginetest.Timeout, func() bool { return e.Stats().QueueDepth >= n }); err != nil {
		t.Fatalf("queue depth %d, want %d", e.Stats().QueueDepth, n)
	}
}

// TestTransactionControlInBatch puts an Exec of transaction control between
// two inserts of one group-commit batch. The statement must be refused with
// ErrInvalidArg and the inserts must each commit exactly once: a COMMIT run
// by a caller would commit the batch's earlier requests and make the engine
// run them again.
func TestTransactionControlInBatch(t *testing.T) {
	for _, sql := range []string{"COMMIT", "ROLLBACK", "END", "BEGIN IMMEDIATE", "RELEASE liteactor_write", "ROLLBACK TO liteactor_write", "SAVEPOINT liteactor_write"} {
		t.Run(sql, func(t *testing.T) {
			e := open(t, filepath.Join(t.TempDir(), "tx.db"), testConfig(1))
			mustExec(t, e, "CREATE TABLE t (id INTEGER PRIMARY KEY)")
			// Warm the writer: the engine prepares its own COMMIT.
			mustExec(t, e, "INSERT INTO t VALUES (0)")
			mustExec(t, e, "DELETE FROM t")

			release := make(chan struct{})
			started := make(chan struct{})
			var wg sync.WaitGroup
			wg.Go(func() {
				e.Write(context.Background(), func(*sqlite3.Conn) error {
					close(started)
					<-release
					return nil
				})
			})
			<-started
			errs := make([]error, 3)
			for i, s := range []string{"INSERT INTO t VALUES (1)", sql, "INSERT INTO t VALUES (2)"} {
				wg.Go(func() { _, errs[i] = e.Exec(context.Background(), s) })
				waitQueued(t, e, i+1)
			}
			close(release)
			wg.Wait()
			if errs[0] != nil || errs[2] != nil {
				t.Fatalf("inserts around %q: %v, %v", sql, errs[0], errs[2])
			}
			if !errors.Is(errs[1], liteactor.ErrInvalidArg) {
				t.Errorf("Exec(%q) inside the engine's transaction: %v, want ErrInvalidArg", sql, errs[1])
			}
			if n := queryInt(t, e, "SELECT count(*) FROM t"); n != 2 {
				t.Fatalf("%d rows, want 2", n)
			}
			st := e.Stats()
			if st.Admitted != st.Completed {
				t.Fatalf("admitted %d, completed %d", st.Admitted, st.Completed)
			}
		})
	}
}

// TestReaderTransactionControl: a Query cannot leave its reader inside a
// transaction (which would pin an old snapshot, and with a rollback journal
// block every commit). Transaction control through Query is refused, and
// every reader sees a write that returned before the read.
func TestReaderTransactionControl(t *testing.T) {
	for _, path := range []string{"file", ":memory:"} {
		t.Run(path, func(t *testing.T) {
			if path == "file" {
				path = filepath.Join(t.TempDir(), "r.db")
			}
			e := open(t, path, testConfig(2))
			mustExec(t, e, "CREATE TABLE t (n INTEGER)")
			for i, sql := range []string{"BEGIN", "BEGIN IMMEDIATE", "SAVEPOINT s", "COMMIT", "ROLLBACK", "SELECT 1; BEGIN", "BEGIN; SELECT 1"} {
				_, err := e.Query(context.Background(), sql)
				if err == nil {
					t.Errorf("Query(%q) succeeded, want an error", sql)
				}
				mustExec(t, e, "INSERT INTO t VALUES (?)", i)
				for range 3 {
					if n := queryInt(t, e, "SELECT count(*) FROM t"); n != int64(i+1) {
						t.Fatalf("after Query(%q): a reader sees %d rows, want %d", sql, n, i+1)
					}
				}
			}
			// A Read callback that opens a transaction of its own, or ends the
			// engine's, leaves nothing open either.
			for _, sql := range []string{"COMMIT", "COMMIT; BEGIN", "SAVEPOINT x"} {
				err := e.Read(context.Background(), func(c *sqlite3.Conn) error { return c.Exec(sql) })
				if !errors.Is(err, liteactor.ErrInvalidArg) {
					t.Errorf("Read doing %q: %v, want ErrInvalidArg", sql, err)
				}
				n := queryInt(t, e, "SELECT count(*) FROM t")
				mustExec(t, e, "INSERT INTO t VALUES (-1)")
				for range 3 {
					if m := queryInt(t, e, "SELECT count(*) FROM t"); m != n+1 {
						t.Fatalf("after a Read doing %q: a reader sees %d rows, want %d", sql, m, n+1)
					}
				}
			}
		})
	}
}

// TestSavepointsDoNotCrossRequests: one caller's savepoint cannot be used by
// another caller of the same batch to undo a third caller's acknowledged
// insert.
func TestSavepointsDoNotCrossRequests(t *testing.T) {
	e := open(t, filepath.Join(t.TempDir(), "sp.db"), testConfig(1))
	mustExec(t, e, "CREATE TABLE t (id INTEGER PRIMARY KEY)")
	release := make(chan struct{})
	started := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		e.Write(context.Background(), func(*sqlite3.Conn) error {
			close(started)
			<-release
			return nil
		})
	})
	<-started
	stmts := []string{"SAVEPOINT x", "INSERT INTO t VALUES (1)", "ROLLBACK TO x", "RELEASE x", "INSERT INTO t VALUES (2)"}
	errs := make([]error, len(stmts))
	for i, s := range stmts {
		wg.Go(func() { _, errs[i] = e.Exec(context.Background(), s) })
		waitQueued(t, e, i+1)
	}
	close(release)
	wg.Wait()
	t.Logf("outcomes: %v", errs)
	for _, i := range []int{1, 4} {
		if errs[i] != nil {
			t.Fatalf("%q: %v", stmts[i], errs[i])
		}
	}
	if errs[2] == nil {
		t.Errorf("ROLLBACK TO another caller's savepoint succeeded")
	}
	if n := queryInt(t, e, "SELECT count(*) FROM t"); n != 2 {
		t.Fatalf("%d rows, want 2: an acknowledged insert was undone by another caller", n)
	}
}
