package actors

import (
	"errors"
	"fmt"
)

// The writer's guard against a half-committed request. SQLite may roll back
// the whole transaction under caller SQL (INSERT OR ROLLBACK that conflicts,
// RAISE(ROLLBACK) in a trigger, an interrupt, an I/O error). The callback
// may ignore that error and go on: its later statements would then run in
// autocommit and commit on their own, outside the engine's transaction. The
// rollback hook notes the loss; the commit hook refuses every commit while
// caller SQL runs (Exec, Write: the engine alone commits), so such a
// statement fails with SQLITE_CONSTRAINT_COMMITHOOK and changes nothing;
// and if the callback opened a transaction of its own after the loss
// (SAVEPOINT outside a transaction begins one) it is rolled back. The
// request fails with lostTxn's error; its batch-mates run again in a fresh
// transaction (runGroup).

// installHooks installs the writer's commit and rollback hooks, and the
// WAL monitor's WAL hook, on its connection: when it starts and after every
// callback (which may have replaced them through the Go API).
func (w *writer) installHooks() {
	if w.onCommit == nil { // made once: each closure allocates
		user := w.env.Conn.CommitHook
		w.onCommit = func() bool {
			if w.guard {
				w.refused = true
				return false
			}
			return user == nil || user()
		}
		w.onRollback = func() {
			if w.guard {
				w.lost = true
			}
		}
	}
	w.conn.CommitHook(w.onCommit)
	w.conn.RollbackHook(w.onRollback)
	if w.env.WALHook != nil {
		w.conn.WALHook(w.env.WALHook)
	}
}

// lostTxn ends a request under which SQLite rolled back the transaction:
// whatever the caller's SQL opened since is rolled back too, and the error
// says why (wrapping the request's own error, if any).
func (w *writer) lostTxn(err error) error {
	w.guard = false
	if !w.conn.GetAutocommit() {
		if rbErr := w.exec("ROLLBACK"); rbErr != nil {
			panic(fmt.Errorf("rollback after a lost transaction: %w", rbErr))
		}
	}
	msg := "liteactor: SQLite rolled back the whole transaction under this request (ON CONFLICT ROLLBACK, RAISE(ROLLBACK), interrupt or I/O error); nothing of it was committed"
	if w.refused {
		msg += ", and statements it ran afterwards were refused instead of committing outside the transaction"
	}
	if err != nil {
		return fmt.Errorf("%s: %w", msg, err)
	}
	return errors.New(msg)
}
