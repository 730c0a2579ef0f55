package walmonitor

import (
	"errors"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/asynkron/protoactor-go/scheduler"
	"github.com/liteactor/liteactor/messages"
	"github.com/ncruces/go-sqlite3"
)

// tick is the timer's message; nudge is the WAL hook's (a commit crossed
// CheckpointPages); checkpointDone carries the writer's answer.
type (
	tick           struct{ at time.Time } // not zero-sized: each pointer is distinct
	nudge          struct{}
	checkpointDone struct{ res messages.CheckpointResult }
	// barrierIdle: the reads in flight when the barrier went up have
	// finished; barrierExpired: BarrierMax passed. gen tells barriers apart.
	barrierIdle    struct{ gen uint64 }
	barrierExpired struct{ gen uint64 }
)

var nudgeMsg = &nudge{}

// monitorActor is one instance of the WAL monitor. Its policy state is
// rebuilt on restart; what must outlive it lives in Monitor.
type monitorActor struct {
	m       *Monitor
	p       *policy
	sched   *scheduler.TimerScheduler
	next    *tick // the tick the armed timer will send
	cancel  scheduler.CancelFunc
	started time.Time
	rb      readBarrier
}

func (a *monitorActor) Receive(ctx actor.Context) {
	switch msg := ctx.Message().(type) {
	case *tick:
		if msg != a.next {
			return // sent by a timer of an earlier instance
		}
		a.arm(ctx)
		a.tick(ctx)
	case *nudge:
		if act := a.p.nudged(a.m.observe(time.Now(), a.started)); !act.none() {
			a.checkpoint(ctx, act)
		}
	case *checkpointDone:
		barrier := a.rb.truncating
		if barrier {
			a.barrierTruncated(msg.res)
		}
		a.done(msg.res, barrier)
	case *barrierIdle:
		a.barrierIdle(ctx, msg.gen)
	case *barrierExpired:
		a.barrierExpired(msg.gen)
	case *actor.Started:
		a.start(ctx)
	case *actor.Restarting:
		if a.m.deps.OnRestart != nil {
			a.m.deps.OnRestart()
		}
		a.stop()
	case *actor.Stopping:
		a.stop()
		a.m.self.Store(nil)
	}
}

func (a *monitorActor) start(ctx actor.Context) {
	a.p = newPolicy(a.m.cfg)
	a.started = time.Now()
	root := ctx.ActorSystem().Root
	a.m.sender.Store(root)
	a.m.self.Store(ctx.Self())
	a.m.nudged.Store(false)
	a.sched = scheduler.NewTimerScheduler(root)
	a.arm(ctx)
}

// arm schedules the next tick. A one-shot timer re-armed at each tick, not
// SendRepeatedly: the repeating timer of protoactor's scheduler reads its
// state without synchronisation when cancelled while firing (a data race).
// Each tick is a fresh value, so a tick already sent by a cancelled timer
// (or by an earlier instance) is recognised and dropped.
func (a *monitorActor) arm(ctx actor.Context) {
	a.next = &tick{at: time.Now()}
	a.cancel = a.sched.SendOnce(a.m.cfg.Interval, ctx.Self(), a.next)
}

// stop cancels the timer, so no tick outlives this instance.
func (a *monitorActor) stop() {
	a.releaseBarrier()
	if a.cancel != nil {
		a.cancel()
		a.cancel = nil
	}
	a.next = nil
}

func (a *monitorActor) tick(ctx actor.Context) {
	m, cfg := a.m, a.m.cfg
	now := time.Now()
	if cfg.ReadTxnMaxAge > 0 && m.deps.Readers != nil {
		if n := m.deps.Readers.InterruptOlder(now, cfg.ReadTxnMaxAge); n > 0 {
			m.log.Warn().Str("op", "read_max_age").Int("reads", n).Dur("max_age", cfg.ReadTxnMaxAge).
				Msg("interrupted read transactions older than ReadTxnMaxAge")
		}
	}
	if m.deps.CheckFile != nil {
		m.deps.CheckFile()
	}
	o := m.observe(now, a.started)
	m.nudged.Store(false) // at most one nudge per interval while the hook keeps crossing
	a.warnSize(o)
	a.checkStarvation(o)
	if act := a.p.next(o); !act.none() {
		a.checkpoint(ctx, act)
	}
}

// checkpoint asks the writer (whichever instance runs now) for a checkpoint
// between batches; the answer comes back as a message.
func (a *monitorActor) checkpoint(ctx actor.Context, act action) {
	if act.barrier && a.m.deps.Barrier != nil {
		a.raiseBarrier(ctx, act)
		return
	}
	var busy time.Duration
	if act.mode == sqlite3.CHECKPOINT_TRUNCATE {
		busy = a.m.cfg.TruncateBusy
	}
	self, root := ctx.Self(), ctx.ActorSystem().Root
	sent := a.m.deps.Checkpoint(act.mode, busy, func(res messages.CheckpointResult) {
		root.Send(self, &checkpointDone{res: res})
	})
	if !sent {
		return
	}
	a.p.sent(time.Now())
	a.m.log.Debug().Str("op", "checkpoint").Str("mode", messages.ModeName(act.mode)).Str("reason", act.reason).Msg("checkpoint requested")
}

func (a *monitorActor) done(res messages.CheckpointResult, barrier bool) {
	a.p.done(res, barrier)
	ev := a.m.log.Debug()
	if res.Err != nil && !errors.Is(res.Err, sqlite3.BUSY) {
		ev = a.m.log.Warn()
	}
	ev.Str("op", "checkpoint").Str("mode", messages.ModeName(res.Mode)).Int("log_frames", res.LogFrames).
		Int("checkpointed", res.Checkpointed).Err(res.Err).Msg("checkpoint done")
}

// warnSize logs when the WAL file is above WarnBytes: when it crosses, then
// every RepeatEvery intervals while it stays above, and once when it is back.
func (a *monitorActor) warnSize(o observation) {
	limit := a.m.cfg.WarnBytes
	if limit <= 0 {
		return
	}
	if o.walBytes > limit {
		if a.p.overWarn%RepeatEvery == 0 {
			a.m.log.Warn().Str("op", "wal_size").Int64("wal_bytes", o.walBytes).Int64("warn_bytes", limit).
				Int64("frames", o.frames).Int64("backlog", o.backlog).Dur("oldest_read_age", age(o.now, o.oldestRead)).
				Msg("WAL file above WarnBytes")
		}
		a.p.overWarn++
		return
	}
	if a.p.overWarn > 0 {
		a.m.log.Info().Str("op", "wal_size").Int64("wal_bytes", o.walBytes).Int64("warn_bytes", limit).
			Msg("WAL file back under WarnBytes")
	}
	a.p.overWarn = 0
}

// checkStarvation logs and counts checkpoint starvation.
func (a *monitorActor) checkStarvation(o observation) {
	was := a.p.streak
	if !a.p.starving(o) {
		if was >= a.m.cfg.StarveAfter {
			a.m.log.Info().Str("op", "starvation").Int("intervals", was).Msg("checkpoints caught up")
		}
		return
	}
	if !a.p.reportStarvation() {
		return
	}
	a.m.starvations.Add(1)
	reader := -1
	if a.m.deps.Readers != nil {
		_, reader = a.m.deps.Readers.OldestRead()
	}
	last := a.p.last
	a.m.log.Warn().Str("op", "starvation").
		Int64("wal_bytes", o.walBytes).
		Int64("frames", o.frames).
		Int("checkpointed", last.Checkpointed).
		Int64("backlog", o.backlog).
		Dur("oldest_read_age", age(o.now, o.oldestRead)).
		Int("oldest_reader", reader).
		Int("intervals", a.p.streak).
		Msg("WAL checkpoint starvation: a read transaction holds an old snapshot, so checkpoints leave frames behind and the WAL grows")
}

func age(now, t time.Time) time.Duration {
	if t.IsZero() {
		return 0
	}
	return now.Sub(t)
}
