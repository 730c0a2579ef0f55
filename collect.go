package liteactor

import (
	"context"
	"database/sql"
	"reflect"
	"time"
)

// Querier is what Collect reads from: an *Engine (a reader, under ctx) or a
// *Tx (its callback's connection; ctx is then only checked before the
// query starts, the Tx's own ctx bounds it).
type Querier interface {
	queryFunc(ctx context.Context, fn func(*Cursor) error, sql string, args []any) error
}

func (e *Engine) queryFunc(ctx context.Context, fn func(*Cursor) error, sql string, args []any) error {
	return e.QueryFunc(ctx, fn, sql, args...)
}

func (tx *Tx) queryFunc(ctx context.Context, fn func(*Cursor) error, sql string, args []any) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return tx.QueryFunc(fn, sql, args...)
}

// Collect runs one SQL statement with args and returns its rows as []T,
// streaming them straight into the slice (no [][]any in between). A struct
// T takes columns by name as Cursor.ScanStruct does; any other T
// (int64, string, time.Time, sql.Null[T], a sql.Scanner struct...) takes
// the single column of a one-column result. No rows is an empty slice and
// nil error. Errors are those of q's QueryFunc, and ErrScan.
func Collect[T any](ctx context.Context, q Querier, sql string, args ...any) ([]T, error) {
	out := []T{}
	byName := isStructRow(reflect.TypeFor[T]())
	err := q.queryFunc(ctx, func(c *Cursor) error {
		var v T
		var err error
		if byName {
			err = c.ScanStruct(&v)
		} else {
			err = c.Scan(&v)
		}
		if err != nil {
			return err
		}
		out = append(out, v)
		return nil
	}, sql, args)
	if err != nil {
		return nil, err
	}
	return out, nil
}

// isStructRow reports whether rows scan into t field by field: a struct
// that is neither a time nor a sql.Scanner.
func isStructRow(t reflect.Type) bool {
	return t.Kind() == reflect.Struct && !t.ConvertibleTo(reflect.TypeFor[time.Time]()) &&
		!reflect.PointerTo(t).Implements(reflect.TypeFor[sql.Scanner]())
}
