package batch

import (
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/ncruces/go-sqlite3"
)

// ErrUnsupportedType is wrapped by the error returned for a value of a type
// this package cannot bind. Supported: nil, bool, every int and uint kind
// (uint64 and uint up to math.MaxInt64), float32, float64, string, []byte (a
// nil slice binds NULL) and time.Time (bound as RFC 3339 text with
// nanoseconds, ncruces' default time format).
var ErrUnsupportedType = errors.New("batch: unsupported value type")

// bind binds v to parameter i (1-based) of stmt.
func bind(stmt *sqlite3.Stmt, i int, v any) error {
	switch x := v.(type) {
	case nil:
		return stmt.BindNull(i)
	case int64:
		return stmt.BindInt64(i, x)
	case int:
		return stmt.BindInt64(i, int64(x))
	case string:
		return stmt.BindText(i, x)
	case float64:
		return stmt.BindFloat(i, x)
	case []byte:
		if x == nil {
			return stmt.BindNull(i)
		}
		return stmt.BindBlob(i, x)
	case bool:
		return stmt.BindBool(i, x)
	case int32:
		return stmt.BindInt64(i, int64(x))
	case int16:
		return stmt.BindInt64(i, int64(x))
	case int8:
		return stmt.BindInt64(i, int64(x))
	case uint8:
		return stmt.BindInt64(i, int64(x))
	case uint16:
		return stmt.BindInt64(i, int64(x))
	case uint32:
		return stmt.BindInt64(i, int64(x))
	case uint:
		if uint64(x) > math.MaxInt64 {
			return fmt.Errorf("%w: uint %d overflows int64", ErrUnsupportedType, x)
		}
		return stmt.BindInt64(i, int64(x))
	case uint64:
		if x > math.MaxInt64 {
			return fmt.Errorf("%w: uint64 %d overflows int64", ErrUnsupportedType, x)
		}
		return stmt.BindInt64(i, int64(x))
	case float32:
		return stmt.BindFloat(i, float64(x))
	case time.Time:
		return stmt.BindTime(i, x, sqlite3.TimeFormatDefault)
	}
	return fmt.Errorf("%w: %T", ErrUnsupportedType, v)
}

// column returns result column i of stmt as int64, float64, string, []byte
// (a copy) or nil.
func column(stmt *sqlite3.Stmt, i int) any {
	switch stmt.ColumnType(i) {
	case sqlite3.INTEGER:
		return stmt.ColumnInt64(i)
	case sqlite3.FLOAT:
		return stmt.ColumnFloat(i)
	case sqlite3.TEXT:
		return stmt.ColumnText(i)
	case sqlite3.BLOB:
		return stmt.ColumnBlob(i, []byte{})
	}
	return nil
}
