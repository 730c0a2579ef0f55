package migrate

import (
	"errors"
	"fmt"
)

// Sentinel errors. Every error this package returns for one of these causes
// wraps the sentinel, so callers test with errors.Is; the message names the
// version, file or statement concerned.
var (
	// ErrInvalidVersion: a version or from-version is not MAJOR.MINOR.PATCH.
	ErrInvalidVersion = errors.New("migrate: invalid version")
	// ErrDuplicateVersion: two baselines, or two incrementals, share a version.
	ErrDuplicateVersion = errors.New("migrate: duplicate version")
	// ErrBrokenChain: the migrations do not form one chain: no baseline, a
	// missing link, an incremental that leads nowhere, two incrementals from
	// the same version, or an incremental that does not move forward.
	ErrBrokenChain = errors.New("migrate: broken migration chain")
	// ErrChecksumMismatch: an applied migration's SQL (or Go-function
	// revision) differs from the one recorded when it was applied.
	ErrChecksumMismatch = errors.New("migrate: checksum mismatch")
	// ErrNoPath: the database is at a version from which no incremental leads.
	ErrNoPath = errors.New("migrate: no upgrade path from the database's version")
	// ErrDatabaseAhead: the database is at a version newer than every
	// migration given (it was migrated by a newer build).
	ErrDatabaseAhead = errors.New("migrate: database is ahead of the migrations")
	// ErrMigrationFailed: a migration's statement or function failed; the
	// migration was rolled back. The error is a *MigrationError.
	ErrMigrationFailed = errors.New("migrate: migration failed")
	// ErrTransactionControl: a migration contains BEGIN, COMMIT, END,
	// ROLLBACK, SAVEPOINT or RELEASE; this package owns the transaction.
	ErrTransactionControl = errors.New("migrate: transaction control statement in a migration")
	// ErrForeignKeyViolation: with ForeignKeysOff, PRAGMA foreign_key_check
	// found violations before COMMIT; the migration was rolled back.
	ErrForeignKeyViolation = errors.New("migrate: foreign key violation")
	// ErrResetNotConfirmed: Reset was called without ConfirmReset.
	ErrResetNotConfirmed = errors.New("migrate: reset not confirmed")
	// ErrValidationFailed: Validate (or Repair, for what it could not fix)
	// found problems; the returned Validation lists them.
	ErrValidationFailed = errors.New("migrate: validation failed")
	// ErrInvalidFile: a file given to LoadFS does not follow the naming rule
	// or has a malformed directive.
	ErrInvalidFile = errors.New("migrate: invalid migration file")
	// ErrInvalidOption: an option has an unusable value (e.g. an empty table
	// name).
	ErrInvalidOption = errors.New("migrate: invalid option")
)

// MigrationError is the error of a migration that failed and was rolled back.
// It matches ErrMigrationFailed and whatever Err matches (for example
// sqlite3.ERROR or sqlite3.CONSTRAINT), via errors.Is.
type MigrationError struct {
	Version   string // the migration that failed
	Statement int    // 1-based index of the failing statement; 0 for a Go function or the commit
	Line      int    // 1-based line in the SQL where the failing statement starts; 0 if unknown
	SQL       string // the failing statement's text (abridged); empty for a Go function
	Err       error  // the underlying error
}

// Error names the version and, for SQL migrations, the failing statement.
func (e *MigrationError) Error() string {
	if e.Statement == 0 {
		return fmt.Sprintf("migrate: migration %s failed: %v", e.Version, e.Err)
	}
	return fmt.Sprintf("migrate: migration %s failed at statement %d (line %d) %q: %v",
		e.Version, e.Statement, e.Line, e.SQL, e.Err)
}

// Unwrap lets errors.Is match both ErrMigrationFailed and the cause.
func (e *MigrationError) Unwrap() []error { return []error{ErrMigrationFailed, e.Err} }
