package migrate

import (
	"context"
	"fmt"
	"time"

	"github.com/rs/zerolog"
)

// DefaultTable is the name of the history table unless Table says otherwise.
const DefaultTable = "liteactor_migrations"

// Option configures Up, Current, History, Validate, Reset and Repair. Each
// call takes only the options that concern it and ignores the others.
type Option func(*options)

type options struct {
	dryRun       bool
	appName      string
	hook         Hook
	logger       zerolog.Logger
	fkOff        bool
	acceptAll    bool
	accept       map[string]bool
	confirmReset bool
	table        string
	now          func() time.Time
	err          error
}

// Event is what a Hook receives after each migration Up (or Reset) handles.
type Event struct {
	Record       // what was (or, in a dry run, would be) recorded
	DryRun bool  // the migration was planned, not run
	Err    error // non-nil if the migration failed and was rolled back
}

// Hook is called by Up and Reset after each migration: after its transaction
// committed, after it failed and was rolled back (Event.Err set), or, in a dry
// run, for each migration that would run. It runs outside every transaction,
// on the caller's goroutine. A non-nil return stops Up before the next
// migration; the error is returned wrapped (what committed stays committed).
// Every call and its outcome is logged through the Logger option.
type Hook func(ctx context.Context, ev Event) error

// DryRun makes Up and Reset change nothing: the Report lists the migrations
// that would run, in order, with no AppliedAt or Duration. Checksums and the
// chain are still checked.
func DryRun() Option { return func(o *options) { o.dryRun = true } }

// AppName records name in the history table's app_name column for every
// migration this call applies.
func AppName(name string) Option { return func(o *options) { o.appName = name } }

// WithHook sets the per-migration hook (see Hook).
func WithHook(h Hook) Option { return func(o *options) { o.hook = h } }

// Logger sets the zerolog logger for migration progress and hook calls.
// Default: zerolog.Nop().
func Logger(l zerolog.Logger) Option { return func(o *options) { o.logger = l } }

// ForeignKeysOff runs each migration the way SQLite's table-rebuild
// procedure needs: PRAGMA foreign_keys=OFF outside the transaction, BEGIN
// IMMEDIATE, the migration, PRAGMA foreign_key_check, COMMIT, then
// foreign_keys back to what it was. A violation found by the check rolls the
// migration back with ErrForeignKeyViolation naming the rows. Without this
// option migrations run inside the engine's group-commit transaction, where
// PRAGMA foreign_keys cannot change.
func ForeignKeysOff() Option { return func(o *options) { o.fkOff = true } }

// AcceptChecksumChange accepts that the applied migrations with these
// versions now have a different checksum: instead of ErrChecksumMismatch, Up
// logs a warning and stores the new checksum in the history table. With no
// versions it accepts every change; prefer naming them.
func AcceptChecksumChange(versions ...string) Option {
	return func(o *options) {
		if len(versions) == 0 {
			o.acceptAll = true
			return
		}
		if o.accept == nil {
			o.accept = make(map[string]bool)
		}
		for _, v := range versions {
			o.accept[v] = true
		}
	}
}

// ConfirmReset is required by Reset, which drops every table, index, view
// and trigger in the database.
func ConfirmReset() Option { return func(o *options) { o.confirmReset = true } }

// Table sets the history table's name (default DefaultTable). Use the same
// value with every call on one database.
func Table(name string) Option {
	return func(o *options) {
		if name == "" {
			o.err = fmt.Errorf("%w: empty table name", ErrInvalidOption)
			return
		}
		o.table = name
	}
}

// withClock replaces time.Now for applied_at (tests).
func withClock(now func() time.Time) Option { return func(o *options) { o.now = now } }

func buildOptions(opts []Option) (*options, error) {
	o := &options{logger: zerolog.Nop(), table: DefaultTable, now: time.Now}
	for _, opt := range opts {
		if opt != nil {
			opt(o)
		}
	}
	if o.err != nil {
		return nil, o.err
	}
	return o, nil
}

func (o *options) accepts(version string) bool { return o.acceptAll || o.accept[version] }
