package walmonitor

import (
	"errors"
	"time"

	"github.com/liteactor/liteactor/messages"
	"github.com/ncruces/go-sqlite3"
)

// observation is one measurement of the WAL.
type observation struct {
	now        time.Time
	walBytes   int64     // size of the -wal file
	frames     int64     // frames in the WAL (last commit or checkpoint)
	backlog    int64     // of those, frames not yet checkpointed
	lastCommit time.Time // last commit seen by the WAL hook (or the monitor's start)
	oldestRead time.Time // start of the oldest open read transaction; zero: none
	pending    bool      // writes are queued or running: not idle
}

// action is what the policy asks of the writer. The zero action does
// nothing. RESTART cannot be expressed.
type action struct {
	mode sqlite3.CheckpointMode
	// reason is why: "pages" (PASSIVE: CheckpointPages frames wait to be
	// copied back), "size" (TRUNCATE: the file is above TruncateBytes),
	// "reset" (TRUNCATE: the log holds ResetFactor*CheckpointPages frames and
	// is not being reset by itself) or "idle" (TRUNCATE: no commit for
	// IdleTruncate).
	reason string
	// barrier: run the TRUNCATE behind a read barrier.
	barrier bool
}

func (a action) none() bool { return a.reason == "" }

// policy decides checkpoints. It is plain state driven by observations and
// checkpoint results, owned by one monitor instance.
type policy struct {
	cfg Config

	inflight      bool // a checkpoint was sent and has not been answered
	inflightSince time.Time

	truncBusyAt  time.Time     // when the last TRUNCATE failed; zero: it did not
	truncBackoff time.Duration // how long to wait before retrying while its blockers remain
	blockerSeen  bool          // a read open at truncBusyAt was still open at a later tick
	lastTruncOK  time.Time     // when the last TRUNCATE succeeded

	// barrierMode: a TRUNCATE failed and no TRUNCATE without a barrier has
	// succeeded since: the size brake runs behind a read barrier.
	barrierMode    bool
	barrierAt      time.Time     // no read barrier before this (after one expired or failed)
	barrierBackoff time.Duration // doubles with each barrier that did not truncate

	last     messages.CheckpointResult // the last result seen
	haveLast bool
	streak   int // consecutive intervals of starvation
	overWarn int // consecutive intervals above WarnBytes
}

func newPolicy(cfg Config) *policy { return &policy{cfg: cfg} }

// staleAfter is how long an unanswered checkpoint blocks the next one: the
// reply is lost if the writer was stopped or restarted before running it.
func (p *policy) staleAfter() time.Duration { return max(30*p.cfg.Interval, 30*time.Second) }

// maxBackoff bounds the wait between TRUNCATE retries while their blockers
// remain.
func (p *policy) maxBackoff() time.Duration { return 32 * p.cfg.Interval }

// next decides what to ask the writer for, on a timer tick.
func (p *policy) next(o observation) action {
	if p.inflight {
		if o.now.Sub(p.inflightSince) < p.staleAfter() {
			return action{}
		}
		p.inflight = false
	}
	if !p.truncBusyAt.IsZero() && !o.oldestRead.IsZero() && !o.oldestRead.After(p.truncBusyAt) {
		p.blockerSeen = true
	}
	if reason := p.truncateReason(o); reason != "" {
		if reason == "size" && p.barrierAllowed(o.now) {
			return action{mode: sqlite3.CHECKPOINT_TRUNCATE, reason: reason, barrier: true}
		}
		if p.truncateAllowed(o) {
			return action{mode: sqlite3.CHECKPOINT_TRUNCATE, reason: reason}
		}
	}
	if o.backlog >= int64(p.cfg.CheckpointPages) {
		return action{mode: sqlite3.CHECKPOINT_PASSIVE, reason: "pages"}
	}
	return action{}
}

// nudged decides what to do when a commit crossed a threshold between
// ticks: what a tick would, except that no PASSIVE is asked for while the
// last one was held back by readers (the next tick retries; checkpointing
// after every commit behind a reader would only burn the writer's time).
func (p *policy) nudged(o observation) action {
	if p.inflight {
		return action{}
	}
	a := p.next(o)
	if a.mode == sqlite3.CHECKPOINT_PASSIVE && p.heldBack() {
		return action{}
	}
	return a
}

// resetFrames is how many frames the log may hold before a TRUNCATE resets
// it: past several checkpoint thresholds, the log is not being reset by
// itself (SQLite restarts it only when a write begins with the whole log
// checkpointed and no reader inside it, which overlapping reads prevent).
func (p *policy) resetFrames() int64 { return ResetFactor * int64(p.cfg.CheckpointPages) }

// heldBack reports whether the last checkpoint left CheckpointPages frames
// or more behind.
func (p *policy) heldBack() bool {
	return p.haveLast && p.last.LogFrames >= 0 && p.last.LogFrames-p.last.Checkpointed >= p.cfg.CheckpointPages
}

func (p *policy) truncateReason(o observation) string {
	switch {
	case p.cfg.TruncateBytes > 0 && o.walBytes > p.cfg.TruncateBytes:
		return "size"
	case o.frames >= p.resetFrames():
		return "reset"
	case p.cfg.IdleTruncate > 0 && !o.pending && o.walBytes > 0 && o.now.Sub(o.lastCommit) >= p.cfg.IdleTruncate &&
		o.lastCommit.After(p.lastTruncOK):
		return "idle"
	}
	return ""
}

// truncateAllowed holds a TRUNCATE back after one failed: for a backoff
// that doubles with each failure (one Interval up to 32), or, when a long
// read blocked it, until that read has ended, whichever comes first. Short
// overlapping reads thus get a retry per backoff, and a pinned snapshot a
// retry as soon as it is released.
func (p *policy) truncateAllowed(o observation) bool {
	if p.truncBusyAt.IsZero() {
		return true
	}
	if !o.now.Before(p.truncBusyAt.Add(p.truncBackoff)) {
		return true
	}
	blockersGone := o.oldestRead.IsZero() || o.oldestRead.After(p.truncBusyAt)
	return p.blockerSeen && blockersGone
}

// barrierAllowed: a read barrier is used once a TRUNCATE has failed, until
// one succeeds without a barrier (while the brake "keeps failing", a
// TRUNCATE behind a barrier does not end that: without it the next one
// would fail again), and not while a backoff after a barrier that did not
// truncate runs.
func (p *policy) barrierAllowed(now time.Time) bool {
	return p.cfg.BarrierMax > 0 && p.barrierMode && !now.Before(p.barrierAt)
}

// barrierDone records how a barrier ended: truncated, or not (it expired
// before the reads in flight finished, or the TRUNCATE behind it failed):
// then the next barrier waits for a backoff that doubles (one Interval up
// to 32).
func (p *policy) barrierDone(truncated bool, now time.Time) {
	if truncated {
		p.barrierAt, p.barrierBackoff = time.Time{}, 0
		return
	}
	p.barrierBackoff = min(max(2*p.barrierBackoff, p.cfg.Interval), p.maxBackoff())
	p.barrierAt = now.Add(p.barrierBackoff)
}

// sent records that a checkpoint was asked for.
func (p *policy) sent(now time.Time) {
	p.inflight, p.inflightSince = true, now
}

// done records a checkpoint the monitor asked for.
func (p *policy) done(res messages.CheckpointResult, barrier bool) {
	p.inflight = false
	p.observe(res)
	if res.Mode != sqlite3.CHECKPOINT_TRUNCATE {
		return
	}
	p.blockerSeen = false
	if res.Err == nil {
		p.truncBusyAt, p.truncBackoff, p.lastTruncOK = time.Time{}, 0, res.At
		if !barrier {
			p.barrierMode = false
		}
		return
	}
	p.barrierMode = true
	p.truncBusyAt = res.At
	p.truncBackoff = min(max(2*p.truncBackoff, p.cfg.Interval), p.maxBackoff())
}

// observe records any checkpoint result (the monitor's, a manual one, the
// one at Close) for the starvation figures.
func (p *policy) observe(res messages.CheckpointResult) {
	if res.Err != nil && !errors.Is(res.Err, sqlite3.BUSY) {
		return
	}
	p.last, p.haveLast = res, true
}

// starving updates the streak on a tick and reports whether the checkpoints
// are starved: the last one left CheckpointPages frames or more behind, and
// they are still waiting.
func (p *policy) starving(o observation) bool {
	if p.heldBack() && o.backlog >= int64(p.cfg.CheckpointPages) {
		p.streak++
		return true
	}
	p.streak = 0
	return false
}

// reportStarvation says whether this interval's starvation is logged: when
// it reaches StarveAfter intervals, then every RepeatEvery intervals.
func (p *policy) reportStarvation() bool {
	n := p.streak - p.cfg.StarveAfter
	return n >= 0 && n%RepeatEvery == 0
}
