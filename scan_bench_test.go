package liteactor_test

import (
	"context"
	"runtime"
	"testing"

	"github.com/liteactor/liteactor"
	"github.com/ncruces/go-sqlite3"
)

// BenchmarkQueryRowScan is BenchmarkQuery's point query through QueryRow
// and Scan: nothing materialised, values scanned on the reader.
func BenchmarkQueryRowScan(b *testing.B) {
	e := hotPathEngine(b)
	ctx := context.Background()
	var a int64
	var s string
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if err := e.QueryRow(ctx, "SELECT a, b FROM t WHERE id = ?", i%1000+1).Scan(&a, &s); err != nil {
			b.Fatal(err)
		}
	}
}

type benchRow struct {
	ID int64  `db:"id"`
	A  int64  `db:"a"`
	B  string `db:"b"`
}

// BenchmarkCollect100 collects 100 rows into structs by column name
// (reflection, mapping cached per engine); BenchmarkQueryFunc100Manual
// scans the same rows by hand: the difference is what reflection costs.
func BenchmarkCollect100(b *testing.B) {
	e := hotPathEngine(b)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		rows, err := liteactor.Collect[benchRow](ctx, e, "SELECT id, a, b FROM t WHERE id <= 100")
		if err != nil || len(rows) != 100 {
			b.Fatal(len(rows), err)
		}
	}
}

func BenchmarkQueryFunc100Manual(b *testing.B) {
	e := hotPathEngine(b)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		rows := []benchRow{}
		err := e.QueryFunc(ctx, func(c *liteactor.Cursor) error {
			var r benchRow
			if err := c.Scan(&r.ID, &r.A, &r.B); err != nil {
				return err
			}
			rows = append(rows, r)
			return nil
		}, "SELECT id, a, b FROM t WHERE id <= 100")
		if err != nil || len(rows) != 100 {
			b.Fatal(len(rows), err)
		}
	}
}

// BenchmarkQuery100 is the same 100 rows materialised by Query.
func BenchmarkQuery100(b *testing.B) {
	e := hotPathEngine(b)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		rows, err := e.Query(ctx, "SELECT id, a, b FROM t WHERE id <= 100")
		if err != nil || len(rows.Values) != 100 {
			b.Fatal(err)
		}
	}
}

const rows100k = "SELECT value, value * 2, 'row ' || value FROM generate_series(1, 100000)"

// heapPeak samples the heap in use while a result is walked.
type heapPeak struct {
	base, peak uint64
	ms         runtime.MemStats
}

func (h *heapPeak) start() {
	runtime.GC()
	runtime.ReadMemStats(&h.ms)
	h.base, h.peak = h.ms.HeapAlloc, h.ms.HeapAlloc
}

func (h *heapPeak) sample() {
	runtime.ReadMemStats(&h.ms)
	h.peak = max(h.peak, h.ms.HeapAlloc)
}

// BenchmarkStream100k walks 100k rows with QueryFunc, scanning each; it
// reports the peak growth of the heap during the walk (peak-heap-B),
// sampled every 5000 rows. BenchmarkQuery100k materialises the same rows.
func BenchmarkStream100k(b *testing.B) {
	e, _ := open(b, liteactor.MinimalConfig())
	ctx := context.Background()
	var h heapPeak
	b.ReportAllocs()
	for b.Loop() {
		h.start()
		n := 0
		var x, y int64
		var s string
		err := e.QueryFunc(ctx, func(c *liteactor.Cursor) error {
			if err := c.Scan(&x, &y, &s); err != nil {
				return err
			}
			if n++; n%5000 == 0 {
				h.sample()
			}
			return nil
		}, rows100k)
		if err != nil || n != 100000 {
			b.Fatal(n, err)
		}
	}
	b.ReportMetric(float64(h.peak-h.base), "peak-heap-B")
}

func BenchmarkQuery100k(b *testing.B) {
	e, _ := open(b, liteactor.MinimalConfig())
	ctx := context.Background()
	var h heapPeak
	b.ReportAllocs()
	for b.Loop() {
		h.start()
		rows, err := e.Query(ctx, rows100k)
		if err != nil || len(rows.Values) != 100000 {
			b.Fatal(err)
		}
		h.sample()
		runtime.KeepAlive(rows)
	}
	b.ReportMetric(float64(h.peak-h.base), "peak-heap-B")
}

// W2 of go run ./bench: three statements in one write (debit, credit,
// ledger row). BenchmarkW2Tx runs them through the Tx handle (statement
// cache, arguments bound by the engine); BenchmarkW2Raw as the bench
// target does with a bare connection (prepare and finalize each).
const (
	w2Debit  = "UPDATE accounts SET balance = balance - ? WHERE id = ?"
	w2Credit = "UPDATE accounts SET balance = balance + ? WHERE id = ?"
	w2Ledger = "INSERT INTO ledger(src, dst, amount) VALUES (?, ?, ?)"
)

func w2Engine(b *testing.B) *liteactor.Engine {
	cfg := liteactor.DefaultConfig()
	cfg.Synchronous = liteactor.SyncNormal
	e, _ := open(b, cfg)
	mustExec(b, e, "CREATE TABLE accounts(id INTEGER PRIMARY KEY, balance INTEGER NOT NULL)")
	mustExec(b, e, "CREATE TABLE ledger(id INTEGER PRIMARY KEY, src INTEGER, dst INTEGER, amount INTEGER)")
	mustExec(b, e, "INSERT INTO accounts SELECT value, 1000000 FROM generate_series(1, 10000)")
	return e
}

func BenchmarkW2Tx(b *testing.B) {
	e := w2Engine(b)
	ctx := context.Background()
	b.ReportAllocs()
	for i := int64(0); b.Loop(); i++ {
		src, dst, amount := i%10000+1, (i+7)%10000+1, i%500+300 // amounts above 255 box
		err := e.WriteTx(ctx, func(tx *liteactor.Tx) error {
			if _, err := tx.Exec(w2Debit, amount, src); err != nil {
				return err
			}
			if _, err := tx.Exec(w2Credit, amount, dst); err != nil {
				return err
			}
			_, err := tx.Exec(w2Ledger, src, dst, amount)
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkW2Raw(b *testing.B) {
	e := w2Engine(b)
	ctx := context.Background()
	b.ReportAllocs()
	for i := int64(0); b.Loop(); i++ {
		src, dst, amount := i%10000+1, (i+7)%10000+1, i%500+300
		err := e.Write(ctx, func(c *sqlite3.Conn) error {
			for _, st := range []struct {
				sql  string
				args [3]int64
				n    int
			}{{w2Debit, [3]int64{amount, src}, 2}, {w2Credit, [3]int64{amount, dst}, 2}, {w2Ledger, [3]int64{src, dst, amount}, 3}} {
				s, _, err := c.Prepare(st.sql)
				if err != nil {
					return err
				}
				for i := range st.n {
					_ = s.BindInt64(i+1, st.args[i])
				}
				err = s.Exec()
				if cerr := s.Close(); err == nil {
					err = cerr
				}
				if err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}
