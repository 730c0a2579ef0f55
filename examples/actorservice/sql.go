package main

import (
	"fmt"

	"github.com/ncruces/go-sqlite3"
)

// The callbacks below run inside the engine (on the writer for messages.Write, on a reader for
// messages.Read); the actors only build them and send them as typed messages.

func bindAll(s *sqlite3.Stmt, args ...any) error {
	for i, a := range args {
		var err error
		switch v := a.(type) {
		case string:
			err = s.BindText(i+1, v)
		case int64:
			err = s.BindInt64(i+1, v)
		default:
			return fmt.Errorf("actorservice: cannot bind %T", a)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// execArgs prepares, binds, runs and finalizes one statement.
func execArgs(c *sqlite3.Conn, sql string, args ...any) error {
	s, _, err := c.Prepare(sql)
	if err != nil {
		return err
	}
	defer s.Close()
	if err := bindAll(s, args...); err != nil {
		return err
	}
	return s.Exec()
}

// applyEvents stores a batch of events and credits their accounts, in the one savepoint the
// engine gives a Write. An event already stored (a client's resend) is skipped entirely, so
// at-least-once delivery has an exactly-once effect.
func applyEvents(batch []*Event) func(*sqlite3.Conn) error {
	return func(c *sqlite3.Conn) error {
		ins, _, err := c.Prepare(`INSERT INTO events (id, account, amount) VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING`)
		if err != nil {
			return err
		}
		defer ins.Close()
		credit, _, err := c.Prepare(`INSERT INTO accounts (name, balance, event_count) VALUES (?, ?, 1)
			ON CONFLICT (name) DO UPDATE SET balance = balance + excluded.balance, event_count = event_count + 1`)
		if err != nil {
			return err
		}
		defer credit.Close()
		for _, ev := range batch {
			if err := bindAll(ins, ev.ID, ev.Account, ev.Amount); err != nil {
				return err
			}
			if err := ins.Exec(); err != nil {
				return err
			}
			if c.Changes() == 0 {
				continue // a resend of an event that is already stored
			}
			if err := bindAll(credit, ev.Account, ev.Amount); err != nil {
				return err
			}
			if err := credit.Exec(); err != nil {
				return err
			}
		}
		return nil
	}
}

// applyTransfer moves money once per transfer id. It reports through applied whether this call
// did the move (false for a replay). Returning ErrInsufficientFunds rolls the savepoint back, the
// transfers row included.
func applyTransfer(t *Transfer, applied *bool) func(*sqlite3.Conn) error {
	return func(c *sqlite3.Conn) error {
		*applied = false
		err := execArgs(c, `INSERT INTO transfers (id, from_account, to_account, amount) VALUES (?, ?, ?, ?)
			ON CONFLICT (id) DO NOTHING`, t.ID, t.From, t.To, t.Amount)
		if err != nil {
			return err
		}
		if c.Changes() == 0 {
			return nil // replay: already applied
		}
		err = execArgs(c, `UPDATE accounts SET balance = balance - ? WHERE name = ? AND balance >= ?`, t.Amount, t.From, t.Amount)
		if err != nil {
			return err
		}
		if c.Changes() == 0 {
			return fmt.Errorf("transfer %s of %d from %q: %w", t.ID, t.Amount, t.From, ErrInsufficientFunds)
		}
		err = execArgs(c, `INSERT INTO accounts (name, balance) VALUES (?, ?)
			ON CONFLICT (name) DO UPDATE SET balance = balance + excluded.balance`, t.To, t.Amount)
		if err != nil {
			return err
		}
		*applied = true
		return nil
	}
}

// readSummary fills s from one read transaction: every figure comes from the same snapshot.
func readSummary(s *Summary) func(*sqlite3.Conn) error {
	return func(c *sqlite3.Conn) error {
		st, _, err := c.Prepare(`SELECT (SELECT count(*) FROM events), (SELECT coalesce(sum(amount), 0) FROM events),
			(SELECT coalesce(sum(balance), 0) FROM accounts), (SELECT count(*) FROM transfers)`)
		if err != nil {
			return err
		}
		defer st.Close()
		if st.Step() {
			s.Events, s.EventTotal, s.BalanceSum, s.Transfers = st.ColumnInt64(0), st.ColumnInt64(1), st.ColumnInt64(2), st.ColumnInt64(3)
		}
		if err := st.Err(); err != nil {
			return err
		}
		rows, _, err := c.Prepare(`SELECT name, balance, event_count FROM accounts ORDER BY name`)
		if err != nil {
			return err
		}
		defer rows.Close()
		s.Accounts = s.Accounts[:0]
		for rows.Step() {
			s.Accounts = append(s.Accounts, Account{Name: rows.ColumnText(0), Balance: rows.ColumnInt64(1), Events: rows.ColumnInt64(2)})
		}
		return rows.Err()
	}
}
