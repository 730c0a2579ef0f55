package main

import (
	"sync/atomic"
	"time"

	"github.com/asynkron/protoactor-go/actor"
)

// producerEnv configures one producer and holds its counters.
type producerEnv struct {
	ingest      *actor.PID
	first, step int64         // event ids: first, first+step, first+2*step, ...
	perTick     int           // events created per tick while producing
	window      int           // most unacknowledged events at once (back-pressure)
	tick        time.Duration // tick interval
	resendAfter time.Duration // an event unacknowledged this long is sent again
	accounts    []string

	produced atomic.Int64
	resent   atomic.Int64
	acked    atomic.Int64
}

// producer plays a client: it creates events, sends them to ingest, and resends every event
// that is not acknowledged in time (at-least-once delivery). An event is acknowledged only
// after its write committed, so once a producer has drained, every event it created is stored.
type producer struct {
	env       *producerEnv
	next      int64
	unacked   map[int64]*sentEvent
	producing bool
	drainTo   *actor.PID
	stopTick  func()
}

type sentEvent struct {
	ev     *Event
	sentAt time.Time
}

type tick struct{}

func newProducerProps(env *producerEnv) *actor.Props {
	return actor.PropsFromProducer(func() actor.Actor {
		return &producer{env: env, next: env.first, unacked: map[int64]*sentEvent{}, producing: true}
	})
}

func (p *producer) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *actor.Started:
		p.stopTick = startTicker(ctx, p.env.tick)
	case *actor.Stopping, *actor.Restarting:
		if p.stopTick != nil {
			p.stopTick() // a timer outlives its actor unless stopped
			p.stopTick = nil
		}
	case *tick:
		p.onTick(ctx)
	case *Acked:
		for _, id := range m.IDs {
			if _, ok := p.unacked[id]; ok {
				delete(p.unacked, id)
				p.env.acked.Add(1)
			}
		}
		p.maybeDrained(ctx)
	case *StopProducing:
		p.producing, p.drainTo = false, ctx.Sender()
		p.maybeDrained(ctx)
	}
}

func (p *producer) onTick(ctx actor.Context) {
	now := time.Now()
	for _, s := range p.unacked {
		if now.Sub(s.sentAt) >= p.env.resendAfter {
			s.sentAt = now
			p.env.resent.Add(1)
			ctx.Request(p.env.ingest, s.ev)
		}
	}
	for i := 0; p.producing && i < p.env.perTick && len(p.unacked) < p.env.window; i++ {
		id := p.next
		p.next += p.env.step
		ev := &Event{ID: id, Account: p.env.accounts[int(id)%len(p.env.accounts)], Amount: id%50 + 1}
		p.unacked[id] = &sentEvent{ev: ev, sentAt: now}
		p.env.produced.Add(1)
		ctx.Request(p.env.ingest, ev) // Request, so ingest knows whom to acknowledge
	}
}

func (p *producer) maybeDrained(ctx actor.Context) {
	if !p.producing && len(p.unacked) == 0 && p.drainTo != nil {
		ctx.Send(p.drainTo, &Drained{Produced: p.env.produced.Load(), Resent: p.env.resent.Load()})
		p.drainTo = nil
	}
}

// startTicker sends *tick to the actor every d until the returned stop function is called; stop
// returns once the ticker's goroutine has exited. (protoactor's scheduler.SendRepeatedly is not
// used: its timer reads its state without synchronisation, which the race detector reports when
// a timer is cancelled while it fires, and it calls the actor's context from the timer goroutine.)
func startTicker(ctx actor.Context, d time.Duration) (stop func()) {
	self, root := ctx.Self(), ctx.ActorSystem().Root
	quit, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(d)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				root.Send(self, &tick{})
			case <-quit:
				return
			}
		}
	}()
	return func() {
		close(quit)
		<-done
	}
}
