package retry_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ncruces/go-sqlite3"

	"github.com/liteactor/liteactor/retry"
)

// An operation that meets another process's lock twice is retried until it
// gets through; with an engine the operation is typically
// func(ctx context.Context) error { _, err := eng.Exec(ctx, sql, args...); return err }.
func ExampleDo() {
	p := retry.Interactive()
	p.OnRetry = func(attempt int, err error, _ time.Duration) {
		fmt.Printf("attempt %d: %v\n", attempt, err)
	}
	calls := 0
	err := retry.Do(context.Background(), p, func(ctx context.Context) error {
		calls++
		if calls <= 2 {
			return sqlite3.BUSY_SNAPSHOT // what ncruces returns on a stale snapshot
		}
		return nil
	})
	fmt.Println("done after", calls, "calls, err =", err)
	// Output:
	// attempt 1: sqlite3: database is locked
	// attempt 2: sqlite3: database is locked
	// done after 3 calls, err = <nil>
}

// When the attempts run out the error says so and still carries SQLite's code.
func ExampleDo_exhausted() {
	p := retry.Policy{MaxAttempts: 2, InitialDelay: time.Millisecond, MaxDelay: time.Millisecond, Multiplier: 1}
	err := retry.Do(context.Background(), p, func(ctx context.Context) error { return sqlite3.BUSY })
	fmt.Println(errors.Is(err, retry.ErrExhausted), errors.Is(err, sqlite3.BUSY))
	// Output: true true
}
