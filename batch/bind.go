package batch

import (
	"errors"
	"fmt"

	"github.com/ncruces/go-sqlite3"

	"github.com/liteactor/liteactor/internal/sqlstmt"
)

// ErrUnsupportedType is wrapped by the error returned for a value of a type
// this package cannot bind; the error also wraps liteactor.ErrInvalidArg.
// Supported: the engine's own argument rules (sqlstmt.BindValue): nil,
// bool, every int and uint kind and named types by their kind (uint64 and
// uint up to math.MaxInt64), float32, float64, string, []byte (a nil slice
// binds NULL), time.Time (UTC text in liteactor.TimeLayout), pointers (nil
// binds NULL) and driver.Valuer.
var ErrUnsupportedType = errors.New("batch: unsupported value type")

// bind binds v to parameter i (1-based) of stmt by the engine's rules,
// naming this package's sentinel when v cannot be bound.
func bind(stmt *sqlite3.Stmt, i int, v any) error {
	err := sqlstmt.BindValue(stmt, i, v)
	if err != nil && errors.Is(err, sqlstmt.ErrInvalidArg) {
		return fmt.Errorf("%w: %w", ErrUnsupportedType, err)
	}
	return err
}
