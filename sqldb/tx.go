package sqldb

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"

	"github.com/liteactor/liteactor/internal/sqlstmt"
	"github.com/ncruces/go-sqlite3"
)

// tx is a transaction on a lease: read-only on a reader (one snapshot),
// read-write on the writer (BEGIN IMMEDIATE ... COMMIT, run inside
// Engine.Exclusive). Its statements run one at a time on the leased
// connection.
type tx struct {
	conn     *conn
	l        *lease
	readOnly bool
}

// begin leases a reader (readOnly) or the writer for a transaction and
// returns once it holds it: the snapshot taken, or BEGIN IMMEDIATE done.
func (cn *connector) begin(ctx context.Context, c *conn, readOnly bool) (*tx, error) {
	t := &tx{conn: c, readOnly: readOnly}
	acquire := cn.eng.Exclusive
	if readOnly {
		t.l = cn.readLease(ErrTxExpired)
		// Take the snapshot now, not at the first statement: the
		// transaction sees what had committed when BeginTx returned.
		t.l.open = func(conn *sqlite3.Conn) error {
			return sqlstmt.Exec(conn, "SELECT count(*) FROM sqlite_schema")
		}
		acquire = cn.eng.Read
	} else {
		t.l = &lease{limit: cn.cfg.txLimit, expired: ErrTxExpired, closing: cn.eng.Closing()}
		t.l.open = func(conn *sqlite3.Conn) error { return conn.Exec("BEGIN IMMEDIATE") }
		t.l.shut = func(conn *sqlite3.Conn) {
			if !conn.GetAutocommit() {
				_ = conn.Exec("ROLLBACK")
			}
		}
	}
	if err := t.l.start(ctx, acquire, nil); err != nil {
		return nil, err
	}
	return t, nil
}

// Commit commits (read-write) or ends (read-only) the transaction and gives
// the connection back. It fails with ErrTxExpired, ErrTxAborted or an error
// wrapping liteactor.ErrClosed if the transaction ended before, and with
// SQLite's error if COMMIT fails (everything is then rolled back).
func (t *tx) Commit() error {
	defer t.done()
	if t.readOnly {
		t.l.release()
		return t.endErr()
	}
	return t.l.do(nil, func(conn *sqlite3.Conn) error {
		if conn.GetAutocommit() {
			t.l.stopWith(ErrTxAborted)
			return ErrTxAborted
		}
		t.l.stopWith(nil)
		return conn.Exec("COMMIT") // on failure the lease's end rolls back
	})
}

// Rollback rolls the transaction back and gives the connection back. If
// the transaction had already ended, it reports why (ErrTxExpired,
// ErrTxAborted, liteactor.ErrClosed): nothing of it was committed either
// way.
func (t *tx) Rollback() error {
	defer t.done()
	if t.readOnly {
		t.l.release()
		return t.endErr()
	}
	err := t.l.do(nil, func(conn *sqlite3.Conn) error {
		t.l.stopWith(nil)
		return nil // the lease's end rolls back
	})
	<-t.l.ended
	return err
}

// endErr is why a released lease ended, nil if by its release.
func (t *tx) endErr() error {
	if errors.Is(t.l.err, errReleased) {
		return nil
	}
	return t.l.err
}

func (t *tx) done() {
	if t.conn.tx == t {
		t.conn.tx = nil
	}
}

// exec runs a statement in the transaction: with arguments, exactly one
// statement; without, every statement of query in order.
func (t *tx) exec(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	var res result
	err := t.l.do(ctx, func(conn *sqlite3.Conn) error {
		var err error
		if len(args) == 0 {
			err = t.execAll(conn, query)
		} else {
			err = t.execOne(conn, query, args)
		}
		res = result{rows: conn.Changes(), id: conn.LastInsertRowID()}
		return t.check(conn, err)
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

func (t *tx) execOne(conn *sqlite3.Conn, query string, args []driver.NamedValue) error {
	if err := t.allowed(query); err != nil {
		return err
	}
	st, err := sqlstmt.PrepareOne(conn, query)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := bindArgs(st, args); err != nil {
		return err
	}
	return st.Exec()
}

func (t *tx) execAll(conn *sqlite3.Conn, query string) error {
	for {
		st, tail, err := conn.Prepare(query)
		if err != nil {
			return err
		}
		if st == nil {
			return nil
		}
		if err := t.allowed(st.SQL()); err != nil {
			st.Close()
			return err
		}
		err = st.Exec()
		st.Close()
		if err != nil || sqlstmt.Blank(tail) {
			return err
		}
		query = tail
	}
}

// allowed refuses transaction control in a read-write transaction (a
// reader's own authorizer refuses it in a read-only one).
func (t *tx) allowed(query string) error {
	if t.readOnly {
		return nil
	}
	return checkTxControl(query)
}

// check ends a read-write transaction that SQLite rolled back under the
// statement that just ran: the statement's error (if any) is reported
// wrapped in ErrTxAborted, and so is every later call.
func (t *tx) check(conn *sqlite3.Conn, err error) error {
	if t.readOnly || !conn.GetAutocommit() {
		return err
	}
	t.l.stopWith(ErrTxAborted)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrTxAborted, err)
	}
	return ErrTxAborted
}

// query runs one statement in the transaction and streams its rows from the
// transaction's connection.
func (t *tx) query(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	r := &rows{}
	err := t.l.do(ctx, func(conn *sqlite3.Conn) error {
		if err := t.allowed(query); err != nil {
			return err
		}
		st, err := sqlstmt.PrepareOne(conn, query)
		if err != nil {
			return err
		}
		if err := bindArgs(st, args); err != nil {
			st.Close()
			return err
		}
		r.cols = columnsOf(st)
		r.fill(st, firstChunk)
		if r.done {
			st.Close()
			err := t.check(conn, r.err)
			if r.n == 0 {
				return err // nothing to read before the error: the query fails
			}
			r.err = t.l.explain(ctx, err)
			return nil
		}
		t.l.track(st)
		r.l, r.st = t.l, st
		return nil
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

// prepare checks query on the transaction's connection.
func (t *tx) prepare(ctx context.Context, query string) (*stmtInfo, error) {
	var in *stmtInfo
	err := t.l.do(ctx, func(conn *sqlite3.Conn) error {
		st, err := sqlstmt.PrepareOne(conn, query)
		if err != nil {
			return err
		}
		in = infoOf(st)
		return st.Close()
	})
	return in, err
}
