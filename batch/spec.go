package batch

import (
	"errors"
	"fmt"
	"strings"

	"github.com/liteactor/liteactor/schema"
)

// ErrInvalidSpec is wrapped by the error returned for a [Spec] that cannot be
// turned into an INSERT statement.
var ErrInvalidSpec = errors.New("batch: invalid spec")

// Mode says what happens to a row that conflicts with an existing one on a
// UNIQUE or PRIMARY KEY constraint.
type Mode int

const (
	// ModeInsert is a plain INSERT: a conflicting row fails with
	// sqlite3.CONSTRAINT and, as the batch is atomic, nothing of the
	// transaction it belongs to commits.
	ModeInsert Mode = iota
	// ModeReplace is INSERT OR REPLACE: the existing row is deleted and the new
	// one inserted (with a new rowid unless the rowid is given; ON DELETE
	// triggers fire only with recursive_triggers on).
	ModeReplace
	// ModeIgnore is INSERT OR IGNORE: a conflicting row is skipped.
	ModeIgnore
	// ModeUpsert is INSERT ... ON CONFLICT (ConflictColumns) DO UPDATE: the
	// existing row keeps its rowid and gets the UpdateColumns of the new row.
	ModeUpsert
)

// String names the mode.
func (m Mode) String() string {
	switch m {
	case ModeInsert:
		return "Insert"
	case ModeReplace:
		return "Replace"
	case ModeIgnore:
		return "Ignore"
	case ModeUpsert:
		return "Upsert"
	}
	return fmt.Sprintf("Mode(%d)", int(m))
}

// Spec says where and how rows are inserted.
type Spec struct {
	// Table receives the rows; quoted.
	Table string
	// Columns name the value positions of every row, in order; quoted.
	Columns []string
	// Mode handles conflicts; ModeInsert by default.
	Mode Mode
	// ConflictColumns is the conflict target of ModeUpsert: the columns of a
	// PRIMARY KEY or UNIQUE index, exactly (SQLite rejects a target that
	// matches no unique index). Required for ModeUpsert, ignored otherwise.
	ConflictColumns []string
	// UpdateColumns are the columns ModeUpsert overwrites with the new row's
	// values. nil means every column of Columns not in ConflictColumns; when
	// that leaves none, a conflict does nothing (ON CONFLICT DO NOTHING).
	// Each must be in Columns.
	UpdateColumns []string
}

// insertSQL returns the statement inserting rows rows for s.
func (s Spec) insertSQL(rows int) (string, error) {
	if len(s.Columns) == 0 {
		return "", fmt.Errorf("%w: no columns", ErrInvalidSpec)
	}
	if rows < 1 {
		return "", fmt.Errorf("%w: %d rows per statement", ErrInvalidSpec, rows)
	}
	table, err := schema.Quote(s.Table)
	if err != nil {
		return "", err
	}
	cols, err := schema.QuoteList(s.Columns)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	switch s.Mode {
	case ModeInsert, ModeUpsert:
		b.WriteString("INSERT INTO ")
	case ModeReplace:
		b.WriteString("INSERT OR REPLACE INTO ")
	case ModeIgnore:
		b.WriteString("INSERT OR IGNORE INTO ")
	default:
		return "", fmt.Errorf("%w: unknown mode %v", ErrInvalidSpec, s.Mode)
	}
	tuple := "(?" + strings.Repeat(", ?", len(s.Columns)-1) + ")"
	b.Grow(len(table) + len(cols) + 20 + rows*(len(tuple)+2))
	b.WriteString(table)
	b.WriteString(" (")
	b.WriteString(cols)
	b.WriteString(") VALUES ")
	for i := 0; i < rows; i++ {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(tuple)
	}
	if s.Mode == ModeUpsert {
		clause, err := s.upsertClause()
		if err != nil {
			return "", err
		}
		b.WriteString(clause)
	}
	return b.String(), nil
}

// upsertClause returns " ON CONFLICT (...) DO UPDATE SET ..." or
// " ON CONFLICT (...) DO NOTHING".
func (s Spec) upsertClause() (string, error) {
	if len(s.ConflictColumns) == 0 {
		return "", fmt.Errorf("%w: ModeUpsert needs ConflictColumns", ErrInvalidSpec)
	}
	target, err := schema.QuoteList(s.ConflictColumns)
	if err != nil {
		return "", err
	}
	inColumns := func(name string) bool {
		for _, c := range s.Columns {
			if schema.EqualNames(c, name) {
				return true
			}
		}
		return false
	}
	update := s.UpdateColumns
	if update == nil {
		for _, c := range s.Columns {
			conflict := false
			for _, k := range s.ConflictColumns {
				conflict = conflict || schema.EqualNames(c, k)
			}
			if !conflict {
				update = append(update, c)
			}
		}
	}
	if len(update) == 0 {
		return " ON CONFLICT (" + target + ") DO NOTHING", nil
	}
	var b strings.Builder
	b.WriteString(" ON CONFLICT (")
	b.WriteString(target)
	b.WriteString(") DO UPDATE SET ")
	for i, c := range update {
		if !inColumns(c) {
			return "", fmt.Errorf("%w: update column %q is not among the inserted columns", ErrInvalidSpec, c)
		}
		q, err := schema.Quote(c)
		if err != nil {
			return "", err
		}
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(q)
		b.WriteString(" = excluded.")
		b.WriteString(q)
	}
	return b.String(), nil
}
