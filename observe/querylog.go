package observe

import (
	"context"
	"encoding/hex"
	"fmt"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/liteactor/liteactor"
	"github.com/rs/zerolog"
)

// QueryLogOptions configures a QueryLogger. The zero value logs every
// operation at debug level with its SQL cut to 200 bytes and no argument
// values.
type QueryLogOptions struct {
	// Slow: an operation whose execution time (Outcome.Executing) reaches
	// Slow is logged at warn level instead of debug. 0 disables.
	Slow time.Duration
	// MaxSQL is how many bytes of SQL are logged (cut at a character
	// boundary, marked with "…"); 0 means 200, negative logs no SQL.
	MaxSQL int
	// LogArgs logs argument values: strings cut to MaxArg bytes, blobs as
	// their length and first bytes in hex. Off by default: values may be
	// personal data or secrets. Without it only the argument count is
	// logged.
	LogArgs bool
	// MaxArg bounds each logged string or blob argument; 0 means 64 bytes.
	MaxArg int
	// ErrorLevel is the level of failed operations that are not slow. The
	// zero value is zerolog.DebugLevel, like every other operation.
	ErrorLevel zerolog.Level
}

// QueryLogger is an Observer that writes one zerolog event per operation:
// debug normally, warn when slow, with fields component=query, op (kind),
// sql, args (count), rows, batch, pos, queued, duration, error. It never
// vetoes. When the logger's level filters an event out, After costs a level
// check and nothing else.
type QueryLogger struct {
	log  zerolog.Logger
	opts QueryLogOptions
}

// NewQueryLogger returns a QueryLogger writing to log.
func NewQueryLogger(log zerolog.Logger, opts QueryLogOptions) *QueryLogger {
	if opts.MaxSQL == 0 {
		opts.MaxSQL = 200
	}
	if opts.MaxArg <= 0 {
		opts.MaxArg = 64
	}
	return &QueryLogger{log: log.With().Str("component", "query").Logger(), opts: opts}
}

// Before lets every operation through.
func (l *QueryLogger) Before(ctx context.Context, _ *liteactor.Op) (context.Context, error) {
	return ctx, nil
}

// After logs the operation.
func (l *QueryLogger) After(_ context.Context, op *liteactor.Op, out *liteactor.Outcome) {
	var ev *zerolog.Event
	switch {
	case l.opts.Slow > 0 && out.Executing >= l.opts.Slow:
		ev = l.log.Warn().Bool("slow", true)
	case out.Err != nil:
		ev = l.log.WithLevel(l.opts.ErrorLevel)
	default:
		ev = l.log.Debug()
	}
	if ev == nil { // filtered out by level
		return
	}
	ev = ev.Str("op", string(op.Kind))
	if op.Detail != "" {
		ev = ev.Str("detail", op.Detail)
	}
	if op.SQL != "" && l.opts.MaxSQL > 0 {
		ev = ev.Str("sql", truncate(op.SQL, l.opts.MaxSQL))
	}
	ev = ev.Int("args", len(op.Args))
	if l.opts.LogArgs && len(op.Args) > 0 {
		arr := zerolog.Arr()
		for _, a := range op.Args {
			arr = arr.Str(l.formatArg(a))
		}
		ev = ev.Array("arg_values", arr)
	}
	if op.Actor {
		ev = ev.Bool("actor", true)
	}
	ev = ev.Int64("rows", out.Rows).Int("batch", out.BatchSize).Int("pos", out.BatchPos).
		Dur("queued", out.Queued).Dur("duration", out.Executing)
	if out.Err != nil {
		ev = ev.Str("class", Class(out.Err)).Err(out.Err)
	}
	ev.Msg("sqlite operation")
}

func (l *QueryLogger) formatArg(a any) string {
	switch v := a.(type) {
	case nil:
		return "NULL"
	case string:
		return truncate(v, l.opts.MaxArg)
	case []byte:
		n := min(len(v), l.opts.MaxArg/2)
		s := "x'" + hex.EncodeToString(v[:n])
		if n < len(v) {
			s += "…"
		}
		return s + "' (" + strconv.Itoa(len(v)) + " bytes)"
	case time.Time:
		return v.Format(time.RFC3339Nano)
	}
	return fmt.Sprint(a)
}

// truncate cuts s to at most n bytes at a character boundary, marking the
// cut with "…".
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
