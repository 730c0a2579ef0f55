package sqldb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"

	"github.com/liteactor/liteactor"
	"github.com/liteactor/liteactor/internal/sqlstmt"
	"github.com/ncruces/go-sqlite3"
)

// conn is a driver.Conn: not a SQLite connection but a handle on the
// engine. Outside a transaction each call goes to the engine on its own;
// inside one, to the transaction's lease.
type conn struct {
	c  *connector
	tx *tx // the open transaction, if any
}

var (
	_ driver.ConnBeginTx                    = (*conn)(nil)
	_ driver.ExecerContext                  = (*conn)(nil)
	_ driver.QueryerContext                 = (*conn)(nil)
	_ driver.ConnPrepareContext             = (*conn)(nil)
	_ driver.Pinger                         = (*conn)(nil)
	_ driver.SessionResetter                = (*conn)(nil)
	_ driver.Validator                      = (*conn)(nil)
	_ driver.RowsColumnTypeDatabaseTypeName = (*rows)(nil)
)

// errWrites: a statement sent to a reader writes; it goes to the writer.
var errWrites = errors.New("sqldb: statement writes")

// ExecContext runs a statement. Outside a transaction it is Engine.Exec:
// through the writer's admission queue, group-committed with the other
// writes; several statements without arguments run atomically, as one.
// Inside a transaction it runs on the transaction's connection.
func (c *conn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	if c.tx != nil {
		return c.tx.exec(ctx, query, args)
	}
	return c.c.exec(ctx, query, nil, args)
}

// QueryContext runs a query. Outside a transaction a statement that only
// reads runs on a reader and streams; one that writes (INSERT ...
// RETURNING) runs through the writer, like Engine.Write, and its rows are
// materialised. Inside a transaction it runs on the transaction's
// connection and streams.
func (c *conn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	if c.tx != nil {
		return c.tx.query(ctx, query, args)
	}
	return c.c.query(ctx, query, c.c.info.get(query), args)
}

// PrepareContext checks the statement (on a reader, or on the
// transaction's connection) and remembers what it learned; the returned
// statement runs as ExecContext and QueryContext do.
func (c *conn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	var in *stmtInfo
	var err error
	if c.tx != nil {
		in, err = c.tx.prepare(ctx, query)
	} else {
		in, err = c.c.infoFor(ctx, query)
	}
	if err != nil {
		return nil, err
	}
	return &stmt{conn: c, sql: query, in: in}, nil
}

func (c *conn) Prepare(query string) (driver.Stmt, error) {
	return c.PrepareContext(context.Background(), query)
}

// BeginTx starts a transaction: with opts.ReadOnly, on a reader holding one
// snapshot; otherwise on the writer, BEGIN IMMEDIATE. Every isolation level
// up to sql.LevelSerializable is accepted: SQLite's transactions are
// serializable. sql.LevelLinearizable is refused.
func (c *conn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	if c.tx != nil {
		return nil, fmt.Errorf("%w: a transaction is already open on this connection", liteactor.ErrInvalidArg)
	}
	if lvl := sql.IsolationLevel(opts.Isolation); lvl > sql.LevelSerializable {
		return nil, fmt.Errorf("%w: isolation level %s is not supported (SQLite gives serializable)", liteactor.ErrInvalidArg, lvl)
	}
	t, err := c.c.begin(ctx, c, opts.ReadOnly)
	if err != nil {
		return nil, err
	}
	c.tx = t
	return t, nil
}

func (c *conn) Begin() (driver.Tx, error) {
	return c.BeginTx(context.Background(), driver.TxOptions{})
}

// Close rolls back a transaction left open on the connection.
func (c *conn) Close() error {
	if c.tx != nil {
		_ = c.tx.Rollback()
	}
	return nil
}

// Ping fails with liteactor.ErrClosed once the engine is closing.
func (c *conn) Ping(context.Context) error { return c.c.closed() }

// ResetSession refuses to reuse a connection with a transaction open.
func (c *conn) ResetSession(context.Context) error {
	if c.tx != nil {
		return driver.ErrBadConn
	}
	return nil
}

// IsValid is false once the engine is closing.
func (c *conn) IsValid() bool { return c.c.closed() == nil }

// exec runs a statement outside a transaction through Engine.Exec; named
// arguments are put in parameter order using in (learned on a reader when
// nil).
func (cn *connector) exec(ctx context.Context, query string, in *stmtInfo, args []driver.NamedValue) (driver.Result, error) {
	if in == nil && anyNamed(args) {
		var err error
		if in, err = cn.infoFor(ctx, query); err != nil {
			return nil, err
		}
	}
	vals, err := positional(in, args)
	if err != nil {
		return nil, err
	}
	res, err := cn.eng.Exec(ctx, query, vals...)
	if err != nil {
		return nil, err
	}
	return result{rows: res.RowsAffected, id: res.LastInsertID}, nil
}

// infoFor returns what the bridge knows about query, preparing it on a
// reader when it knows nothing yet.
func (cn *connector) infoFor(ctx context.Context, query string) (*stmtInfo, error) {
	if in := cn.info.get(query); in != nil {
		return in, nil
	}
	var in *stmtInfo
	err := cn.eng.Read(ctx, func(conn *sqlite3.Conn) error {
		st, err := sqlstmt.PrepareOne(conn, query)
		if err != nil {
			return err
		}
		in = infoOf(st)
		return st.Close()
	})
	if err != nil {
		return nil, err
	}
	cn.info.put(query, in)
	return in, nil
}

// query runs a statement outside a transaction: on a reader, streaming,
// unless it writes (in says so, or the reader finds out), then on the
// writer.
func (cn *connector) query(ctx context.Context, query string, in *stmtInfo, args []driver.NamedValue) (driver.Rows, error) {
	if in != nil && in.writes {
		return cn.writeQuery(ctx, query, args)
	}
	r := &rows{own: true}
	l := cn.readLease(ErrRowsExpired)
	first := newJob(nil, func(conn *sqlite3.Conn) error {
		l.stopWith(nil) // unless the result goes on
		st, err := sqlstmt.PrepareOne(conn, query)
		if err != nil {
			return err
		}
		if !st.ReadOnly() {
			cn.info.put(query, infoOf(st))
			st.Close()
			return errWrites
		}
		if err := bindArgs(st, args); err != nil {
			st.Close()
			return err
		}
		r.cols = columnsOf(st)
		r.fill(st, firstChunk)
		if r.done {
			st.Close()
			if r.n == 0 {
				return r.err // nothing to read before the error: the query fails
			}
			r.err = l.explain(nil, r.err)
			return nil
		}
		l.track(st)
		r.l, r.st = l, st
		l.stop = false
		return nil
	})
	if err := l.start(ctx, cn.eng.Read, first); err != nil {
		if errors.Is(err, errWrites) {
			return cn.writeQuery(ctx, query, args)
		}
		return nil, err
	}
	return r, nil
}

// writeQuery runs a statement that writes and returns rows through the
// writer (Engine.Write: group-committed, in its own savepoint) and
// materialises its rows.
func (cn *connector) writeQuery(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	r := &rows{}
	err := cn.eng.Write(ctx, func(conn *sqlite3.Conn) error {
		st, err := sqlstmt.PrepareOne(conn, query)
		if err != nil {
			return err
		}
		defer st.Close()
		if err := bindArgs(st, args); err != nil {
			return err
		}
		r.cols = columnsOf(st)
		r.fillAll(st)
		return r.err
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

// readLease makes a lease on a reader, ended by the read limit with
// expired.
func (cn *connector) readLease(expired error) *lease {
	return &lease{limit: cn.cfg.readLimit, expired: expired, closing: cn.eng.Closing()}
}
