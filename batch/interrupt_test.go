package batch

import (
	"context"
	"errors"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/ncruces/go-sqlite3"

	"github.com/liteactor/liteactor"
)

// A keyset walk whose ctx ends in the middle of a page fails with ctx's
// error (and sqlite3.INTERRUPT): it never yields the part of the page read
// before the interrupt as if it were the whole page (issue 13 finding 1, on
// batch's path). The ctx is cancelled from inside the scan by cancel_at(x,
// n), a SQL function called per row, so no timing is involved.
func TestRowsCancelledMidPageFails(t *testing.T) {
	var cancel atomic.Pointer[context.CancelFunc]
	cfg := liteactor.MinimalConfig()
	cfg.InitHook = func(c *sqlite3.Conn) error {
		return c.CreateFunction("cancel_at", 2, 0, func(ctx sqlite3.Context, arg ...sqlite3.Value) {
			if arg[0].Int64() == arg[1].Int64() {
				if f := cancel.Load(); f != nil {
					(*f)()
				}
			}
			ctx.ResultInt64(arg[0].Int64())
		})
	}
	eng, err := liteactor.Open(context.Background(), filepath.Join(t.TempDir(), "batch.db"), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := eng.Close(context.Background()); err != nil {
			t.Error(err)
		}
	})
	ctx := context.Background()
	if _, err := eng.Exec(ctx, `CREATE TABLE t (id INTEGER PRIMARY KEY, v)`); err != nil {
		t.Fatal(err)
	}
	if _, err := eng.Exec(ctx, `INSERT INTO t (v) SELECT value FROM json_each(json_array(`+
		`1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20))`); err != nil {
		t.Fatal(err)
	}
	for _, at := range []int64{1, 5, 12, 19} {
		rctx, c := context.WithCancel(ctx)
		cancel.Store(&c)
		// Pages of 8 rows: the cancel lands in the first, second or third page.
		q := Keyset{Table: "t", Where: "cancel_at(id, ?) > 0", Args: []any{at}, PageSize: 8}
		seen := 0
		var walkErr error
		for row, err := range Rows(rctx, eng, q) {
			if err != nil {
				walkErr = err
				break
			}
			if row[0].(int64) >= at {
				t.Fatalf("cancel at row %d: row %v yielded after the cancel", at, row)
			}
			seen++
		}
		c()
		if !errors.Is(walkErr, context.Canceled) || !errors.Is(walkErr, sqlite3.INTERRUPT) {
			t.Fatalf("cancel at row %d: %d rows, err %v; want context.Canceled and sqlite3.INTERRUPT", at, seen, walkErr)
		}
		// Only the whole pages before the interrupted one were yielded.
		if want := int(at-1) / 8 * 8; seen != want {
			t.Fatalf("cancel at row %d: %d rows yielded, want %d", at, seen, want)
		}
	}
}
