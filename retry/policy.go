package retry

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"time"
)

// ErrInvalidPolicy is wrapped by [Policy.Validate] and returned by [Do], without
// running the operation, when a Policy field is out of range.
var ErrInvalidPolicy = errors.New("retry: invalid policy")

// Policy says when and how long [Do] waits before trying again.
//
// The delay before retry n (n = 1 for the first retry) is
// min(MaxDelay, InitialDelay * Multiplier^(n-1)), of which a random fraction
// up to Jitter is taken away: with Jitter 0 the delay is exact, with Jitter 1
// it is uniform in [0, delay] ("full jitter"). Jitter keeps processes that
// collided once from colliding again in lock step.
//
// A zero Policy is invalid; start from a preset ([Default], [Interactive],
// [Background]) and adjust fields.
type Policy struct {
	// MaxAttempts bounds the number of calls of the operation, the first one
	// included. 0 means no bound on attempts (Budget must then be set).
	MaxAttempts int
	// Budget bounds the total time from the first call: Do does not start a
	// wait that would end after first call + Budget. 0 means no time bound
	// (MaxAttempts must then be set). The context's deadline applies too.
	Budget time.Duration
	// InitialDelay is the base delay before the first retry; > 0.
	InitialDelay time.Duration
	// MaxDelay caps the base delay; >= InitialDelay.
	MaxDelay time.Duration
	// Multiplier grows the base delay after each retry; >= 1.
	Multiplier float64
	// Jitter is the fraction of each delay that is randomised, in [0, 1].
	Jitter float64
	// Retryable decides which errors are retried; nil means [IsContention].
	// Any other error is returned at once, unwrapped.
	Retryable func(error) bool
	// OnRetry, if set, is called before each wait with the number of the
	// attempt that failed (1 = first call), its error and the delay that
	// follows. It runs on the caller's goroutine.
	OnRetry func(attempt int, err error, delay time.Duration)
	// Clock measures the budget and waits; nil means [SystemClock].
	Clock Clock
}

// Interactive suits a request a user is waiting for: 5 attempts within 1s,
// delays from 5ms growing 2x to at most 200ms, half of each delay jittered.
func Interactive() Policy {
	return Policy{
		MaxAttempts:  5,
		Budget:       time.Second,
		InitialDelay: 5 * time.Millisecond,
		MaxDelay:     200 * time.Millisecond,
		Multiplier:   2,
		Jitter:       0.5,
	}
}

// Default suits ordinary service work: 10 attempts within 10s, delays from
// 10ms growing 2x to at most 1s, half of each delay jittered.
func Default() Policy {
	return Policy{
		MaxAttempts:  10,
		Budget:       10 * time.Second,
		InitialDelay: 10 * time.Millisecond,
		MaxDelay:     time.Second,
		Multiplier:   2,
		Jitter:       0.5,
	}
}

// Background suits batch jobs that must eventually get through: no bound on
// attempts, a 2 minute budget, delays from 50ms growing 2x to at most 5s,
// fully jittered.
func Background() Policy {
	return Policy{
		MaxAttempts:  0,
		Budget:       2 * time.Minute,
		InitialDelay: 50 * time.Millisecond,
		MaxDelay:     5 * time.Second,
		Multiplier:   2,
		Jitter:       1,
	}
}

// Validate returns an error wrapping [ErrInvalidPolicy] that names the first
// field out of range, or nil.
func (p Policy) Validate() error {
	switch {
	case p.MaxAttempts < 0:
		return fmt.Errorf("%w: MaxAttempts %d < 0", ErrInvalidPolicy, p.MaxAttempts)
	case p.Budget < 0:
		return fmt.Errorf("%w: Budget %s < 0", ErrInvalidPolicy, p.Budget)
	case p.MaxAttempts == 0 && p.Budget == 0:
		return fmt.Errorf("%w: neither MaxAttempts nor Budget bounds the retries", ErrInvalidPolicy)
	case p.InitialDelay <= 0:
		return fmt.Errorf("%w: InitialDelay %s <= 0", ErrInvalidPolicy, p.InitialDelay)
	case p.MaxDelay < p.InitialDelay:
		return fmt.Errorf("%w: MaxDelay %s < InitialDelay %s", ErrInvalidPolicy, p.MaxDelay, p.InitialDelay)
	case !(p.Multiplier >= 1) || math.IsInf(p.Multiplier, 0):
		return fmt.Errorf("%w: Multiplier %v not a finite number >= 1", ErrInvalidPolicy, p.Multiplier)
	case !(p.Jitter >= 0 && p.Jitter <= 1):
		return fmt.Errorf("%w: Jitter %v outside [0, 1]", ErrInvalidPolicy, p.Jitter)
	}
	return nil
}

// baseDelay is the delay before retry n (n >= 1) without jitter.
func (p Policy) baseDelay(n int) time.Duration {
	d := float64(p.InitialDelay) * math.Pow(p.Multiplier, float64(n-1))
	if d >= float64(p.MaxDelay) || math.IsInf(d, 0) || math.IsNaN(d) {
		return p.MaxDelay
	}
	return time.Duration(d)
}

// delay is the jittered delay before retry n; u is uniform in [0, 1).
func (p Policy) delay(n int, u float64) time.Duration {
	base := p.baseDelay(n)
	return base - time.Duration(p.Jitter*u*float64(base))
}

// uniform returns a number uniform in [0, 1) from the runtime's
// goroutine-safe generator.
func uniform() float64 { return rand.Float64() }
