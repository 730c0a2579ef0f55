package sqlstmt

import (
	"errors"
	"fmt"

	"github.com/ncruces/go-sqlite3"
)

var (
	// ErrInvalidArg: a statement argument of an unsupported type or a wrong
	// argument count, or SQL whose shape the call does not accept (empty, or
	// several statements where one is expected). Nothing ran. The actors
	// package and liteactor re-export this value.
	ErrInvalidArg = errors.New("liteactor: invalid argument")

	// ErrScan: a result value could not be stored in the destination given
	// to Scan (NULL into a type that cannot hold it, a value out of the
	// destination's range, text that does not parse, an unsupported
	// destination type, or as many destinations as columns). The actors
	// package and liteactor re-export this value.
	ErrScan = errors.New("liteactor: cannot scan")

	// ErrNotReadOnly: a statement that writes (sqlite3_stmt_readonly false)
	// failed with READONLY on a Conn marked ReadOnly (a reader's query_only
	// connection): it wrote nothing. It wraps sqlite3.READONLY.
	ErrNotReadOnly = fmt.Errorf("liteactor: statement writes: %w", sqlite3.READONLY)

	// ErrTooManyRows: a query returned more rows than the limit its caller
	// set. No rows are returned with it. The actors package and liteactor
	// re-export this value.
	ErrTooManyRows = errors.New("liteactor: too many rows")

	// ErrMultiStatement: the SQL holds more than one statement where exactly
	// one is expected. It wraps ErrInvalidArg.
	ErrMultiStatement = fmt.Errorf("%w: more than one statement", ErrInvalidArg)

	// ErrEmptyStatement: the SQL holds no statement (only whitespace and
	// comments). It wraps ErrInvalidArg.
	ErrEmptyStatement = fmt.Errorf("%w: empty statement", ErrInvalidArg)
)
