package target

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// sqlDB is a database/sql target: writes go to w, reads to r (the same pool
// for the one-pool configuration). It uses database/sql the ordinary way:
// ExecContext / QueryRowContext / QueryContext with arguments, BeginTx for
// transactions, and a prepared statement inside one transaction for bulk
// loads (database/sql's best bulk path).
type sqlDB struct {
	w, r *sql.DB
}

func (s *sqlDB) Insert(ctx context.Context, k int64, v string) error {
	_, err := s.w.ExecContext(ctx, SQLInsert, k, v)
	return err
}

func (s *sqlDB) Transfer(ctx context.Context, src, dst, amount int64) (err error) {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	if _, err := tx.ExecContext(ctx, SQLDebit, amount, src); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, SQLCredit, amount, dst); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, SQLLedger, src, dst, amount); err != nil {
		return err
	}
	return tx.Commit()
}

func (s *sqlDB) Get(ctx context.Context, id int64) (int64, error) {
	var k int64
	var v string
	err := s.r.QueryRowContext(ctx, SQLGet, id).Scan(&k, &v)
	return k, err
}

func (s *sqlDB) Scan(ctx context.Context, from int64, n int) (count int, err error) {
	rows, err := s.r.QueryContext(ctx, SQLScan, from, n)
	if err != nil {
		return 0, err
	}
	defer func() {
		if cerr := rows.Close(); err == nil {
			err = cerr
		}
	}()
	var id, k int64
	var v string
	for rows.Next() {
		if err := rows.Scan(&id, &k, &v); err != nil {
			return count, err
		}
		count++
	}
	return count, rows.Err()
}

func (s *sqlDB) BulkLoad(ctx context.Context, rows, chunk int, progress func(int)) (err error) {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	st, err := tx.PrepareContext(ctx, SQLInsert)
	if err != nil {
		return err
	}
	defer st.Close()
	for i := 1; i <= rows; i++ {
		if _, err := st.ExecContext(ctx, int64(i), Payload); err != nil {
			return err
		}
		if i%chunk == 0 && i < rows {
			progress(i)
		}
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	progress(rows)
	return nil
}

func (s *sqlDB) Close() error {
	if s.r != s.w {
		return errors.Join(s.r.Close(), s.w.Close())
	}
	return s.w.Close()
}

// openPools opens the writer and reader pools and checks that both reach the
// database, so a bad DSN fails at Open rather than in the first operation.
func openPools(ctx context.Context, driverName, wdsn, rdsn string, readers int) (*sqlDB, error) {
	w, err := sql.Open(driverName, wdsn)
	if err != nil {
		return nil, err
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	r, err := sql.Open(driverName, rdsn)
	if err != nil {
		w.Close()
		return nil, err
	}
	r.SetMaxOpenConns(readers)
	r.SetMaxIdleConns(readers)
	r.SetConnMaxLifetime(0)
	r.SetConnMaxIdleTime(0)
	s := &sqlDB{w: w, r: r}
	if err := errors.Join(w.PingContext(ctx), r.PingContext(ctx)); err != nil {
		s.Close()
		return nil, fmt.Errorf("%s ping: %w", driverName, err)
	}
	return s, nil
}
