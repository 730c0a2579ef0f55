package observe

import (
	"cmp"
	"context"
	"slices"
	"sync"
	"time"

	"github.com/liteactor/liteactor"
)

// ProfilerOptions configures a Profiler; zero fields take the defaults
// documented on each.
type ProfilerOptions struct {
	// MaxStatements bounds the distinct normalized statements tracked; once
	// reached, new statements are counted under OtherStatements. 0 means
	// 1000.
	MaxStatements int
}

// OtherStatements is the key under which a full Profiler counts statements
// it has no room for.
const OtherStatements = "<other>"

// Profiler is an Observer that aggregates the statements run through Exec
// and Query (any operation with Op.SQL) by their Normalize form: calls,
// errors, rows, total / mean / min / max execution time and total queue
// wait, like PostgreSQL's pg_stat_statements. Only operations that ran are
// counted (not vetoed, refused or expired ones). Top gives the "top
// queries" view. Safe for concurrent use: each After takes one short mutex.
// It never vetoes.
type Profiler struct {
	max int

	mu    sync.Mutex
	stats map[string]*StatementStats
	norm  map[string]string // raw SQL -> Normalize(raw), bounded
	since time.Time
}

// StatementStats are the figures of one normalized statement.
type StatementStats struct {
	// Query is the normalized SQL (see Normalize), or OtherStatements.
	Query string
	// Calls counts executions, Errors those that failed.
	Calls  uint64
	Errors uint64
	// Rows is the total of rows returned (Query) or changed (Exec).
	Rows int64
	// Total, Min and Max are over the execution times (Outcome.Executing).
	Total time.Duration
	Min   time.Duration
	Max   time.Duration
	// Queued is the total time spent waiting for the writer or a reader.
	Queued time.Duration
}

// Mean is Total/Calls, 0 without calls.
func (s StatementStats) Mean() time.Duration {
	if s.Calls == 0 {
		return 0
	}
	return s.Total / time.Duration(s.Calls)
}

// NewProfiler returns an empty profiler.
func NewProfiler(opts ProfilerOptions) *Profiler {
	if opts.MaxStatements <= 0 {
		opts.MaxStatements = 1000
	}
	p := &Profiler{max: opts.MaxStatements}
	p.Reset()
	return p
}

// Before lets every operation through.
func (p *Profiler) Before(ctx context.Context, _ *liteactor.Op) (context.Context, error) {
	return ctx, nil
}

// After counts the statement if it ran.
func (p *Profiler) After(_ context.Context, op *liteactor.Op, out *liteactor.Outcome) {
	if op.SQL == "" || out.Started.IsZero() {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	key, ok := p.norm[op.SQL]
	if !ok {
		key = Normalize(op.SQL)
		if len(p.norm) < 4*p.max {
			p.norm[op.SQL] = key
		}
	}
	s := p.stats[key]
	if s == nil {
		if len(p.stats) >= p.max {
			key = OtherStatements
			s = p.stats[key]
		}
		if s == nil {
			s = &StatementStats{Query: key, Min: out.Executing}
			p.stats[key] = s
		}
	}
	s.Calls++
	if out.Err != nil {
		s.Errors++
	}
	s.Rows += out.Rows
	s.Total += out.Executing
	s.Queued += out.Queued
	s.Min = min(s.Min, out.Executing)
	s.Max = max(s.Max, out.Executing)
}

// SortBy orders Top.
type SortBy uint8

// Orders for Top, each descending, ties broken by Query.
const (
	ByTotal SortBy = iota // total execution time: where the database spends its time
	ByCalls               // number of calls
	ByMean                // mean execution time
	ByMax                 // worst single execution
	ByRows                // rows returned or changed
)

// Top returns copies of up to n statements' figures (all when n <= 0),
// ordered by.
func (p *Profiler) Top(n int, by SortBy) []StatementStats {
	p.mu.Lock()
	all := make([]StatementStats, 0, len(p.stats))
	for _, s := range p.stats {
		all = append(all, *s)
	}
	p.mu.Unlock()
	key := func(s StatementStats) int64 {
		switch by {
		case ByCalls:
			return int64(s.Calls)
		case ByMean:
			return int64(s.Mean())
		case ByMax:
			return int64(s.Max)
		case ByRows:
			return s.Rows
		}
		return int64(s.Total)
	}
	slices.SortFunc(all, func(a, b StatementStats) int {
		if c := cmp.Compare(key(b), key(a)); c != 0 {
			return c
		}
		return cmp.Compare(a.Query, b.Query)
	})
	if n > 0 && len(all) > n {
		all = all[:n]
	}
	return all
}

// Reset forgets every statement and restarts Since.
func (p *Profiler) Reset() {
	p.mu.Lock()
	p.stats = map[string]*StatementStats{}
	p.norm = map[string]string{}
	p.since = time.Now()
	p.mu.Unlock()
}

// Since is when the profiler was created or last Reset.
func (p *Profiler) Since() time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.since
}
