package supervisor

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/rs/zerolog"
)

// slogBridge routes protoactor's log/slog output into the engine's zerolog
// logger. protoactor logs an attribute named "message", which would collide
// with zerolog's message field; the bridge renames it to "actor_message"
// rather than changing zerolog's process-wide MessageFieldName. That
// attribute holds the actor message itself (for example a dead letter: a
// messages.Exec sent to a closed engine), whose fields would put statement
// arguments in the logs: the bridge logs only its type.
type slogBridge struct{ slog.Handler }

// actorMessage renames protoactor's "message" attribute and keeps only the
// type of a message value.
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

// NewActorSystem makes an actor system whose protoactor logs go to log
// (component "protoactor", through the bridge above). It is the system an
// engine makes for itself when Config.ActorSystem is nil, and what a
// service or the remote front door can use for its own. protoactor starts a
// goroutine per throttle interval once a dead letter appears (a kick to an
// actor that is restarting or stopped, a late reply); the interval is 10ms
// so that none outlives a Close by more.
func NewActorSystem(log zerolog.Logger) *actor.ActorSystem {
	l := slog.New(slogBridge{zerolog.NewSlogHandler(log.With().Str("component", "protoactor").Logger())})
	return actor.NewActorSystem(
		actor.WithLoggerFactory(func(*actor.ActorSystem) *slog.Logger { return l }),
		actor.WithDeadLetterThrottleInterval(10*time.Millisecond))
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

func (b slogBridge) WithGroup(name string) slog.Handler {
	return slogBridge{b.Handler.WithGroup(name)}
}
