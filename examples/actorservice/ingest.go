package main

import (
	"fmt"
	"sync/atomic"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/rs/zerolog"

	"github.com/liteactor/liteactor/messages"
)

// ingestEnv is what the ingest actor shares across restarts: configuration and counters.
type ingestEnv struct {
	db          *actor.PID
	maxBatch    int
	maxInFlight int
	log         zerolog.Logger

	instances atomic.Int64 // ingest instances started: each instance's generation
	restarts  atomic.Int64 // instances replaced after a crash
	batches   atomic.Int64 // batches committed
	committed atomic.Int64 // events in committed batches (resends included)
	failed    atomic.Int64 // batches the engine refused (their events are resent by the producers)
}

// ingest receives events from producers, batches them, stores each batch with one typed
// &messages.Write (atomic: all of a batch or none), and acknowledges the events to their
// producers after the engine replies, that is after COMMIT. It keeps up to maxInFlight batches
// at the engine at once, so the engine's group commit can put several in one transaction.
//
// Its state (buffered events, batches in flight) is soft: a crash loses it, and that loses
// nothing, because a producer resends whatever is not acknowledged and the write deduplicates by
// event id.
type ingest struct {
	env      *ingestEnv
	buf      []pendingEvent
	inFlight int
	armed    bool  // crash on the next event, with work in hand
	gen      int64 // this instance's generation; batchDone from another one is stale
}

type pendingEvent struct {
	ev   *Event
	from *actor.PID
}

// batchDone is what a batch's call child delivers to ingest. A crashed instance's child may
// have delivered it just before the restart stopped it: the new instance then acknowledges the
// batch (it did commit) but does not count it against its own batches in flight.
type batchDone struct {
	gen   int64
	batch []pendingEvent
	err   error
}

func newIngestProps(env *ingestEnv) *actor.Props {
	return actor.PropsFromProducer(func() actor.Actor { return &ingest{env: env} })
}

func (in *ingest) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *Event:
		in.buf = append(in.buf, pendingEvent{ev: m, from: ctx.Sender()})
		if in.armed {
			// Crash in the middle of work: this event is buffered but not written, and the
			// batches in flight will never be acknowledged by this instance.
			panic(fmt.Sprintf("chaos: the ingest actor crashes on purpose holding %d buffered event(s) and %d batch(es) in flight",
				len(in.buf), in.inFlight))
		}
		in.flush(ctx)
	case *actor.Started:
		in.gen = in.env.instances.Add(1)
	case *batchDone:
		if m.gen == in.gen {
			in.inFlight--
		}
		if m.err != nil {
			in.env.failed.Add(1)
			in.env.log.Warn().Str("component", "ingest").Err(m.err).Int("events", len(m.batch)).Msg("batch not stored; producers will resend")
		} else {
			in.env.batches.Add(1)
			in.env.committed.Add(int64(len(m.batch)))
			in.ack(ctx, m.batch)
		}
		in.flush(ctx)
	case *Crash:
		in.armed = true
	case *actor.Restarting:
		in.env.restarts.Add(1)
		in.env.log.Warn().Str("component", "ingest").Int("buffered_events_lost", len(in.buf)).
			Int("batches_in_flight", in.inFlight).Msg("restarting after a crash")
	}
}

// flush sends buffered events to the engine while fewer than maxInFlight batches are there.
func (in *ingest) flush(ctx actor.Context) {
	for len(in.buf) > 0 && in.inFlight < in.env.maxInFlight {
		n := min(len(in.buf), in.env.maxBatch)
		batch := in.buf[:n:n]
		in.buf = in.buf[n:]
		events := make([]*Event, n)
		for i, p := range batch {
			events[i] = p.ev
		}
		in.inFlight++
		gen := in.gen
		ctx.Spawn(callProps(in.env.db, &messages.Write{Fn: applyEvents(events)}, ctx.Self(), func(reply any) any {
			return &batchDone{gen: gen, batch: batch, err: reply.(*messages.Done).Err}
		}))
	}
	if len(in.buf) == 0 {
		in.buf = nil // let the backing array go
	}
}

// ack tells each producer which of its events are stored, one message per producer.
func (in *ingest) ack(ctx actor.Context, batch []pendingEvent) {
	type acks struct {
		to  *actor.PID
		ids []int64
	}
	byProducer := map[string]*acks{}
	for _, p := range batch {
		if p.from == nil {
			continue
		}
		a := byProducer[p.from.String()]
		if a == nil {
			a = &acks{to: p.from}
			byProducer[p.from.String()] = a
		}
		a.ids = append(a.ids, p.ev.ID)
	}
	for _, a := range byProducer {
		ctx.Send(a.to, &Acked{IDs: a.ids})
	}
}
