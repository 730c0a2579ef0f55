package sqldb

import (
	"database/sql/driver"
	"fmt"

	"github.com/liteactor/liteactor"
	"github.com/liteactor/liteactor/internal/sqlstmt"
	"github.com/ncruces/go-sqlite3"
)

// The values reaching the bridge are database/sql's driver.Value types
// (database/sql converts driver.Valuer, sql.Null*, named integer and string
// types and pointers before the driver sees them): nil, int64, float64,
// bool, []byte, string and time.Time. They are bound by the engine's own
// binder (sqlstmt.BindValue), so a time.Time is stored exactly as
// Engine.Exec stores it.

// prefixes are SQLite's named-parameter forms; sql.Named("id", v) binds
// whichever of :id, @id and $id the statement uses.
var prefixes = [...]string{":", "@", "$"}

// anyNamed reports whether some argument is sql.Named.
func anyNamed(args []driver.NamedValue) bool {
	for _, a := range args {
		if a.Name != "" {
			return true
		}
	}
	return false
}

// bindArgs binds args to s: a named argument to the parameter of that
// name, the others by their position. The count must match the
// statement's parameters.
func bindArgs(s *sqlite3.Stmt, args []driver.NamedValue) error {
	if n := s.BindCount(); n != len(args) {
		return fmt.Errorf("%w: statement has %d parameters, got %d arguments", liteactor.ErrInvalidArg, n, len(args))
	}
	for _, a := range args {
		p := a.Ordinal
		if a.Name != "" {
			p = 0
			for _, pre := range prefixes {
				if p = s.BindIndex(pre + a.Name); p != 0 {
					break
				}
			}
			if p == 0 {
				return fmt.Errorf("%w: no parameter named %q (:%[2]s, @%[2]s or $%[2]s)", liteactor.ErrInvalidArg, a.Name)
			}
		}
		if err := sqlstmt.BindValue(s, p, a.Value); err != nil {
			return err
		}
	}
	return nil
}

// positional returns args in parameter order, for Engine.Exec, which binds
// by position: named arguments go to their parameter's index (from in).
func positional(in *stmtInfo, args []driver.NamedValue) ([]any, error) {
	if !anyNamed(args) {
		out := make([]any, len(args))
		for i, a := range args {
			out[i] = a.Value
		}
		return out, nil
	}
	if len(args) != len(in.params) {
		return nil, fmt.Errorf("%w: statement has %d parameters, got %d arguments", liteactor.ErrInvalidArg, len(in.params), len(args))
	}
	out := make([]any, len(in.params))
	for _, a := range args {
		p := a.Ordinal
		if a.Name != "" {
			p = 0
			for i, name := range in.params {
				if name != "" && name[1:] == a.Name {
					p = i + 1
					break
				}
			}
			if p == 0 {
				return nil, fmt.Errorf("%w: no parameter named %q (:%[2]s, @%[2]s or $%[2]s)", liteactor.ErrInvalidArg, a.Name)
			}
		}
		if p < 1 || p > len(out) {
			return nil, fmt.Errorf("%w: argument %d has no parameter", liteactor.ErrInvalidArg, p)
		}
		out[p-1] = a.Value
	}
	return out, nil
}
