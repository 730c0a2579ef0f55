package maintenance

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"github.com/liteactor/liteactor"
)

// Optimizer runs [Optimize] on an engine every interval until stopped.
type Optimizer struct {
	cancel context.CancelFunc
	done   chan struct{}
	once   sync.Once
}

// OptimizerOptions tunes [StartOptimizer].
type OptimizerOptions struct {
	// Interval between runs; must be > 0.
	Interval time.Duration
	// Timeout bounds each run; 0 means Interval.
	Timeout time.Duration
	// OnRun, if set, is called after every run with its error (nil on
	// success), on the optimizer's goroutine.
	OnRun func(error)
	// Logger receives a warning for every failed run.
	Logger zerolog.Logger
}

// StartOptimizer starts a goroutine that runs PRAGMA optimize on eng every
// opts.Interval (the first run one interval from now) until Stop is called
// or ctx ends. A run that fails is logged and reported to OnRun; the
// optimizer keeps going, except after liteactor.ErrClosed, when it stops by
// itself. It returns an error only for an Interval <= 0.
func StartOptimizer(ctx context.Context, eng *liteactor.Engine, opts OptimizerOptions) (*Optimizer, error) {
	if opts.Interval <= 0 {
		return nil, errors.New("maintenance: optimizer interval must be > 0")
	}
	if opts.Timeout <= 0 {
		opts.Timeout = opts.Interval
	}
	ctx, cancel := context.WithCancel(ctx)
	o := &Optimizer{cancel: cancel, done: make(chan struct{})}
	log := opts.Logger.With().Str("component", "maintenance").Str("op", "optimize").Logger()
	go func() {
		defer close(o.done)
		t := time.NewTicker(opts.Interval)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			rctx, rcancel := context.WithTimeout(ctx, opts.Timeout)
			start := time.Now()
			err := Optimize(rctx, eng)
			rcancel()
			if ctx.Err() != nil {
				return // stopped while running: not a failure
			}
			if err != nil {
				log.Warn().Err(err).Dur("duration", time.Since(start)).Msg("periodic optimize failed")
			}
			if opts.OnRun != nil {
				opts.OnRun(err)
			}
			if errors.Is(err, liteactor.ErrClosed) {
				return
			}
		}
	}()
	return o, nil
}

// Stop stops the optimizer and waits until its goroutine has returned (a
// run in progress is cancelled). It is safe to call more than once and
// concurrently.
func (o *Optimizer) Stop() {
	o.once.Do(o.cancel)
	<-o.done
}

// Done is closed once the optimizer has stopped: after Stop, after its ctx
// ended, or after the engine closed.
func (o *Optimizer) Done() <-chan struct{} { return o.done }
