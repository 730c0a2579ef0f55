package sqldb

import (
	"database/sql/driver"
	"io"
	"math"

	"github.com/liteactor/liteactor/internal/sqlstmt"
	"github.com/ncruces/go-sqlite3"
)

// Rows are read from SQLite in chunks: the first chunk comes with the
// query's answer (a point query is answered in one round trip and gives its
// reader back at once), later chunks on demand from Next, so a result of
// any size holds at most one chunk in memory.
const (
	firstChunk = 64
	nextChunk  = 256
)

// rows is the driver.Rows of every query: either complete (a result that
// fit the first chunk, or one materialised on the writer) or streamed from
// a statement held open on a lease.
type rows struct {
	cols columns
	buf  []driver.Value // n rows of len(cols.names) values, flat
	pos  int            // next row of buf
	n    int            // rows in buf
	done bool           // no row beyond buf
	err  error          // the step loop's error, reported once buf is drained

	l   *lease        // where st is open; nil when done
	own bool          // l is these rows' own (a query outside a transaction)
	st  *sqlite3.Stmt // open on l's connection until done
}

// fill steps st for up to max rows into buf; it runs on st's connection.
// Once st has no more rows, done is set and err holds the step loop's
// error (sqlstmt.Finish).
func (r *rows) fill(st *sqlite3.Stmt, max int) {
	w := len(r.cols.names)
	r.buf = r.buf[:0]
	r.pos, r.n = 0, 0
	for r.n < max {
		if !st.Step() {
			r.done = true
			r.err = sqlstmt.Finish(st)
			return
		}
		for i := range w {
			r.buf = append(r.buf, value(st, i, r.cols.kinds[i]))
		}
		r.n++
	}
}

// fillAll reads every row (the writer's materialised results).
func (r *rows) fillAll(st *sqlite3.Stmt) { r.fill(st, math.MaxInt) }

func (r *rows) Columns() []string { return r.cols.names }

// ColumnTypeDatabaseTypeName returns the column's declared type, upper
// case and without a size ("" for an expression).
func (r *rows) ColumnTypeDatabaseTypeName(i int) string {
	d := r.cols.decl[i]
	for j := range len(d) {
		if d[j] == '(' {
			d = d[:j]
			break
		}
	}
	return upperTrim(d)
}

// Next copies the next row into dest, fetching the next chunk when the
// buffer is drained. A streamed result whose lease ended reports why:
// ErrRowsExpired (WithReadLimit), ErrTxExpired, the ctx's error, or an
// error wrapping liteactor.ErrClosed.
func (r *rows) Next(dest []driver.Value) error {
	if r.pos == r.n {
		if r.done || r.l == nil {
			return r.end()
		}
		if err := r.fetch(); err != nil {
			r.done, r.err = true, err
			r.l, r.st = nil, nil
		}
		if r.pos == r.n {
			return r.end()
		}
	}
	w := len(r.cols.names)
	copy(dest, r.buf[r.pos*w:(r.pos+1)*w])
	r.pos++
	return nil
}

func (r *rows) end() error {
	if r.err != nil {
		return r.err
	}
	return io.EOF
}

// fetch reads the next chunk on the lease.
func (r *rows) fetch() error {
	l := r.l
	return l.do(nil, func(*sqlite3.Conn) error {
		r.fill(r.st, nextChunk)
		if r.done {
			r.finished()
			r.err = l.explain(nil, r.err)
		}
		return nil
	})
}

// finished runs on the lease once st has no more rows: st is closed, and a
// lease of the rows' own ends, giving the reader back.
func (r *rows) finished() {
	r.l.forget(r.st)
	if r.own {
		r.l.stopWith(nil)
	}
	r.l, r.st = nil, nil
}

// Close gives the statement and, outside a transaction, the reader back.
func (r *rows) Close() error {
	l, st := r.l, r.st
	r.l, r.st, r.done = nil, nil, true
	r.buf, r.pos, r.n = nil, 0, 0
	switch {
	case l == nil:
	case r.own:
		l.release()
	case st != nil:
		_ = l.do(nil, func(*sqlite3.Conn) error { l.forget(st); return nil })
	}
	return nil
}
