package walmonitor

import (
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/asynkron/protoactor-go/scheduler"
	"github.com/liteactor/liteactor/messages"
	"github.com/ncruces/go-sqlite3"
)

// readBarrier is one monitor instance's state of the emergency brake's read
// barrier: up (new reads held back), then truncating once the reads in
// flight finished, then released.
type readBarrier struct {
	gen        uint64 // the barrier's number; messages of other ones are dropped
	up         bool
	truncating bool // the TRUNCATE behind it was sent
	since      time.Time
	cancel     scheduler.CancelFunc // the BarrierMax timer
}

// raiseBarrier holds new reads back and asks to be told when the reads in
// flight have finished, or when BarrierMax passes, whichever is first.
func (a *monitorActor) raiseBarrier(ctx actor.Context, act action) {
	rb := &a.rb
	if rb.up {
		return
	}
	rb.gen++
	gen := rb.gen
	self, root := ctx.Self(), ctx.ActorSystem().Root
	now := time.Now()
	// p.sent first: Hold may call onIdle at once, and the message it sends
	// is handled after this Receive returns.
	a.p.sent(now)
	if !a.m.deps.Barrier.Hold(func() { root.Send(self, &barrierIdle{gen: gen}) }) {
		a.p.inflight = false
		return
	}
	rb.up, rb.truncating, rb.since = true, false, now
	rb.cancel = a.sched.SendOnce(a.m.cfg.BarrierMax, self, &barrierExpired{gen: gen})
	a.m.log.Info().Str("op", "read_barrier").Str("reason", act.reason).Dur("max", a.m.cfg.BarrierMax).
		Msg("TRUNCATE keeps failing above TruncateBytes: holding new reads until those in flight finish")
}

// barrierIdle: no read runs any more; the TRUNCATE goes to the writer.
func (a *monitorActor) barrierIdle(ctx actor.Context, gen uint64) {
	rb := &a.rb
	if !rb.up || gen != rb.gen || rb.truncating {
		return
	}
	rb.truncating = true
	self, root := ctx.Self(), ctx.ActorSystem().Root
	sent := a.m.deps.Checkpoint(sqlite3.CHECKPOINT_TRUNCATE, a.m.cfg.TruncateBusy, func(res messages.CheckpointResult) {
		root.Send(self, &checkpointDone{res: res})
	})
	if !sent {
		a.releaseBarrier()
		a.p.inflight = false
		a.p.barrierDone(false, time.Now())
	}
}

// barrierExpired: the reads in flight outlasted BarrierMax. The barrier is
// released and tried again after a backoff; the reads are not interrupted.
func (a *monitorActor) barrierExpired(gen uint64) {
	rb := &a.rb
	if !rb.up || gen != rb.gen || rb.truncating {
		return // the TRUNCATE runs: its own busy timeout bounds it
	}
	held := time.Since(rb.since)
	a.releaseBarrier()
	a.p.inflight = false
	a.p.barrierDone(false, time.Now())
	a.m.barrierMiss.Add(1)
	a.m.log.Warn().Str("op", "read_barrier").Dur("held", held).
		Msg("reads in flight outlasted ReadBarrierMax: new reads released, the TRUNCATE will be retried")
}

// barrierTruncated: the TRUNCATE behind the barrier answered; the reads go.
func (a *monitorActor) barrierTruncated(res messages.CheckpointResult) {
	held := time.Since(a.rb.since)
	a.releaseBarrier()
	ok := res.Err == nil
	a.p.barrierDone(ok, time.Now())
	if ok {
		a.m.barriers.Add(1)
	}
	ev := a.m.log.Info()
	if !ok {
		ev = a.m.log.Warn()
	}
	ev.Str("op", "read_barrier").Dur("held", held).Int("log_frames", res.LogFrames).Err(res.Err).
		Msg("TRUNCATE behind the read barrier done; reads released")
}

// releaseBarrier lets the held reads go; a no-op without a barrier up.
func (a *monitorActor) releaseBarrier() {
	rb := &a.rb
	if !rb.up {
		return
	}
	if rb.cancel != nil {
		rb.cancel()
		rb.cancel = nil
	}
	rb.up, rb.truncating = false, false
	a.m.deps.Barrier.Release()
}
