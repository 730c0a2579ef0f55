package target

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/ncruces/go-sqlite3"
)

// rawKind is target (b): raw ncruces/go-sqlite3, the limit on this machine.
// Writes go through one connection with prepared statements, guarded by a
// mutex (each Insert is its own autocommit transaction; a bulk load is one
// transaction); reads go to Readers goroutines, each owning one connection
// with prepared statements and running one query per (implicit) transaction.
func rawKind() Kind {
	return Kind{
		ID:    "raw",
		Label: "(b) raw ncruces",
		Desc: "one writer connection behind a mutex with prepared statements (autocommit per insert, one transaction for bulk), " +
			"Readers goroutines each owning one connection, one query per transaction",
		Open: openRaw,
	}
}

// pragmas applied to every raw connection: the same durability as the other
// targets and the same page cache liteactor's DefaultConfig uses.
func rawPragmas(sync string) string {
	return fmt.Sprintf(`PRAGMA busy_timeout=5000; PRAGMA journal_mode=WAL; PRAGMA synchronous=%s; PRAGMA cache_size=-16000;`, sync)
}

type raw struct {
	mu                               sync.Mutex
	w                                *sqlite3.Conn
	ins, debit, credit, ledger, bulk *sqlite3.Stmt

	reqs    chan *rawReq
	closing sync.Once
	readers sync.WaitGroup
	pool    sync.Pool // *rawReq, each with its own reply channel
	rconns  []*sqlite3.Conn
}

// rawReq is one read handed to a reader goroutine; the reader answers on done.
type rawReq struct {
	scan  bool
	id    int64
	n     int
	k     int64
	count int
	err   error
	done  chan struct{}
}

func openRaw(_ context.Context, opt Options) (Target, error) {
	if err := checkSync(opt.Sync); err != nil {
		return nil, err
	}
	r := &raw{reqs: make(chan *rawReq)}
	r.pool.New = func() any { return &rawReq{done: make(chan struct{}, 1)} }
	var err error
	if r.w, err = sqlite3.Open(opt.Path); err != nil {
		return nil, err
	}
	if err = r.w.Exec(rawPragmas(opt.Sync)); err != nil {
		r.w.Close()
		return nil, err
	}
	for _, p := range []struct {
		s   **sqlite3.Stmt
		sql string
	}{{&r.ins, SQLInsert}, {&r.debit, SQLDebit}, {&r.credit, SQLCredit}, {&r.ledger, SQLLedger}, {&r.bulk, SQLInsert}} {
		if *p.s, _, err = r.w.Prepare(p.sql); err != nil {
			r.Close()
			return nil, err
		}
	}
	readers := max(opt.Readers, 1)
	for range readers {
		c, err := sqlite3.Open(opt.Path)
		if err == nil {
			err = c.Exec(rawPragmas(opt.Sync) + `PRAGMA query_only=1;`)
		}
		var get, scan *sqlite3.Stmt
		if err == nil {
			get, _, err = c.Prepare(SQLGet)
		}
		if err == nil {
			scan, _, err = c.Prepare(SQLScan)
		}
		if err != nil {
			get.Close()
			c.Close()
			r.Close()
			return nil, err
		}
		r.rconns = append(r.rconns, c)
		r.readers.Add(1)
		go r.reader(r.reqs, get, scan)
	}
	return r, nil
}

// reader owns one connection's statements and serves requests until reqs is
// closed. Values are copied into Go memory as a caller would.
func (r *raw) reader(reqs <-chan *rawReq, get, scan *sqlite3.Stmt) {
	defer r.readers.Done()
	defer get.Close()
	defer scan.Close()
	buf := make([]byte, 0, 256)
	for q := range reqs {
		if q.scan {
			_ = scan.BindInt64(1, q.id)
			_ = scan.BindInt64(2, int64(q.n))
			q.count = 0
			for scan.Step() {
				_ = scan.ColumnInt64(0)
				_ = scan.ColumnInt64(1)
				buf = append(buf[:0], scan.ColumnRawText(2)...)
				q.count++
			}
			q.err = scan.Reset()
		} else {
			_ = get.BindInt64(1, q.id)
			q.k = 0
			if get.Step() {
				q.k = get.ColumnInt64(0)
				buf = append(buf[:0], get.ColumnRawText(1)...)
			}
			q.err = get.Reset()
		}
		q.done <- struct{}{}
	}
}

func (r *raw) read(q *rawReq) {
	r.reqs <- q
	<-q.done
}

func (r *raw) Insert(_ context.Context, k int64, v string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	_ = r.ins.BindInt64(1, k)
	_ = r.ins.BindText(2, v)
	return r.ins.Exec()
}

func (r *raw) Transfer(_ context.Context, src, dst, amount int64) error {
	return r.txn(func() error {
		_ = r.debit.BindInt64(1, amount)
		_ = r.debit.BindInt64(2, src)
		if err := r.debit.Exec(); err != nil {
			return err
		}
		_ = r.credit.BindInt64(1, amount)
		_ = r.credit.BindInt64(2, dst)
		if err := r.credit.Exec(); err != nil {
			return err
		}
		_ = r.ledger.BindInt64(1, src)
		_ = r.ledger.BindInt64(2, dst)
		_ = r.ledger.BindInt64(3, amount)
		return r.ledger.Exec()
	})
}

// txn runs fn on the writer connection inside BEGIN IMMEDIATE ... COMMIT,
// rolled back if fn or COMMIT fails.
func (r *raw) txn(fn func() error) (err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.w.Exec(`BEGIN IMMEDIATE`); err != nil {
		return err
	}
	defer func() {
		if err != nil && !r.w.GetAutocommit() {
			_ = r.w.Exec(`ROLLBACK`)
		}
	}()
	if err := fn(); err != nil {
		return err
	}
	return r.w.Exec(`COMMIT`)
}

func (r *raw) Get(_ context.Context, id int64) (int64, error) {
	q := r.pool.Get().(*rawReq)
	q.scan, q.id = false, id
	r.read(q)
	k, err := q.k, q.err
	r.pool.Put(q)
	return k, err
}

func (r *raw) Scan(_ context.Context, from int64, n int) (int, error) {
	q := r.pool.Get().(*rawReq)
	q.scan, q.id, q.n = true, from, n
	r.read(q)
	count, err := q.count, q.err
	r.pool.Put(q)
	return count, err
}

// InsertGroup commits n rows in one BEGIN IMMEDIATE .. COMMIT with the
// prepared insert: what a writer that had n callers' rows at hand could do
// at best, without answering anyone.
func (r *raw) InsertGroup(_ context.Context, n int, k0 int64, v string) error {
	return r.txn(func() error {
		for i := range n {
			_ = r.ins.BindInt64(1, k0+int64(i))
			_ = r.ins.BindText(2, v)
			if err := r.ins.Exec(); err != nil {
				return err
			}
		}
		return nil
	})
}

// BulkLoad inserts all rows in one transaction with one prepared statement.
func (r *raw) BulkLoad(_ context.Context, rows, chunk int, progress func(int)) error {
	err := r.txn(func() error {
		for i := 1; i <= rows; i++ {
			_ = r.bulk.BindInt64(1, int64(i))
			_ = r.bulk.BindText(2, Payload)
			if err := r.bulk.Exec(); err != nil {
				return err
			}
			if i%chunk == 0 && i < rows {
				progress(i)
			}
		}
		return nil
	})
	if err == nil {
		progress(rows)
	}
	return err
}

func (r *raw) Close() error {
	r.closing.Do(func() { close(r.reqs) })
	r.readers.Wait()
	var errs []error
	for _, c := range r.rconns {
		errs = append(errs, c.Close())
	}
	for _, s := range []*sqlite3.Stmt{r.ins, r.debit, r.credit, r.ledger, r.bulk} {
		errs = append(errs, s.Close())
	}
	errs = append(errs, r.w.Close())
	return errors.Join(errs...)
}
