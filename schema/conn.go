package schema

import (
	"errors"
	"fmt"

	"github.com/ncruces/go-sqlite3"

	"github.com/liteactor/liteactor/internal/sqlstmt"
)

// execOne runs sql, which must be exactly one statement with no parameters:
// trailing SQL is rejected with ErrInvalidDefinition before anything runs.
func execOne(conn *sqlite3.Conn, sql string) error {
	err := sqlstmt.Exec(conn, sql)
	if errors.Is(err, sqlstmt.ErrInvalidArg) {
		return fmt.Errorf("%w: %q: %w", ErrInvalidDefinition, sql, err)
	}
	return err
}
