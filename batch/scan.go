package batch

import (
	"context"
	"iter"

	"github.com/ncruces/go-sqlite3"

	"github.com/liteactor/liteactor"
)

// Pages walks q in key order and calls fn with each non-empty page, one
// engine Read per page. Each page is one consistent snapshot; the walk as a
// whole is not: a row inserted behind the walk's position is not seen, one
// inserted ahead of it is, a row deleted before its page is read is not
// returned, and no row present throughout is returned twice or skipped. Rows
// with a NULL key are never returned. The walk stops at the first page
// shorter than the page size, at fn's first error (returned as is), or at
// ctx's end. No reader is held between pages.
func Pages(ctx context.Context, eng *liteactor.Engine, q Keyset, fn func(Page) error) error {
	cq, err := q.compile()
	if err != nil {
		return err
	}
	var last []any
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		var page Page
		var key []any
		err := eng.Read(ctx, func(conn *sqlite3.Conn) (err error) {
			page, key, err = cq.fetch(conn, last)
			return err
		})
		if err != nil {
			return err
		}
		if len(page.Rows) == 0 {
			return nil
		}
		if err := fn(page); err != nil {
			return err
		}
		if len(page.Rows) < cq.pageSize {
			return nil
		}
		last = key
	}
}

// Rows walks q like [Pages] and yields its rows one at a time, each holding
// the values of q.Columns (int64, float64, string, []byte or nil). On error
// it yields (nil, err) once and stops. Breaking out of the loop stops the
// walk; no reader is held between pages.
func Rows(ctx context.Context, eng *liteactor.Engine, q Keyset) iter.Seq2[[]any, error] {
	return func(yield func([]any, error) bool) {
		stopped := errStop{}
		err := Pages(ctx, eng, q, func(p Page) error {
			for _, r := range p.Rows {
				if !yield(r, nil) {
					return stopped
				}
			}
			return nil
		})
		if err != nil && err != error(stopped) {
			yield(nil, err)
		}
	}
}

// errStop ends a walk whose consumer stopped iterating.
type errStop struct{}

func (errStop) Error() string { return "batch: iteration stopped" }
