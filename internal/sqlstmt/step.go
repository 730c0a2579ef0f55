package sqlstmt

import (
	"fmt"

	"github.com/ncruces/go-sqlite3"
)

// Finish ends a Step loop on s: it returns the error that stopped the loop,
// else the error Reset reports, and leaves s reset (ready to bind and run
// again). Every Step loop ends with it: once the connection's interrupt
// context is done, ncruces' Step returns false with Err() = INTERRUPT
// without calling sqlite3_step, so Reset alone reports OK and the rows read
// so far would pass for the whole result.
func Finish(s *sqlite3.Stmt) error {
	err := s.Err() // Reset clears it
	if rerr := s.Reset(); err == nil {
		err = rerr
	}
	return err
}

// Each steps s through its result and calls row for every row; the
// statement's arguments must already be bound. It stops at row's first
// error and returns it. It returns nil only after the last row; s is left
// reset either way.
func Each(s *sqlite3.Stmt, row func(*sqlite3.Stmt) error) error {
	for s.Step() {
		if err := row(s); err != nil {
			s.Reset()
			return err
		}
	}
	return Finish(s)
}

// All steps s through its result and returns every row, each as [Row]
// copies it, or an error and no rows. The statement's arguments must
// already be bound; s is left reset.
func All(s *sqlite3.Stmt) (cols []string, rows [][]any, err error) {
	return AllMax(s, 0)
}

// AllMax is All with a limit: more than max rows (max > 0) is
// ErrTooManyRows, and no rows; it reads no further than row max+1.
func AllMax(s *sqlite3.Stmt, max int) (cols []string, rows [][]any, err error) {
	return appendAll(nil, s, max)
}

// appendAll is AllMax appending to rows (max counts the rows it appends).
func appendAll(rows [][]any, s *sqlite3.Stmt, max int) (cols []string, _ [][]any, err error) {
	cols = Columns(s)
	n, start := len(cols), len(rows)
	for s.Step() {
		if max > 0 && len(rows)-start == max {
			s.Reset()
			return nil, nil, fmt.Errorf("%w: more than %d", ErrTooManyRows, max)
		}
		rows = append(rows, Row(s, n))
	}
	if err := Finish(s); err != nil {
		return nil, nil, err
	}
	return cols, rows, nil
}
