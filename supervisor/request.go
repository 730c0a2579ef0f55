package supervisor

import (
	"context"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/liteactor/liteactor/actors"
)

// newRequest builds the request of a typed message: its ctx carries the
// message's Deadline, when set (a queued request whose deadline passed
// never runs, a running statement is interrupted), and its completion
// sends build's reply to the message's sender, from whichever goroutine
// completes it, then releases the deadline's timer.
func newRequest(ctx actor.Context, kind actors.Kind, deadline time.Time, build func(*actors.Request) any) *actors.Request {
	sender := ctx.Sender()
	system := ctx.ActorSystem()
	if deadline.IsZero() {
		return actors.NewReplyRequest(context.Background(), kind, func(r *actors.Request) { respond(system, sender, build(r)) })
	}
	rctx, cancel := context.WithDeadline(context.Background(), deadline)
	return actors.NewReplyRequest(rctx, kind, func(r *actors.Request) {
		cancel()
		respond(system, sender, build(r))
	})
}

// expireAt answers r with its ctx's error as soon as the ctx (a message's
// Deadline) ends while r is still queued or parked; cancel is the queue's
// Cancel. Once an actor has taken r, cancel refuses and the actor answers
// (a running statement is interrupted by the same ctx). Requests without a
// deadline have a ctx that never ends: nothing is registered.
func expireAt(r *actors.Request, cancel func(*actors.Request, error) bool) {
	ctx := r.Ctx
	if ctx.Done() == nil {
		return
	}
	context.AfterFunc(ctx, func() {
		if cancel(r, ctx.Err()) {
			r.Reply(r)
		}
	})
}
