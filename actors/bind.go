package actors

import (
	"fmt"
	"math"
	"time"

	"github.com/ncruces/go-sqlite3"
)

// Bind binds args to the statement's parameters in order. It accepts nil,
// bool, every int and uint kind, float32/64, string, []byte and time.Time
// (bound as RFC 3339 text with nanoseconds); any other type, a uint64 above
// math.MaxInt64, or a count that does not match the statement's parameters
// is an error wrapping ErrInvalidArg. It never panics and never uses
// reflection.
func Bind(s *sqlite3.Stmt, args []any) error {
	if n := s.BindCount(); n != len(args) {
		return fmt.Errorf("%w: statement has %d parameters, got %d arguments", ErrInvalidArg, n, len(args))
	}
	for i, a := range args {
		p := i + 1
		var err error
		switch v := a.(type) {
		case nil:
			err = s.BindNull(p)
		case bool:
			err = s.BindBool(p, v)
		case int:
			err = s.BindInt64(p, int64(v))
		case int8:
			err = s.BindInt64(p, int64(v))
		case int16:
			err = s.BindInt64(p, int64(v))
		case int32:
			err = s.BindInt64(p, int64(v))
		case int64:
			err = s.BindInt64(p, v)
		case uint:
			err = bindUint(s, p, uint64(v))
		case uint8:
			err = s.BindInt64(p, int64(v))
		case uint16:
			err = s.BindInt64(p, int64(v))
		case uint32:
			err = s.BindInt64(p, int64(v))
		case uint64:
			err = bindUint(s, p, v)
		case float32:
			err = s.BindFloat(p, float64(v))
		case float64:
			err = s.BindFloat(p, v)
		case string:
			err = s.BindText(p, v)
		case []byte:
			if v == nil {
				err = s.BindNull(p)
			} else {
				err = s.BindBlob(p, v)
			}
		case time.Time:
			err = s.BindText(p, v.Format(time.RFC3339Nano))
		default:
			return fmt.Errorf("%w: argument %d has unsupported type %T", ErrInvalidArg, p, a)
		}
		if err != nil {
			return fmt.Errorf("bind argument %d: %w", p, err)
		}
	}
	return nil
}

func bindUint(s *sqlite3.Stmt, p int, v uint64) error {
	if v > math.MaxInt64 {
		return fmt.Errorf("%w: argument %d: uint64 %d overflows SQLite's INTEGER", ErrInvalidArg, p, v)
	}
	return s.BindInt64(p, int64(v))
}
