package batch

import (
	"context"
	"fmt"
	"iter"

	"github.com/ncruces/go-sqlite3"

	"github.com/liteactor/liteactor"
)

// Options tunes [BulkInsert].
type Options struct {
	// Mode, ConflictColumns and UpdateColumns are as in [Spec].
	Mode            Mode
	ConflictColumns []string
	UpdateColumns   []string
	// CommitEvery, when > 0, commits after every CommitEvery rows, each
	// group in its own engine Write, so the writer is never held for the
	// whole batch and other writes interleave. 0 (the default) sends the
	// whole batch in one Write: all rows commit or none do.
	CommitEvery int
	// MaxRowsPerStatement, when > 0, caps the rows of one INSERT below what
	// the bound-variable limit allows.
	MaxRowsPerStatement int
}

// Result reports what [BulkInsert] committed.
type Result struct {
	// Rows counts the rows of the input that are committed: on error with
	// CommitEvery, rows[:Rows] are committed and the rest are not (resume
	// from there); in one-Write mode it is all rows or 0.
	Rows int
	// Changed counts rows changed as SQLite counts them in the committed
	// writes: inserted, replaced, or (Upsert) updated; not rows Ignore
	// skipped.
	Changed int64
	// Commits counts the engine Writes that committed.
	Commits int
}

// BulkInsert inserts rows (one value per column, in order) into table
// through eng's writer, as multi-row INSERT statements sized to the writer
// connection's bound-variable limit, with every identifier quoted and every
// value bound (types as [ErrUnsupportedType] lists).
//
// Without opts.CommitEvery it is atomic: one Write, and either every row is
// committed or none is. With it, rows commit in groups; an error leaves the
// earlier groups committed and Result.Rows says how many rows that is.
//
// Every row is checked for shape (len(columns) values, else
// [ErrRowShape]) before anything is written. Errors: [ErrRowShape],
// [ErrInvalidSpec], schema.ErrInvalidIdentifier, [ErrUnsupportedType],
// SQLite's (errors.Is(err, sqlite3.CONSTRAINT) for a conflict under ModeInsert),
// the engine's (liteactor.ErrQueueFull, ErrClosed, ...), or ctx's.
func BulkInsert(ctx context.Context, eng *liteactor.Engine, table string, columns []string, rows [][]any, opts Options) (Result, error) {
	for i, r := range rows {
		if len(r) != len(columns) {
			return Result{}, fmt.Errorf("%w: row %d has %d values for %d columns", ErrRowShape, i, len(r), len(columns))
		}
	}
	spec := Spec{Table: table, Columns: columns, Mode: opts.Mode, ConflictColumns: opts.ConflictColumns, UpdateColumns: opts.UpdateColumns}
	if _, err := spec.insertSQL(1); err != nil {
		return Result{}, err
	}
	if opts.CommitEvery < 0 || opts.MaxRowsPerStatement < 0 {
		return Result{}, fmt.Errorf("%w: negative CommitEvery or MaxRowsPerStatement", ErrInvalidSpec)
	}
	group := len(rows)
	if opts.CommitEvery > 0 {
		group = opts.CommitEvery
	}
	maxRows := statementCap(opts)
	var res Result
	for start := 0; start < len(rows); start += group {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		part := rows[start:min(start+group, len(rows))]
		var changed int64
		err := eng.Write(ctx, func(conn *sqlite3.Conn) error {
			in, err := NewInserter(conn, spec, maxRows)
			if err != nil {
				return err
			}
			defer in.Close()
			changed, err = in.Insert(part)
			return err
		})
		if err != nil {
			return res, err
		}
		res.Rows += len(part)
		res.Changed += changed
		res.Commits++
	}
	return res, nil
}

// BulkInsertSeq is [BulkInsert] for rows produced by an iterator, so a large
// input never has to be in memory at once. The iterator runs on the writer
// (inside the engine's Write) and must not block on anything slow: the writer
// waits for it. Without CommitEvery everything is one Write; with it, each
// group of rows is pulled inside its own Write. A row of the wrong shape
// fails its Write with [ErrRowShape]; with CommitEvery, Result.Rows rows were
// committed before it.
func BulkInsertSeq(ctx context.Context, eng *liteactor.Engine, table string, columns []string, rows iter.Seq[[]any], opts Options) (Result, error) {
	spec := Spec{Table: table, Columns: columns, Mode: opts.Mode, ConflictColumns: opts.ConflictColumns, UpdateColumns: opts.UpdateColumns}
	if _, err := spec.insertSQL(1); err != nil {
		return Result{}, err
	}
	if opts.CommitEvery < 0 || opts.MaxRowsPerStatement < 0 {
		return Result{}, fmt.Errorf("%w: negative CommitEvery or MaxRowsPerStatement", ErrInvalidSpec)
	}
	maxRows := statementCap(opts)
	if opts.CommitEvery == 0 {
		// One Write: range over the iterator directly (no coroutine).
		var sent int
		var changed int64
		err := eng.Write(ctx, func(conn *sqlite3.Conn) (err error) {
			sent, changed, err = insertFrom(conn, spec, maxRows, 0, rows)
			return err
		})
		if err != nil || sent == 0 {
			return Result{}, err
		}
		return Result{Rows: sent, Changed: changed, Commits: 1}, nil
	}
	next, stop := iter.Pull(rows)
	defer stop()
	var res Result
	for done := false; !done; {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		var sent int
		var changed int64
		err := eng.Write(ctx, func(conn *sqlite3.Conn) (err error) {
			group := func(yield func([]any) bool) {
				for range opts.CommitEvery {
					row, ok := next()
					if !ok {
						done = true
						return
					}
					if !yield(row) {
						return
					}
				}
			}
			sent, changed, err = insertFrom(conn, spec, maxRows, res.Rows, group)
			return err
		})
		if err != nil {
			return res, err
		}
		if sent > 0 {
			res.Rows += sent
			res.Changed += changed
			res.Commits++
		}
	}
	return res, nil
}

// insertFrom inserts every row rows yields through an Inserter on conn,
// whole statements at a time so the prepared full-size statement is reused.
// offset numbers the first row in error messages.
func insertFrom(conn *sqlite3.Conn, spec Spec, maxRows, offset int, rows iter.Seq[[]any]) (sent int, changed int64, err error) {
	in, err := NewInserter(conn, spec, maxRows)
	if err != nil {
		return 0, 0, err
	}
	defer in.Close()
	buf := make([][]any, 0, in.RowsPerStatement())
	flush := func() error {
		n, err := in.Insert(buf)
		changed += n
		sent += len(buf)
		buf = buf[:0]
		return err
	}
	for row := range rows {
		if len(row) != len(spec.Columns) {
			return sent, changed, fmt.Errorf("%w: row %d has %d values for %d columns", ErrRowShape, offset+sent+len(buf), len(row), len(spec.Columns))
		}
		buf = append(buf, row)
		if len(buf) == cap(buf) {
			if err := flush(); err != nil {
				return sent, changed, err
			}
		}
	}
	err = flush()
	return sent, changed, err
}

// statementCap is the rows-per-statement cap: MaxRowsPerStatement, lowered
// to CommitEvery so that a commit group is made of whole statements and the
// prepared full-size statement is reused.
func statementCap(opts Options) int {
	c := opts.MaxRowsPerStatement
	if opts.CommitEvery > 0 && (c == 0 || opts.CommitEvery < c) {
		c = opts.CommitEvery
	}
	return c
}

// Insert is [BulkInsert] in one atomic Write with [ModeInsert]: a row that
// conflicts fails the whole batch with sqlite3.CONSTRAINT.
func Insert(ctx context.Context, eng *liteactor.Engine, table string, columns []string, rows [][]any) (Result, error) {
	return BulkInsert(ctx, eng, table, columns, rows, Options{Mode: ModeInsert})
}

// Replace is [BulkInsert] in one atomic Write with [ModeReplace].
func Replace(ctx context.Context, eng *liteactor.Engine, table string, columns []string, rows [][]any) (Result, error) {
	return BulkInsert(ctx, eng, table, columns, rows, Options{Mode: ModeReplace})
}

// Ignore is [BulkInsert] in one atomic Write with [ModeIgnore].
func Ignore(ctx context.Context, eng *liteactor.Engine, table string, columns []string, rows [][]any) (Result, error) {
	return BulkInsert(ctx, eng, table, columns, rows, Options{Mode: ModeIgnore})
}

// Upsert is [BulkInsert] in one atomic Write with [ModeUpsert] on
// conflictColumns, overwriting every other column.
func Upsert(ctx context.Context, eng *liteactor.Engine, table string, columns, conflictColumns []string, rows [][]any) (Result, error) {
	return BulkInsert(ctx, eng, table, columns, rows, Options{Mode: ModeUpsert, ConflictColumns: conflictColumns})
}
