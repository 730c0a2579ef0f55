package backup

import (
	"errors"
	"fmt"
	"time"
)

// Sentinel errors; test with errors.Is.
var (
	// ErrExists: the destination exists and Overwrite was not set.
	ErrExists = errors.New("backup: destination exists")
	// ErrTooManyRestarts: concurrent writes restarted a live backup more
	// than MaxRestarts times and the fallback is FallbackFail.
	ErrTooManyRestarts = errors.New("backup: too many restarts")
	// ErrVerify: the copy failed integrity_check; it was not put in place.
	ErrVerify = errors.New("backup: verification failed")
	// ErrNotFile: the engine's database is not a plain file (":memory:" or a
	// file: URI), so it cannot be swapped.
	ErrNotFile = errors.New("backup: database is not a plain file")
)

// Fallback says what a live backup does once concurrent writes have
// restarted it more than MaxRestarts times.
type Fallback uint8

const (
	// FallbackOneStep copies all remaining pages in one step: one read
	// transaction for the whole copy, so no write can restart it. Writers
	// keep going; checkpoints cannot pass that snapshot until it ends.
	FallbackOneStep Fallback = iota
	// FallbackVacuumInto abandons the stepped copy and runs VACUUM INTO
	// through the engine's writer, which holds writes back while it runs.
	FallbackVacuumInto
	// FallbackFail returns ErrTooManyRestarts.
	FallbackFail
)

// Method names how a copy was finally made.
type Method uint8

const (
	// MethodStepped: the backup API, in steps.
	MethodStepped Method = iota
	// MethodOneStep: the backup API, the rest in one step (after restarts).
	MethodOneStep
	// MethodVacuumInto: VACUUM INTO.
	MethodVacuumInto
)

// String names the method.
func (m Method) String() string {
	switch m {
	case MethodStepped:
		return "stepped"
	case MethodOneStep:
		return "one-step"
	case MethodVacuumInto:
		return "vacuum-into"
	}
	return fmt.Sprintf("Method(%d)", uint8(m))
}

// DefaultPagesPerStep is the step size of Options that set none: 1 MiB of
// 4 KiB pages.
const DefaultPagesPerStep = 256

// DefaultMaxRestarts is the restart bound of Options that set none.
const DefaultMaxRestarts = 3

// Options tunes [ToFile].
type Options struct {
	// PagesPerStep is how many pages each step copies; 0 means
	// DefaultPagesPerStep, -1 copies everything in one step.
	PagesPerStep int
	// Pause is the wait between two steps (honouring ctx), to spread the
	// copy's I/O. 0: no pause.
	Pause time.Duration
	// Progress, if set, is called after every step, on the goroutine of the
	// reader doing the copy: keep it quick.
	Progress func(Progress)
	// Snapshot pins one read transaction for the whole copy: every step
	// copies the same snapshot, so concurrent writes never restart it, and
	// the WAL cannot be checkpointed past that snapshot until the copy ends.
	// Without it (live mode) each step reads the latest committed state and
	// a write between two steps makes SQLite restart the copy from the first
	// page; after MaxRestarts restarts, Fallback applies. Both modes produce
	// one consistent snapshot.
	Snapshot bool
	// MaxRestarts bounds restarts in live mode; 0 means
	// DefaultMaxRestarts, -1 means no restart is tolerated.
	MaxRestarts int
	// Fallback applies after MaxRestarts restarts.
	Fallback Fallback
	// Overwrite replaces an existing destination (and removes its stale
	// -wal, -shm and -journal files, which belong to the old content).
	// Nothing may have the destination open.
	Overwrite bool
	// Verify runs integrity_check on the copy before it is put in place; a
	// copy with findings fails with ErrVerify and is deleted.
	Verify bool
}

func (o Options) withDefaults() (Options, error) {
	if o.PagesPerStep == 0 {
		o.PagesPerStep = DefaultPagesPerStep
	}
	if o.PagesPerStep < -1 {
		return o, fmt.Errorf("backup: PagesPerStep %d < -1", o.PagesPerStep)
	}
	if o.MaxRestarts == 0 {
		o.MaxRestarts = DefaultMaxRestarts
	}
	if o.MaxRestarts == -1 {
		o.MaxRestarts = 0
	}
	if o.MaxRestarts < 0 {
		return o, fmt.Errorf("backup: MaxRestarts %d < -1", o.MaxRestarts)
	}
	if o.Pause < 0 {
		return o, fmt.Errorf("backup: Pause %s < 0", o.Pause)
	}
	if o.Fallback > FallbackFail {
		return o, fmt.Errorf("backup: unknown Fallback %d", o.Fallback)
	}
	return o, nil
}

// Progress is reported after every step of a stepped copy.
type Progress struct {
	// PageCount is the source database's size in pages at this step.
	PageCount int
	// Remaining is the number of pages still to copy.
	Remaining int
	// Steps counts the steps taken so far, this one included.
	Steps int
	// Restarts counts the restarts so far.
	Restarts int
}

// Result describes a finished copy.
type Result struct {
	// Path is where the copy is.
	Path string
	// Method is how it was finally made.
	Method Method
	// Pages and Bytes are the copy's size.
	Pages int
	Bytes int64
	// Steps and Restarts count the backup-API steps and restarts (0 for
	// VACUUM INTO alone).
	Steps, Restarts int
	// Verified is true when integrity_check passed on the copy.
	Verified bool
	// Duration is the wall time of the whole operation.
	Duration time.Duration
}
