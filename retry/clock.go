package retry

import (
	"context"
	"time"
)

// Clock is the time source [Do] measures its budget with and waits on.
// Tests pass a fake whose Sleep advances Now without waiting.
type Clock interface {
	// Now returns the current time.
	Now() time.Time
	// Sleep waits for d, or until ctx ends, whichever comes first. It returns
	// ctx.Err() when ctx ended first and nil otherwise.
	Sleep(ctx context.Context, d time.Duration) error
}

// SystemClock is the wall clock: [time.Now] and a [time.Timer].
type SystemClock struct{}

// Now returns time.Now().
func (SystemClock) Now() time.Time { return time.Now() }

// Sleep waits for d on a timer that it stops before returning, or until ctx
// ends.
func (SystemClock) Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
