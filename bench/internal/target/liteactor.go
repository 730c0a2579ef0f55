package target

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/ncruces/go-sqlite3"

	"github.com/liteactor/liteactor"
)

// liteactorKind is target (a): the liteactor engine with DefaultConfig, the
// workload's synchronous mode and reader count, used only through its public
// API (Exec, Query, WriteTx, Write).
func liteactorKind() Kind {
	return Kind{
		ID:    "liteactor",
		Label: "(a) liteactor",
		Desc: "liteactor.DefaultConfig() with Readers and Synchronous set per workload; Insert = Exec, Get/Scan = Query, " +
			"Transfer = WriteTx (3 statements through the writer's statement cache), bulk = Write closures of 10k rows with a prepared statement",
		Open:     openLiteactor,
		Classify: classifyLiteactor,
	}
}

type lite struct {
	e *liteactor.Engine
}

// OpenEngine opens a liteactor engine the way the benchmark's target (a)
// does: DefaultConfig with the given synchronous mode, reader count and (when
// set) WAL.TruncateBytes and WAL.Interval.
func OpenEngine(ctx context.Context, opt Options) (*liteactor.Engine, error) {
	cfg := liteactor.DefaultConfig()
	if opt.Readers > 0 {
		cfg.Readers = opt.Readers
	}
	if opt.TruncateBytes != 0 {
		cfg.WAL.TruncateBytes = opt.TruncateBytes
	}
	if opt.WALInterval != 0 {
		cfg.WAL.Interval = opt.WALInterval
	}
	switch opt.Sync {
	case "NORMAL":
		cfg.Synchronous = liteactor.SyncNormal
	case "FULL":
		cfg.Synchronous = liteactor.SyncFull
	default:
		return nil, fmt.Errorf("unknown synchronous mode %q", opt.Sync)
	}
	return liteactor.Open(ctx, opt.Path, cfg)
}

func openLiteactor(ctx context.Context, opt Options) (Target, error) {
	e, err := OpenEngine(ctx, opt)
	if err != nil {
		return nil, err
	}
	return &lite{e: e}, nil
}

func (l *lite) Insert(ctx context.Context, k int64, v string) error {
	_, err := l.e.Exec(ctx, SQLInsert, k, v)
	return err
}

func (l *lite) Transfer(ctx context.Context, src, dst, amount int64) error {
	return l.e.WriteTx(ctx, func(tx *liteactor.Tx) error {
		if _, err := tx.Exec(SQLDebit, amount, src); err != nil {
			return err
		}
		if _, err := tx.Exec(SQLCredit, amount, dst); err != nil {
			return err
		}
		_, err := tx.Exec(SQLLedger, src, dst, amount)
		return err
	})
}

func (l *lite) Get(ctx context.Context, id int64) (int64, error) {
	rows, err := l.e.Query(ctx, SQLGet, id)
	if err != nil {
		return 0, err
	}
	if len(rows.Values) == 0 {
		return 0, nil
	}
	k, _ := rows.Values[0][0].(int64)
	return k, nil
}

func (l *lite) Scan(ctx context.Context, from int64, n int) (int, error) {
	rows, err := l.e.Query(ctx, SQLScan, from, n)
	if err != nil {
		return 0, err
	}
	return len(rows.Values), nil
}

// Report runs SQLReport with QueryRow on a reader: one read transaction for
// the whole aggregate.
func (l *lite) Report(ctx context.Context, n int64) (int64, error) {
	var count, size int64
	err := l.e.QueryRow(ctx, SQLReport, n).Scan(&count, &size)
	return count, err
}

// bulkSubmitters is how many goroutines submit bulk chunks at once, so the
// writer finds the next chunk queued when it commits one.
const bulkSubmitters = 2

// BulkLoad inserts rows in Write closures of chunk rows each, each closure
// with one prepared statement, from bulkSubmitters goroutines.
func (l *lite) BulkLoad(ctx context.Context, rows, chunk int, progress func(int)) error {
	var mu sync.Mutex
	next, done := 0, 0
	var errs []error
	var wg sync.WaitGroup
	for range bulkSubmitters {
		wg.Go(func() {
			for {
				mu.Lock()
				if next >= rows || len(errs) > 0 {
					mu.Unlock()
					return
				}
				from, to := next+1, min(next+chunk, rows)
				next = to
				mu.Unlock()
				err := l.e.Write(ctx, func(c *sqlite3.Conn) error { return insertRange(c, from, to) })
				mu.Lock()
				if err != nil {
					errs = append(errs, err)
				} else {
					done += to - from + 1
					progress(done)
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// insertRange inserts rows from..to (k = the row number) with one prepared
// statement.
func insertRange(c *sqlite3.Conn, from, to int) error {
	s, _, err := c.Prepare(SQLInsert)
	if err != nil {
		return err
	}
	for i := from; i <= to && err == nil; i++ {
		_ = s.BindInt64(1, int64(i))
		_ = s.BindText(2, Payload)
		err = s.Exec()
	}
	if cerr := s.Close(); err == nil {
		err = cerr
	}
	return err
}

// Counters returns the engine's cumulative Stats counters.
func (l *lite) Counters() map[string]float64 {
	s := l.e.Stats()
	return map[string]float64{
		"writes_completed": float64(s.Completed),
		"write_batches":    float64(s.Batches),
		"writes_rejected":  float64(s.Rejected),
		"writes_expired":   float64(s.Expired),
		"reads":            float64(s.Reads),
		"read_groups":      float64(s.ReadGroups),
		"reads_expired":    float64(s.ReadsExpired),
		// The WAL monitor's emergency brake (W7).
		"wal_read_barriers":    float64(s.WAL.ReadBarriers),
		"wal_barrier_expired":  float64(s.WAL.BarrierExpired),
		"wal_truncates":        float64(s.WAL.Checkpoints["TRUNCATE"]),
		"wal_busy_checkpoints": float64(s.WAL.BusyCheckpoint),
	}
}

func (l *lite) Close() error {
	return l.e.Close(context.Background())
}

// classifyLiteactor names liteactor's sentinel errors.
func classifyLiteactor(err error) string {
	for _, s := range []struct {
		err  error
		kind string
	}{
		{liteactor.ErrQueueFull, "queue_full"},
		{liteactor.ErrDropped, "dropped"},
		{liteactor.ErrReadTimeout, "read_timeout"},
		{liteactor.ErrClosed, "closed"},
		{liteactor.ErrPanic, "panic"},
		{liteactor.ErrInvalidArg, "invalid_arg"},
	} {
		if errors.Is(err, s.err) {
			return s.kind
		}
	}
	return ""
}
