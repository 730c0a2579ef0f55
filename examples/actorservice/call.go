package main

import (
	"github.com/asynkron/protoactor-go/actor"

	"github.com/liteactor/liteactor/messages"
)

// call is a one-shot child actor: it sends one typed request to the engine's front door, turns
// the engine's single reply into the message its owner wants (wrap), delivers that, and stops.
//
// A child per request is how an actor keeps each reply tied to its request (engine replies carry
// no correlation id) without futures: the child's PID is the correlation. It also makes
// restarts safe: when the owner restarts, protoactor stops the owner's children first, so a reply
// to a request made by the crashed instance goes to a dead child and never reaches the new one.
type call struct {
	db      *actor.PID
	req     any
	deliver *actor.PID
	wrap    func(reply any) any
}

func callProps(db *actor.PID, req any, deliver *actor.PID, wrap func(reply any) any) *actor.Props {
	return actor.PropsFromProducer(func() actor.Actor {
		return &call{db: db, req: req, deliver: deliver, wrap: wrap}
	})
}

func (c *call) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *actor.Started:
		ctx.Request(c.db, c.req) // the reply comes back to this child
	case *messages.Done, *messages.ExecResult, *messages.QueryResult:
		if c.deliver != nil {
			ctx.Send(c.deliver, c.wrap(m))
		}
		ctx.Stop(ctx.Self())
	}
}
