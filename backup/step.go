package backup

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ncruces/go-sqlite3"
)

// errFallbackVacuum tells ToFile to abandon the stepped copy and run VACUUM
// INTO through the writer.
var errFallbackVacuum = errors.New("backup: fall back to VACUUM INTO")

// stepOutcome is what a stepped copy did.
type stepOutcome struct {
	method   Method
	pages    int
	steps    int
	restarts int
}

// copyStepped copies the main database of conn to dst with the backup API,
// PagesPerStep pages at a time. conn must not be written to meanwhile (the
// engine's readers are query_only). In Snapshot mode it pins conn's read
// transaction first, so conn must be inside a transaction (eng.Read's).
//
// A step that leaves fewer pages copied than before means SQLite restarted
// the copy because another connection wrote between steps; after MaxRestarts
// of those, opts.Fallback applies.
func copyStepped(ctx context.Context, conn *sqlite3.Conn, dst string, opts Options) (stepOutcome, error) {
	var out stepOutcome
	if opts.Snapshot {
		if conn.GetAutocommit() {
			return out, fmt.Errorf("backup: snapshot mode needs an open transaction on the source connection")
		}
		// Any read starts the read transaction that every step then uses.
		if err := conn.Exec("SELECT count(*) FROM sqlite_schema"); err != nil {
			return out, fmt.Errorf("backup: pin snapshot: %w", err)
		}
	}
	b, err := conn.BackupInit("main", dst)
	if err != nil {
		return out, fmt.Errorf("backup: start: %w", err)
	}
	defer b.Close()
	out.method = MethodStepped
	copied := 0
	for {
		if err := ctx.Err(); err != nil {
			return out, err
		}
		n := opts.PagesPerStep
		if out.restarts > opts.MaxRestarts {
			switch opts.Fallback {
			case FallbackOneStep:
				n, out.method = -1, MethodOneStep
			case FallbackVacuumInto:
				return out, errFallbackVacuum
			default:
				return out, fmt.Errorf("%w: %d restarts", ErrTooManyRestarts, out.restarts)
			}
		}
		done, err := b.Step(n)
		if err != nil {
			return out, fmt.Errorf("backup: step %d: %w", out.steps+1, err)
		}
		out.steps++
		total, remaining := b.PageCount(), b.Remaining()
		now := total - remaining
		if !done && copied > 0 && now <= copied {
			out.restarts++
		}
		copied = now
		if opts.Progress != nil {
			opts.Progress(Progress{PageCount: total, Remaining: remaining, Steps: out.steps, Restarts: out.restarts})
		}
		if done {
			out.pages = total
			break
		}
		if opts.Pause > 0 {
			if err := sleep(ctx, opts.Pause); err != nil {
				return out, err
			}
		}
	}
	if err := b.Close(); err != nil {
		return out, fmt.Errorf("backup: finish: %w", err)
	}
	return out, nil
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
