package sqldb_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/liteactor/liteactor"
	"github.com/liteactor/liteactor/internal/enginetest"
	"github.com/liteactor/liteactor/sqldb"
	"github.com/ncruces/go-sqlite3"
)

const (
	accounts = 10
	initial  = 1000
)

func seedAccounts(t *testing.T, f fixture) {
	t.Helper()
	f.must(t, `CREATE TABLE acct (id INTEGER PRIMARY KEY, balance INTEGER NOT NULL CHECK (balance >= 0))`)
	for i := 1; i <= accounts; i++ {
		f.must(t, `INSERT INTO acct (id, balance) VALUES (?, ?)`, i, initial)
	}
}

// transfer moves amount from src to dst in an interactive transaction,
// reading the balance first (a read-modify-write that is only correct if
// the transaction is serializable).
func transfer(ctx context.Context, db *sql.DB, src, dst, amount int64) (err error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	var bal int64
	if err := tx.QueryRowContext(ctx, `SELECT balance FROM acct WHERE id = ?`, src).Scan(&bal); err != nil {
		return err
	}
	if bal < amount {
		return tx.Commit() // nothing to move
	}
	if _, err := tx.ExecContext(ctx, `UPDATE acct SET balance = ? WHERE id = ?`, bal-amount, src); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE acct SET balance = balance + ? WHERE id = ?`, amount, dst); err != nil {
		return err
	}
	return tx.Commit()
}

// TestBankTransfers: concurrent interactive transactions move money while
// readers (plain queries and read-only transactions) check the total; it
// never changes, and no balance goes negative.
func TestBankTransfers(t *testing.T) {
	f := open(t, func(c *liteactor.Config) { c.Readers = 3 })
	seedAccounts(t, f)
	ctx := context.Background()
	const workers, each = 6, 40
	var wg sync.WaitGroup
	errs := make(chan error, workers+2)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 1))
			for range each {
				src, dst := rng.Int64N(accounts)+1, rng.Int64N(accounts)+1
				if src == dst {
					continue
				}
				if err := transfer(ctx, f.db, src, dst, rng.Int64N(300)+1); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	stop := make(chan struct{})
	var rwg sync.WaitGroup
	check := func(readOnlyTx bool) {
		defer rwg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			var sum int64
			var err error
			if readOnlyTx {
				var tx *sql.Tx
				if tx, err = f.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true}); err == nil {
					var a, b int64
					err = tx.QueryRowContext(ctx, `SELECT sum(balance) FROM acct WHERE id <= 5`).Scan(&a)
					if err == nil {
						err = tx.QueryRowContext(ctx, `SELECT sum(balance) FROM acct WHERE id > 5`).Scan(&b)
					}
					sum = a + b
					if cerr := tx.Commit(); err == nil {
						err = cerr
					}
				}
			} else {
				err = f.db.QueryRowContext(ctx, `SELECT sum(balance) FROM acct`).Scan(&sum)
			}
			if err == nil && sum != accounts*initial {
				err = fmt.Errorf("total %d, want %d (readOnlyTx %v)", sum, accounts*initial, readOnlyTx)
			}
			if err != nil {
				errs <- err
				return
			}
		}
	}
	rwg.Add(2)
	go check(false)
	go check(true)
	wg.Wait()
	close(stop)
	rwg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if got := f.int(t, `SELECT sum(balance) FROM acct`); got != accounts*initial {
		t.Fatalf("final total %d", got)
	}
	if got := f.int(t, `SELECT count(*) FROM acct WHERE balance < 0`); got != 0 {
		t.Fatalf("%d negative balances", got)
	}
}

// TestReadOnlySnapshot: a read-only transaction sees the snapshot taken at
// BeginTx, not writes committed after it; writes in it fail.
func TestReadOnlySnapshot(t *testing.T) {
	f := open(t, nil)
	seedAccounts(t, f)
	ctx := context.Background()
	tx, err := f.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	f.must(t, `UPDATE acct SET balance = 0 WHERE id = 1`)
	var bal int64
	if err := tx.QueryRowContext(ctx, `SELECT balance FROM acct WHERE id = 1`).Scan(&bal); err != nil || bal != initial {
		t.Fatalf("balance in the snapshot = %d, %v; want %d", bal, err, initial)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE acct SET balance = 5 WHERE id = 2`); !errors.Is(err, sqlite3.READONLY) {
		t.Fatalf("write in a read-only tx: %v, want sqlite3.READONLY", err)
	}
	if _, err := tx.QueryContext(ctx, `INSERT INTO acct (balance) VALUES (1) RETURNING id`); !errors.Is(err, sqlite3.READONLY) {
		t.Fatalf("returning in a read-only tx: %v, want sqlite3.READONLY", err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if got := f.int(t, `SELECT balance FROM acct WHERE id = 1`); got != 0 {
		t.Fatalf("after the tx: %d", got)
	}
	waitReadersIdle(t, f.eng)
}

// TestTxIsolation: a read-write transaction's writes are invisible to
// readers until Commit, plain writes queue behind it and run after it, a
// rolled-back one leaves nothing, and transaction control inside it is
// refused.
func TestTxIsolation(t *testing.T) {
	f := open(t, nil)
	seedAccounts(t, f)
	ctx := context.Background()
	tx, err := f.db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE acct SET balance = balance - 100 WHERE id = 1`); err != nil {
		t.Fatal(err)
	}
	plain := make(chan error, 1)
	go func() {
		_, err := f.db.ExecContext(ctx, `UPDATE acct SET balance = balance * 2 WHERE id = 1`)
		plain <- err
	}()
	enginetest.WaitFor(t, "the plain write queued", func() bool { return f.eng.Stats().QueueDepth == 1 })
	if got := f.int(t, `SELECT balance FROM acct WHERE id = 1`); got != initial {
		t.Fatalf("reader sees %d before Commit", got)
	}
	for _, q := range []string{`COMMIT`, `BEGIN`, ` /* c */ end transaction`, `ROLLBACK`} {
		if _, err := tx.ExecContext(ctx, q); !errors.Is(err, liteactor.ErrInvalidArg) {
			t.Fatalf("%s in a tx: %v, want ErrInvalidArg", q, err)
		}
	}
	// Savepoints (nested transactions of ORMs) work.
	for _, q := range []string{`SAVEPOINT sp`, `UPDATE acct SET balance = 0 WHERE id = 2`, `ROLLBACK TO sp`, `RELEASE sp`} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := <-plain; err != nil {
		t.Fatal(err)
	}
	if got := f.int(t, `SELECT balance FROM acct WHERE id = 1`); got != (initial-100)*2 {
		t.Fatalf("balance %d: the plain write did not run after the tx", got)
	}
	if got := f.int(t, `SELECT balance FROM acct WHERE id = 2`); got != initial {
		t.Fatalf("balance 2 = %d: ROLLBACK TO did not undo", got)
	}
	tx, err = f.db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	tx.ExecContext(ctx, `DELETE FROM acct`)
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	if got := f.int(t, `SELECT count(*) FROM acct`); got != accounts {
		t.Fatalf("%d accounts after a rollback", got)
	}
	if _, err := f.db.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelLinearizable}); !errors.Is(err, liteactor.ErrInvalidArg) {
		t.Fatalf("linearizable: %v", err)
	}
}

// TestCancelInTx: a statement's ctx ending interrupts it inside a
// transaction; SQLite rolls the transaction back, and every later call
// says so (ErrTxAborted). A BeginTx ctx that ends rolls back too.
func TestCancelInTx(t *testing.T) {
	f := open(t, nil)
	seedAccounts(t, f)
	ctx := context.Background()
	tx, err := f.db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE acct SET balance = 0`); err != nil {
		t.Fatal(err)
	}
	sctx := f.cancelOnSignal()
	_, err = tx.ExecContext(sctx, `INSERT INTO acct (balance) WITH RECURSIVE r(i) AS (SELECT signal() UNION ALL SELECT i+1 FROM r) SELECT i FROM r`)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted statement: %v", err)
	}
	if err := tx.Commit(); err == nil {
		// SQLite kept the transaction (statement rollback only): the
		// UPDATE committed. Either outcome must be reported truthfully.
		if got := f.int(t, `SELECT sum(balance) FROM acct`); got != 0 {
			t.Fatalf("Commit succeeded but the update is not there: %d", got)
		}
	} else if !errors.Is(err, sqldb.ErrTxAborted) {
		t.Fatalf("Commit after the interrupt: %v", err)
	} else if got := f.int(t, `SELECT sum(balance) FROM acct`); got != accounts*initial {
		t.Fatalf("aborted, but the update is there: %d", got)
	}

	bctx, cancel := context.WithCancel(ctx)
	tx, err = f.db.BeginTx(bctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	tx.ExecContext(ctx, `DELETE FROM acct`)
	cancel()
	// database/sql rolls back; the writer is free again.
	f.must(t, `UPDATE acct SET balance = balance`)
	if got := f.int(t, `SELECT count(*) FROM acct`); got != accounts {
		t.Fatalf("%d accounts after a cancelled tx", got)
	}
	// database/sql answers ErrTxDone once its own goroutine has rolled the
	// transaction back, ctx's error if Commit comes first (the driver
	// already ended it, which freed the writer for the UPDATE): either
	// way the DELETE is not committed.
	if err := tx.Commit(); !errors.Is(err, sql.ErrTxDone) && !errors.Is(err, context.Canceled) {
		t.Fatalf("Commit after cancel: %v", err)
	}
	if got := f.int(t, `SELECT count(*) FROM acct`); got != accounts {
		t.Fatalf("%d accounts after Commit of a cancelled tx", got)
	}
}

// TestTxLimit: a transaction left open is ended by the limit: rolled back,
// the writer given back to the queued writes, and its later calls fail
// with ErrTxExpired. The same holds for a transaction whose caller
// panicked, and for a read-only transaction and its reader.
func TestTxLimit(t *testing.T) {
	f := open(t, func(c *liteactor.Config) { c.Readers = 1 },
		sqldb.WithTxLimit(50*time.Millisecond), sqldb.WithReadLimit(50*time.Millisecond))
	seedAccounts(t, f)
	ctx := context.Background()
	tx, err := f.db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM acct`); err != nil {
		t.Fatal(err)
	}
	// This write waits behind the abandoned tx until the limit ends it.
	f.must(t, `UPDATE acct SET balance = balance + 1 WHERE id = 1`)
	if got := f.int(t, `SELECT count(*) FROM acct`); got != accounts {
		t.Fatalf("%d accounts: the expired tx committed", got)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM acct`); !errors.Is(err, sqldb.ErrTxExpired) {
		t.Fatalf("Exec after the limit: %v", err)
	}
	if err := tx.Commit(); !errors.Is(err, sqldb.ErrTxExpired) {
		t.Fatalf("Commit after the limit: %v", err)
	}

	// A caller that panics inside its transaction.
	// (Its ctx is cancelled at the end only to let database/sql's own
	// goroutine watching the abandoned *sql.Tx exit.)
	pctx, cancel := context.WithCancel(ctx)
	defer cancel()
	func() {
		defer func() { recover() }()
		tx, err := f.db.BeginTx(pctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		tx.ExecContext(ctx, `DELETE FROM acct`)
		panic("caller bug")
	}()
	f.must(t, `UPDATE acct SET balance = balance + 1 WHERE id = 1`)
	if got := f.int(t, `SELECT balance FROM acct WHERE id = 1`); got != initial+2 {
		t.Fatalf("balance %d after the panicking tx", got)
	}

	// A statement still running at the limit is interrupted.
	tx, err = f.db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO acct (balance) WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM r) SELECT i FROM r`)
	if !errors.Is(err, sqldb.ErrTxExpired) {
		t.Fatalf("long statement at the limit: %v", err)
	}
	tx.Rollback()

	// Read-only: the single reader comes back.
	ro, err := f.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := f.int(t, `SELECT count(*) FROM acct`); got != accounts {
		t.Fatalf("count = %d", got)
	}
	if err := ro.QueryRowContext(ctx, `SELECT 1`).Scan(new(int)); !errors.Is(err, sqldb.ErrTxExpired) {
		t.Fatalf("read-only tx after the limit: %v", err)
	}
	ro.Rollback()
}

// TestPanicInStatement: a panic under a statement (here a SQL function
// that panics) reaches the caller as an error wrapping liteactor.ErrPanic,
// inside a transaction and in a streamed query alike; the engine replaces
// the connection and goes on serving.
func TestPanicInStatement(t *testing.T) {
	f := open(t, nil)
	seedAccounts(t, f)
	ctx := context.Background()
	tx, err := f.db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM acct`); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.ExecContext(ctx, `SELECT boom()`); !errors.Is(err, liteactor.ErrPanic) {
		t.Fatalf("panic in a tx statement: %v", err)
	}
	if err := tx.Commit(); err == nil {
		t.Fatal("Commit after a panic succeeded")
	}
	if _, err := f.db.QueryContext(ctx, `SELECT boom()`); !errors.Is(err, liteactor.ErrPanic) {
		t.Fatalf("panic in a query: %v", err)
	}
	f.must(t, `UPDATE acct SET balance = balance WHERE id = 1`)
	if got := f.int(t, `SELECT count(*) FROM acct`); got != accounts {
		t.Fatalf("%d accounts after the panicking tx", got)
	}
}
