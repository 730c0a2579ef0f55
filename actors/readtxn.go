package actors

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ncruces/go-sqlite3"
)

// ErrReadTooOld: the read transaction stayed open longer than the engine's
// ReadTxnMaxAge and was interrupted, so that it no longer holds back WAL
// checkpoints. Nothing the read did is affected but its own result.
var ErrReadTooOld = errors.New("liteactor: read transaction open longer than ReadTxnMaxAge")

// ReadTxn tracks one reader's open read transaction, so the WAL monitor can
// report the age of the oldest open read and interrupt reads older than
// ReadTxnMaxAge. Its methods are safe for concurrent use.
type ReadTxn struct {
	start  atomic.Int64 // Unix nanoseconds; 0: no read transaction open
	mu     sync.Mutex
	cancel context.CancelCauseFunc // non-nil while an interruptible request runs
}

// begin records that a read transaction (one request or a group) starts now.
// It costs one atomic store: no lock on the read path unless ReadTxnMaxAge
// is set.
func (t *ReadTxn) begin(now time.Time) { t.start.Store(now.UnixNano()) }

// end records that the reader holds no read transaction. The request's
// cancel function was cleared by its watch's done.
func (t *ReadTxn) end() { t.start.Store(0) }

// watch derives the context a request runs under so that Interrupt can end
// it; done must be called when the request has finished.
func (t *ReadTxn) watch(ctx context.Context) (_ context.Context, done func()) {
	ctx, cancel := context.WithCancelCause(ctx)
	t.mu.Lock()
	t.cancel = cancel
	t.mu.Unlock()
	return ctx, func() {
		t.mu.Lock()
		t.cancel = nil
		t.mu.Unlock()
		cancel(nil)
	}
}

// Started returns when the open read transaction began; the zero time when
// the reader holds none.
func (t *ReadTxn) Started() time.Time {
	if ns := t.start.Load(); ns != 0 {
		return time.Unix(0, ns)
	}
	return time.Time{}
}

// Interrupt ends the running request if its read transaction began before
// cutoff, with an error wrapping ErrReadTooOld that names maxAge. It reports
// whether it interrupted something. A request is interrupted at its next
// SQLite call (or while one runs); a callback blocked outside SQLite sees it
// through conn.GetInterrupt().Done().
func (t *ReadTxn) Interrupt(cutoff time.Time, maxAge time.Duration) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	// The request's watch sets and clears cancel under mu, after begin and
	// before end, so start read here belongs to the request cancel ends.
	start := t.Started()
	if t.cancel == nil || start.IsZero() || !start.Before(cutoff) {
		return false
	}
	age := time.Since(start).Round(time.Millisecond)
	t.cancel(fmt.Errorf("%w: open for %s (limit %s)", ErrReadTooOld, age, maxAge))
	t.cancel = nil
	return true
}

// tooOld reports the error a request gets when Interrupt ended it: nil
// unless ctx was cancelled by Interrupt. err is what the request returned.
func tooOld(ctx context.Context, err error) error {
	cause := context.Cause(ctx)
	if cause == nil || !errors.Is(cause, ErrReadTooOld) {
		return err
	}
	if err == nil {
		return cause
	}
	if errors.Is(err, ErrReadTooOld) {
		return err
	}
	if errors.Is(err, sqlite3.INTERRUPT) {
		return fmt.Errorf("%w (%w)", cause, err)
	}
	return err
}

// OldestRead returns when the oldest open read transaction among the readers
// began, and which reader holds it (-1 and the zero time when none is open).
func (e *ReaderEnv) OldestRead() (time.Time, int) {
	var oldest time.Time
	idx := -1
	for i := range e.Txns {
		if s := e.Txns[i].Started(); !s.IsZero() && (idx < 0 || s.Before(oldest)) {
			oldest, idx = s, i
		}
	}
	return oldest, idx
}

// InterruptOlder interrupts every read whose transaction began more than
// maxAge ago and returns how many it interrupted.
func (e *ReaderEnv) InterruptOlder(now time.Time, maxAge time.Duration) int {
	n := 0
	for i := range e.Txns {
		if e.Txns[i].Interrupt(now.Add(-maxAge), maxAge) {
			n++
		}
	}
	return n
}
