package supervisor

import (
	"fmt"
	"reflect"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/liteactor/liteactor/actors"
	"github.com/liteactor/liteactor/messages"
	"github.com/rs/zerolog"
)

// refuse answers a typed-message request that cannot run
// (actors.ValidateRequest: a nil callback, a NUL byte in SQL) with its
// error; true when it did.
func refuse(r *actors.Request) bool {
	err := actors.ValidateRequest(r)
	if err == nil {
		return false
	}
	r.Err = err
	r.Reply(r)
	return true
}

// refuseUnknown answers, when there is a sender, a message the front door
// does not take: a request sent by value instead of by pointer (the reply
// is the request's own reply type) or of an unknown type (*messages.Done).
// The error wraps ErrInvalidArg and names the type. protoactor's own
// messages (lifecycle, system) are not answered.
func refuseUnknown(ctx actor.Context, msg any, log zerolog.Logger) {
	if _, ok := msg.(actor.AutoReceiveMessage); ok {
		return
	}
	if _, ok := msg.(actor.SystemMessage); ok {
		return
	}
	sender := ctx.Sender()
	if sender == nil {
		log.Warn().Str("component", "supervisor").Str("op", "receive").Str("type", fmt.Sprintf("%T", msg)).
			Msg("front door ignored a message it does not take (no sender to tell)")
		return
	}
	var reply any
	switch msg.(type) {
	case messages.Exec:
		reply = &messages.ExecResult{Err: byValue(msg)}
	case messages.Query:
		reply = &messages.QueryResult{Err: byValue(msg)}
	case messages.Write, messages.Exclusive, messages.Read:
		reply = &messages.Done{Err: byValue(msg)}
	case messages.Checkpoint:
		reply = &messages.CheckpointResult{Err: byValue(msg)}
	default:
		reply = &messages.Done{Err: fmt.Errorf("%w: the engine's front door does not take %T (see package messages)", actors.ErrInvalidArg, msg)}
	}
	respond(ctx.ActorSystem(), sender, reply)
}

func byValue(msg any) error {
	name := reflect.TypeOf(msg).String()
	return fmt.Errorf("%w: %s sent by value: send &%s", actors.ErrInvalidArg, name, name)
}
