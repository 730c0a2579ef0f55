package sqlstmt

import (
	"fmt"
	"math"
	"time"

	"github.com/ncruces/go-sqlite3"
)

// Bind binds args to the statement's parameters in order (args[0] to
// parameter 1). The count must match the statement's parameter count, else
// the error wraps ErrInvalidArg. Each value is bound as [BindValue] binds
// it. It never panics.
func Bind(s *sqlite3.Stmt, args []any) error {
	if n := s.BindCount(); n != len(args) {
		return fmt.Errorf("%w: statement has %d parameters, got %d arguments", ErrInvalidArg, n, len(args))
	}
	for i, a := range args {
		if err := BindValue(s, i+1, a); err != nil {
			return err
		}
	}
	return nil
}

// BindValue binds v to parameter p (1-based). It accepts nil (NULL), bool,
// every int and uint kind (a uint or uint64 above math.MaxInt64 is refused),
// float32/64, string, []byte (a nil slice binds NULL) and time.Time (RFC
// 3339 text with nanoseconds, as time.RFC3339Nano formats it). Any other
// type is an error wrapping ErrInvalidArg; SQLite's own bind errors are
// wrapped as they are. It never panics and uses no reflection.
func BindValue(s *sqlite3.Stmt, p int, v any) error {
	var err error
	switch x := v.(type) {
	case nil:
		err = s.BindNull(p)
	case int64:
		err = s.BindInt64(p, x)
	case int:
		err = s.BindInt64(p, int64(x))
	case string:
		err = s.BindText(p, x)
	case float64:
		err = s.BindFloat(p, x)
	case []byte:
		if x == nil {
			err = s.BindNull(p)
		} else {
			err = s.BindBlob(p, x)
		}
	case bool:
		err = s.BindBool(p, x)
	case int8:
		err = s.BindInt64(p, int64(x))
	case int16:
		err = s.BindInt64(p, int64(x))
	case int32:
		err = s.BindInt64(p, int64(x))
	case uint:
		return bindUint(s, p, uint64(x))
	case uint8:
		err = s.BindInt64(p, int64(x))
	case uint16:
		err = s.BindInt64(p, int64(x))
	case uint32:
		err = s.BindInt64(p, int64(x))
	case uint64:
		return bindUint(s, p, x)
	case float32:
		err = s.BindFloat(p, float64(x))
	case time.Time:
		err = s.BindTime(p, x, sqlite3.TimeFormatDefault) // RFC 3339 with nanoseconds
	default:
		return fmt.Errorf("%w: argument %d has unsupported type %T", ErrInvalidArg, p, v)
	}
	if err != nil {
		return fmt.Errorf("bind argument %d: %w", p, err)
	}
	return nil
}

func bindUint(s *sqlite3.Stmt, p int, v uint64) error {
	if v > math.MaxInt64 {
		return fmt.Errorf("%w: argument %d: uint64 %d overflows SQLite's INTEGER", ErrInvalidArg, p, v)
	}
	if err := s.BindInt64(p, int64(v)); err != nil {
		return fmt.Errorf("bind argument %d: %w", p, err)
	}
	return nil
}
