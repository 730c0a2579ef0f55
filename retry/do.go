package retry

import (
	"context"
	"errors"
	"fmt"
)

// ErrExhausted is wrapped, together with the last error of the operation, by
// the error [Do] returns when attempts or budget ran out while the operation
// kept failing with a retryable error:
//
//	errors.Is(err, retry.ErrExhausted) && errors.Is(err, sqlite3.BUSY)
var ErrExhausted = errors.New("retry: attempts exhausted")

// Do calls fn until it succeeds, fails with an error that p.Retryable rejects,
// or p's attempts or budget run out, waiting between calls as p says.
//
// Do returns nil once fn returns nil; fn's error itself (unwrapped) when it is
// not retryable; an error wrapping [ErrExhausted] and fn's last error when
// attempts or budget ran out; an error wrapping ctx.Err() and fn's last error
// when ctx ended during a wait (fn is not called with an ended ctx: that
// returns ctx.Err() wrapped the same way, or bare before the first call); an
// error wrapping [ErrInvalidPolicy] without calling fn when p is invalid.
//
// fn receives ctx and must be the whole unit of work (a whole transaction),
// safe to run again after it failed.
func Do(ctx context.Context, p Policy, fn func(ctx context.Context) error) error {
	_, err := DoValue(ctx, p, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, fn(ctx)
	})
	return err
}

// DoValue is [Do] for an operation that returns a value. On success it returns
// fn's value; otherwise the zero value and the error Do would return.
func DoValue[T any](ctx context.Context, p Policy, fn func(ctx context.Context) (T, error)) (T, error) {
	var zero T
	if err := p.Validate(); err != nil {
		return zero, err
	}
	if err := ctx.Err(); err != nil {
		return zero, err
	}
	clock := p.Clock
	if clock == nil {
		clock = SystemClock{}
	}
	retryable := p.Retryable
	if retryable == nil {
		retryable = IsContention
	}
	start := clock.Now()
	for attempt := 1; ; attempt++ {
		v, err := fn(ctx)
		if err == nil {
			return v, nil
		}
		if !retryable(err) {
			return zero, err
		}
		if p.MaxAttempts > 0 && attempt >= p.MaxAttempts {
			return zero, fmt.Errorf("%w after %d attempts in %s: %w", ErrExhausted, attempt, clock.Now().Sub(start), err)
		}
		d := p.delay(attempt, uniform())
		if p.Budget > 0 && clock.Now().Add(d).Sub(start) > p.Budget {
			return zero, fmt.Errorf("%w: budget %s spent after %d attempts: %w", ErrExhausted, p.Budget, attempt, err)
		}
		if p.OnRetry != nil {
			p.OnRetry(attempt, err, d)
		}
		if cerr := clock.Sleep(ctx, d); cerr != nil {
			return zero, fmt.Errorf("retry: stopped after %d attempts: %w (last error: %w)", attempt, cerr, err)
		}
		if cerr := ctx.Err(); cerr != nil {
			return zero, fmt.Errorf("retry: stopped after %d attempts: %w (last error: %w)", attempt, cerr, err)
		}
	}
}
