package liteactor

import (
	"context"
	"log/slog"

	"github.com/rs/zerolog"
)

// slogBridge routes protoactor's log/slog output into the engine's zerolog
// logger. protoactor logs an attribute named "message", which would collide
// with zerolog's message field; the bridge renames it to "actor_message"
// rather than changing zerolog's process-wide MessageFieldName.
type slogBridge struct{ slog.Handler }

func newSlogLogger(l zerolog.Logger) *slog.Logger {
	return slog.New(slogBridge{zerolog.NewSlogHandler(l.With().Str("component", "protoactor").Logger())})
}

func (b slogBridge) Handle(ctx context.Context, r slog.Record) error {
	renamed := slog.NewRecord(r.Time, r.Level, r.Message, r.PC)
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "message" {
			a.Key = "actor_message"
		}
		renamed.AddAttrs(a)
		return true
	})
	return b.Handler.Handle(ctx, renamed)
}

func (b slogBridge) WithAttrs(as []slog.Attr) slog.Handler {
	for i := range as {
		if as[i].Key == "message" {
			as[i].Key = "actor_message"
		}
	}
	return slogBridge{b.Handler.WithAttrs(as)}
}

func (b slogBridge) WithGroup(name string) slog.Handler {
	return slogBridge{b.Handler.WithGroup(name)}
}
