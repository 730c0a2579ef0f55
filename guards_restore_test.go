package liteactor_test

import (
	"context"
	"errors"
	"testing"

	"github.com/liteactor/liteactor"
	"github.com/ncruces/go-sqlite3"
)

// TestGuardsBackAfterCallbackReplacesThem: a callback that removes the
// engine's authorizer, or replaces it with one that allows everything, or
// replaces the commit, rollback and WAL hooks, changes nothing for the next
// caller: transaction control and state changes are refused again on the
// writer and on the reader, a Write's statement after SQLite rolled its
// transaction back is still refused, and the WAL monitor's hook still sees
// every commit. (The engine asks its authorizer with a probe rather than
// setting it after every callback, which would expire every cached
// statement: this is the test that the probe sees through a replacement.)
func TestGuardsBackAfterCallbackReplacesThem(t *testing.T) {
	cfg := liteactor.DefaultConfig() // the WAL monitor on: its hook is one of the guards
	cfg.Readers = 1
	e, _ := open(t, cfg)
	ctx := context.Background()
	mustExec(t, e, "CREATE TABLE t(id INTEGER PRIMARY KEY)")
	allowAll := func(sqlite3.AuthorizerActionCode, string, string, string, string) sqlite3.AuthorizerReturnCode {
		return sqlite3.AUTH_OK
	}
	replace := map[string]func(c *sqlite3.Conn) error{
		"removed":   func(c *sqlite3.Conn) error { return c.SetAuthorizer(nil) },
		"allow-all": func(c *sqlite3.Conn) error { return c.SetAuthorizer(allowAll) },
		"hooks": func(c *sqlite3.Conn) error {
			c.CommitHook(func() bool { return true })
			c.RollbackHook(nil)
			c.WALHook(nil)
			return nil
		},
	}
	for name, fn := range replace {
		t.Run(name, func(t *testing.T) {
			if err := e.Write(ctx, fn); err != nil {
				t.Fatalf("Write replacing the guards: %v", err)
			}
			if err := e.Read(ctx, fn); err != nil {
				t.Fatalf("Read replacing the guards: %v", err)
			}
			for _, sql := range []string{"COMMIT", "ROLLBACK", "PRAGMA query_only=1", "ATTACH ':memory:' AS x"} {
				if _, err := e.Exec(ctx, sql); !errors.Is(err, liteactor.ErrInvalidArg) {
					t.Errorf("Exec(%q) after the callback: %v, want ErrInvalidArg", sql, err)
				}
				if _, err := e.Query(ctx, sql); !errors.Is(err, liteactor.ErrInvalidArg) {
					t.Errorf("Query(%q) after the callback: %v, want ErrInvalidArg", sql, err)
				}
			}
			// The rollback hook is the engine's again: a statement after
			// SQLite rolled the transaction back must not commit alone.
			err := e.Write(ctx, func(c *sqlite3.Conn) error {
				if err := c.Exec("INSERT INTO t VALUES (1); INSERT OR ROLLBACK INTO t VALUES (1)"); err == nil {
					return errors.New("duplicate key accepted")
				}
				return c.Exec("INSERT INTO t VALUES (2)")
			})
			if err == nil {
				t.Fatal("Write going on after SQLite rolled back: nil error")
			}
			if n := count(t, e, "SELECT count(*) FROM t"); n != 0 {
				t.Fatalf("%d rows committed by a Write whose transaction SQLite rolled back", n)
			}
			// The WAL monitor's hook is the engine's again: a commit
			// reports the WAL's size (Stats().WAL.Frames) as it happens.
			before := e.Stats().WAL.Frames
			mustExec(t, e, "INSERT INTO t VALUES (3)")
			if after := e.Stats().WAL.Frames; after <= before {
				t.Fatalf("WAL frames %d -> %d across a commit: the monitor's WAL hook is gone", before, after)
			}
			mustExec(t, e, "DELETE FROM t")
		})
	}
}

// TestCallbacksKeepTheStatementCache: a Write or Read callback that leaves
// the guards alone does not make the engine set them again, which would
// expire every prepared statement (SQLite does that when an authorizer is
// set): the writer's cached INSERT is never prepared again.
func TestCallbacksKeepTheStatementCache(t *testing.T) {
	e, _ := open(t, liteactor.MinimalConfig())
	ctx := context.Background()
	mustExec(t, e, "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT)")
	const insert = "INSERT INTO t(v) VALUES (?)"
	reprepared := func() (n int) {
		err := e.WriteTx(ctx, func(tx *liteactor.Tx) error {
			if _, err := tx.Exec(insert, "x"); err != nil {
				return err
			}
			for s := range tx.Conn().Stmts() {
				if s.SQL() == insert {
					n += s.Status(sqlite3.STMTSTATUS_REPREPARE, false)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := reprepared()
	for range 3 {
		if err := e.Write(ctx, func(c *sqlite3.Conn) error { return c.Exec("INSERT INTO t(v) VALUES ('w')") }); err != nil {
			t.Fatal(err)
		}
		if err := e.Read(ctx, func(c *sqlite3.Conn) error { return c.Exec("SELECT count(*) FROM t") }); err != nil {
			t.Fatal(err)
		}
	}
	if after := reprepared(); after != before {
		t.Fatalf("the writer's cached INSERT was prepared again %d times across callbacks", after-before)
	}
}
