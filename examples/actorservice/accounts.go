package main

import (
	"github.com/asynkron/protoactor-go/actor"

	"github.com/liteactor/liteactor/messages"
)

// accounts serves transfers and summaries. It holds no state of its own: every answer comes
// from the database, through typed messages to the engine, so a restart of this actor loses
// nothing either.
type accounts struct {
	db *actor.PID
}

func newAccountsProps(db *actor.PID) *actor.Props {
	return actor.PropsFromProducer(func() actor.Actor { return &accounts{db: db} })
}

func (a *accounts) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *Transfer:
		t := *m
		applied := new(bool)
		ctx.Spawn(callProps(a.db, &messages.Write{Fn: applyTransfer(&t, applied)}, ctx.Sender(), func(reply any) any {
			err := reply.(*messages.Done).Err
			return &TransferResult{ID: t.ID, Applied: err == nil && *applied, Err: err}
		}))
	case *GetSummary:
		s := &Summary{}
		ctx.Spawn(callProps(a.db, &messages.Read{Fn: readSummary(s)}, ctx.Sender(), func(reply any) any {
			s.Err = reply.(*messages.Done).Err
			return s
		}))
	}
}
