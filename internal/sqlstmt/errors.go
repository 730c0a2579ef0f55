package sqlstmt

import (
	"errors"
	"fmt"
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

	// ErrMultiStatement: the SQL holds more than one statement where exactly
	// one is expected. It wraps ErrInvalidArg.
	ErrMultiStatement = fmt.Errorf("%w: more than one statement", ErrInvalidArg)

	// ErrEmptyStatement: the SQL holds no statement (only whitespace and
	// comments). It wraps ErrInvalidArg.
	ErrEmptyStatement = fmt.Errorf("%w: empty statement", ErrInvalidArg)
)
