package retry

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/ncruces/go-sqlite3"
)

// fakeClock advances its time by exactly the requested duration on Sleep and
// records every wait; it never blocks.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	sleeps []time.Duration
}

func newFakeClock() *fakeClock { return &fakeClock{now: time.Unix(1_700_000_000, 0)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sleeps = append(c.sleeps, d)
	c.now = c.now.Add(d)
	return nil
}

func exact() Policy {
	return Policy{MaxAttempts: 6, InitialDelay: 10 * time.Millisecond, MaxDelay: 50 * time.Millisecond, Multiplier: 2}
}

// failing returns an operation that fails with errs in order, then succeeds.
func failing(calls *int, errs ...error) func(context.Context) error {
	return func(context.Context) error {
		*calls++
		if *calls <= len(errs) {
			return errs[*calls-1]
		}
		return nil
	}
}

func TestDoSucceedsAfterContentionWithExponentialDelays(t *testing.T) {
	clk := newFakeClock()
	p := exact()
	p.Clock = clk
	var calls int
	err := Do(context.Background(), p, failing(&calls, sqlite3.BUSY, sqlite3.BUSY, sqlite3.LOCKED, sqlite3.BUSY))
	if err != nil {
		t.Fatalf("Do: %v", err)
	}
	if calls != 5 {
		t.Fatalf("calls = %d, want 5", calls)
	}
	want := []time.Duration{10 * time.Millisecond, 20 * time.Millisecond, 40 * time.Millisecond, 50 * time.Millisecond}
	if fmt.Sprint(clk.sleeps) != fmt.Sprint(want) {
		t.Fatalf("sleeps = %v, want %v (doubling, capped at MaxDelay)", clk.sleeps, want)
	}
}

func TestDoRetriesEveryContentionCode(t *testing.T) {
	codes := []error{
		sqlite3.BUSY, sqlite3.BUSY_SNAPSHOT, sqlite3.BUSY_TIMEOUT, sqlite3.BUSY_RECOVERY,
		sqlite3.LOCKED, sqlite3.LOCKED_SHAREDCACHE, sqlite3.LOCKED_VTAB,
		fmt.Errorf("liteactor: exec: %w", sqlite3.BUSY_SNAPSHOT),
	}
	for _, code := range codes {
		t.Run(code.Error(), func(t *testing.T) {
			p := exact()
			p.Clock = newFakeClock()
			var calls int
			if err := Do(context.Background(), p, failing(&calls, code)); err != nil {
				t.Fatalf("Do: %v", err)
			}
			if calls != 2 {
				t.Fatalf("calls = %d, want 2 (one retry)", calls)
			}
		})
	}
}

func TestDoReturnsOtherErrorsAtOnceUnwrapped(t *testing.T) {
	boom := errors.New("boom")
	for _, e := range []error{boom, sqlite3.CONSTRAINT, sqlite3.CONSTRAINT_UNIQUE, sqlite3.INTERRUPT, context.Canceled} {
		p := exact()
		p.Clock = newFakeClock()
		var calls int
		err := Do(context.Background(), p, failing(&calls, e))
		if err != e {
			t.Fatalf("err = %v, want %v unwrapped", err, e)
		}
		if calls != 1 {
			t.Fatalf("%v: calls = %d, want 1", e, calls)
		}
	}
}

func TestDoStopsAtMaxAttempts(t *testing.T) {
	clk := newFakeClock()
	p := exact()
	p.MaxAttempts = 3
	p.Clock = clk
	var calls int
	var seen []int
	p.OnRetry = func(attempt int, err error, d time.Duration) {
		if !errors.Is(err, sqlite3.BUSY) {
			t.Errorf("OnRetry err = %v", err)
		}
		seen = append(seen, attempt)
	}
	err := Do(context.Background(), p, func(context.Context) error { calls++; return sqlite3.BUSY_SNAPSHOT })
	if !errors.Is(err, ErrExhausted) || !errors.Is(err, sqlite3.BUSY_SNAPSHOT) || !errors.Is(err, sqlite3.BUSY) {
		t.Fatalf("err = %v, want ErrExhausted wrapping BUSY_SNAPSHOT", err)
	}
	if calls != 3 || len(clk.sleeps) != 2 || fmt.Sprint(seen) != "[1 2]" {
		t.Fatalf("calls=%d sleeps=%v onRetry=%v, want 3 calls, 2 waits, attempts [1 2]", calls, clk.sleeps, seen)
	}
}

func TestDoStopsWhenBudgetWouldBeExceeded(t *testing.T) {
	clk := newFakeClock()
	p := exact()
	p.MaxAttempts = 0
	p.Budget = 75 * time.Millisecond // 10 + 20 + 40 = 70 fits; the next 50 does not
	p.Clock = clk
	var calls int
	err := Do(context.Background(), p, func(context.Context) error { calls++; return sqlite3.LOCKED })
	if !errors.Is(err, ErrExhausted) || !errors.Is(err, sqlite3.LOCKED) {
		t.Fatalf("err = %v, want ErrExhausted wrapping LOCKED", err)
	}
	if calls != 4 {
		t.Fatalf("calls = %d, want 4", calls)
	}
	var total time.Duration
	for _, d := range clk.sleeps {
		total += d
	}
	if total > p.Budget {
		t.Fatalf("waited %s, beyond budget %s", total, p.Budget)
	}
}

func TestDoStopsWhenContextEndsDuringWait(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	p := exact()
	p.Clock = newFakeClock()
	p.OnRetry = func(int, error, time.Duration) { cancel() }
	var calls int
	err := Do(ctx, p, func(context.Context) error { calls++; return sqlite3.BUSY })
	if !errors.Is(err, context.Canceled) || !errors.Is(err, sqlite3.BUSY) {
		t.Fatalf("err = %v, want Canceled wrapping the last BUSY", err)
	}
	if errors.Is(err, ErrExhausted) {
		t.Fatalf("err = %v: a cancelled retry is not exhausted", err)
	}
	if calls != 1 {
		t.Fatalf("calls = %d, want 1", calls)
	}
}

func TestDoWithEndedContextDoesNotCall(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var calls int
	err := Do(ctx, exact(), failing(&calls))
	if err != context.Canceled || calls != 0 {
		t.Fatalf("err=%v calls=%d, want context.Canceled and no call", err, calls)
	}
}

func TestDoRejectsInvalidPolicyWithoutCalling(t *testing.T) {
	bad := map[string]func(*Policy){
		"negative attempts": func(p *Policy) { p.MaxAttempts = -1 },
		"negative budget":   func(p *Policy) { p.Budget = -1 },
		"unbounded":         func(p *Policy) { p.MaxAttempts, p.Budget = 0, 0 },
		"zero delay":        func(p *Policy) { p.InitialDelay = 0 },
		"max below initial": func(p *Policy) { p.MaxDelay = p.InitialDelay / 2 },
		"multiplier < 1":    func(p *Policy) { p.Multiplier = 0.5 },
		"jitter > 1":        func(p *Policy) { p.Jitter = 1.5 },
		"zero policy":       func(p *Policy) { *p = Policy{} },
	}
	for name, mutate := range bad {
		p := exact()
		mutate(&p)
		var calls int
		err := Do(context.Background(), p, failing(&calls))
		if !errors.Is(err, ErrInvalidPolicy) || calls != 0 {
			t.Errorf("%s: err=%v calls=%d, want ErrInvalidPolicy and no call", name, err, calls)
		}
	}
}

func TestPresetsAreValidAndBounded(t *testing.T) {
	for name, p := range map[string]Policy{"Interactive": Interactive(), "Default": Default(), "Background": Background()} {
		if err := p.Validate(); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		if p.Budget <= 0 {
			t.Errorf("%s: no time budget", name)
		}
	}
}

func TestJitterStaysWithinItsFraction(t *testing.T) {
	for _, j := range []float64{0, 0.5, 1} {
		clk := newFakeClock()
		p := Policy{MaxAttempts: 200, InitialDelay: 100 * time.Millisecond, MaxDelay: 100 * time.Millisecond, Multiplier: 1, Jitter: j, Clock: clk}
		var calls int
		if err := Do(context.Background(), p, func(context.Context) error {
			calls++
			if calls < 200 {
				return sqlite3.BUSY
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		lo := time.Duration((1 - j) * float64(100*time.Millisecond))
		distinct := map[time.Duration]bool{}
		for _, d := range clk.sleeps {
			if d < lo || d > 100*time.Millisecond {
				t.Fatalf("jitter %v: delay %s outside [%s, 100ms]", j, d, lo)
			}
			distinct[d] = true
		}
		if j > 0 && len(distinct) < 10 {
			t.Fatalf("jitter %v: only %d distinct delays in 199", j, len(distinct))
		}
		if j == 0 && len(distinct) != 1 {
			t.Fatalf("jitter 0: delays vary: %v", distinct)
		}
	}
}

func TestBaseDelayDoesNotOverflow(t *testing.T) {
	p := Policy{InitialDelay: time.Second, MaxDelay: time.Hour, Multiplier: 10}
	if d := p.baseDelay(10_000); d != time.Hour {
		t.Fatalf("baseDelay(10000) = %s, want the cap", d)
	}
}

func TestDoValueReturnsTheValue(t *testing.T) {
	p := exact()
	p.Clock = newFakeClock()
	var calls int
	v, err := DoValue(context.Background(), p, func(context.Context) (int, error) {
		calls++
		if calls == 1 {
			return -1, sqlite3.BUSY
		}
		return 42, nil
	})
	if err != nil || v != 42 {
		t.Fatalf("DoValue = %d, %v; want 42, nil", v, err)
	}
	v, err = DoValue(context.Background(), p, func(context.Context) (int, error) { return 7, sqlite3.CONSTRAINT })
	if v != 0 || err != sqlite3.CONSTRAINT {
		t.Fatalf("DoValue on failure = %d, %v; want zero value and the error", v, err)
	}
}

func TestSystemClockSleepHonoursContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := (SystemClock{}).Sleep(ctx, time.Hour); err != context.Canceled {
		t.Fatalf("Sleep with cancelled ctx = %v", err)
	}
	if err := (SystemClock{}).Sleep(context.Background(), time.Microsecond); err != nil {
		t.Fatalf("Sleep = %v", err)
	}
}

func TestIsContentionOnNil(t *testing.T) {
	if IsContention(nil) {
		t.Fatal("nil is not contention")
	}
}
