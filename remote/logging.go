package remote

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/rs/zerolog"
)

// newSystem makes an actor system whose protoactor logs go to log.
func newSystem(log zerolog.Logger) *actor.ActorSystem {
	l := slog.New(slogBridge{zerolog.NewSlogHandler(log.With().Str("component", "protoactor").Logger())})
	return actor.NewActorSystem(actor.WithLoggerFactory(func(*actor.ActorSystem) *slog.Logger { return l }),
		// A dead letter (a late reply, a message to a stopped endpoint)
		// starts a throttle goroutine living this long: keep it short so
		// none outlives Close by much.
		actor.WithDeadLetterThrottleInterval(10*time.Millisecond))
}

// slogBridge routes protoactor's slog output into zerolog. protoactor logs
// an attribute named "message" (the actor message itself, which would also
// put statement arguments in the logs); it collides with zerolog's message
// field, so the bridge renames it and keeps only the value's type.
type slogBridge struct{ slog.Handler }

func actorMessage(a slog.Attr) slog.Attr {
	if a.Key != "message" {
		return a
	}
	v := a.Value.Resolve()
	if v.Kind() == slog.KindString {
		return slog.Attr{Key: "actor_message", Value: v}
	}
	return slog.String("actor_message", fmt.Sprintf("%T", v.Any()))
}

func (b slogBridge) Handle(ctx context.Context, r slog.Record) error {
	renamed := slog.NewRecord(r.Time, r.Level, r.Message, r.PC)
	r.Attrs(func(a slog.Attr) bool {
		renamed.AddAttrs(actorMessage(a))
		return true
	})
	return b.Handler.Handle(ctx, renamed)
}

func (b slogBridge) WithAttrs(as []slog.Attr) slog.Handler {
	for i := range as {
		as[i] = actorMessage(as[i])
	}
	return slogBridge{b.Handler.WithAttrs(as)}
}

func (b slogBridge) WithGroup(name string) slog.Handler { return slogBridge{b.Handler.WithGroup(name)} }
