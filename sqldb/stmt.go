package sqldb

import (
	"context"
	"database/sql/driver"
)

// stmt is a prepared statement: its text and what preparing it taught the
// bridge (parameters, whether it writes). It holds no SQLite statement:
// each execution prepares on the connection that runs it (a reader, the
// writer, the transaction's), so a stmt is valid on every connection and
// costs nothing while unused.
type stmt struct {
	conn *conn
	sql  string
	in   *stmtInfo
}

var (
	_ driver.StmtExecContext  = (*stmt)(nil)
	_ driver.StmtQueryContext = (*stmt)(nil)
)

func (s *stmt) Close() error { return nil }

// NumInput is the statement's parameter count; database/sql checks the
// argument count against it.
func (s *stmt) NumInput() int { return len(s.in.params) }

func (s *stmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	if s.conn.tx != nil {
		return s.conn.tx.exec(ctx, s.sql, args)
	}
	return s.conn.c.exec(ctx, s.sql, s.in, args)
}

func (s *stmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	if s.conn.tx != nil {
		return s.conn.tx.query(ctx, s.sql, args)
	}
	return s.conn.c.query(ctx, s.sql, s.in, args)
}

func (s *stmt) Exec(args []driver.Value) (driver.Result, error) {
	return s.ExecContext(context.Background(), named(args))
}

func (s *stmt) Query(args []driver.Value) (driver.Rows, error) {
	return s.QueryContext(context.Background(), named(args))
}

func named(args []driver.Value) []driver.NamedValue {
	out := make([]driver.NamedValue, len(args))
	for i, v := range args {
		out[i] = driver.NamedValue{Ordinal: i + 1, Value: v}
	}
	return out
}
