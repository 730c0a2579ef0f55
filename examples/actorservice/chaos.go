package main

import (
	"github.com/asynkron/protoactor-go/actor"
	"github.com/ncruces/go-sqlite3"

	"github.com/liteactor/liteactor/messages"
)

// chaos crashes one actor on each side of the typed-message boundary, on request:
//   - the service's ingest actor (it panics on *Crash; its supervisor, the service actor,
//     restarts it);
//   - the engine's writer and one of its readers, by sending callbacks that panic. The engine
//     answers each with an error wrapping liteactor.ErrPanic and replaces the crashed actor's
//     connection; the other writes and reads in flight are not affected.
type chaos struct {
	db, ingest *actor.PID
	requester  *actor.PID
	report     ChaosReport
	pending    int
}

type chaosDone struct {
	side string
	err  error
}

func newChaosProps(db, ingest *actor.PID) *actor.Props {
	return actor.PropsFromProducer(func() actor.Actor { return &chaos{db: db, ingest: ingest} })
}

func (c *chaos) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *Unleash:
		c.requester, c.report, c.pending = ctx.Sender(), ChaosReport{}, 2
		ctx.Send(c.ingest, &Crash{})
		boom := func(side string) func(*sqlite3.Conn) error {
			return func(*sqlite3.Conn) error { panic("chaos: a " + side + " callback panics on purpose") }
		}
		wrap := func(side string) func(any) any {
			return func(reply any) any { return &chaosDone{side: side, err: reply.(*messages.Done).Err} }
		}
		ctx.Spawn(callProps(c.db, &messages.Write{Fn: boom("writer")}, ctx.Self(), wrap("writer")))
		ctx.Spawn(callProps(c.db, &messages.Read{Fn: boom("reader")}, ctx.Self(), wrap("reader")))
	case *chaosDone:
		if m.side == "writer" {
			c.report.WriterErr = m.err
		} else {
			c.report.ReaderErr = m.err
		}
		if c.pending--; c.pending == 0 && c.requester != nil {
			report := c.report
			ctx.Send(c.requester, &report)
			c.requester = nil
		}
	}
}
