package sqliterepo

import (
	"errors"
	"fmt"

	"github.com/ncruces/go-sqlite3"

	"github.com/liteactor/liteactor/examples/pipeline/domain"
)

// domainErr maps a SQLite constraint error from a statement about `what` to the domain error it
// means, keeping the SQLite error in the chain. Other errors are returned as they are.
//
// The schema has exactly one UNIQUE constraint besides primary keys that a valid aggregate can
// break: pipelines.name (stage positions are assigned by this package). So UNIQUE means a
// duplicate name, PRIMARYKEY a reused pipeline or stage id, CHECK/NOTNULL a rule the domain
// validation should have caught, FOREIGNKEY a parent that is gone.
func domainErr(err error, what string) error {
	var target error
	switch {
	case err == nil:
		return nil
	case errors.Is(err, sqlite3.CONSTRAINT_PRIMARYKEY):
		target = domain.ErrAlreadyExists
	case errors.Is(err, sqlite3.CONSTRAINT_UNIQUE):
		target = domain.ErrDuplicateName
	case errors.Is(err, sqlite3.CONSTRAINT_CHECK), errors.Is(err, sqlite3.CONSTRAINT_NOTNULL):
		target = domain.ErrInvalid
	case errors.Is(err, sqlite3.CONSTRAINT_FOREIGNKEY):
		target = domain.ErrNotFound
	default:
		return fmt.Errorf("%s: %w", what, err)
	}
	return fmt.Errorf("%s: %w (%w)", what, target, err)
}
