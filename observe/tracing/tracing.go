// Package tracing records an OpenTelemetry span for every engine operation,
// following the database semantic conventions (semconv v1.40): span kind
// client, db.system.name "sqlite", db.operation.name, db.namespace,
// db.query.text (opt-in), db.operation.batch.size, db.response.returned_rows,
// db.response.status_code and error.type. Each span is a child of the span
// in the caller's ctx, and operations run with the ctx an observed operation
// gets (Engine.Observe) nest under it.
//
//	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exporter))
//	cfg.Observers = append(cfg.Observers, tracing.New(tracing.Options{TracerProvider: tp}))
package tracing

import (
	"context"
	"errors"
	"strconv"

	"github.com/liteactor/liteactor"
	"github.com/liteactor/liteactor/observe"
	"github.com/ncruces/go-sqlite3"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"
	"go.opentelemetry.io/otel/trace"
)

// ScopeName is the instrumentation scope of the tracer.
const ScopeName = "github.com/liteactor/liteactor/observe/tracing"

// Attribute keys of liteactor's own, beside the semantic conventions.
const (
	AttrKind        = attribute.Key("liteactor.operation.kind")   // what the engine ran: exec, query, write, ...
	AttrArgs        = attribute.Key("liteactor.operation.args")   // argument count
	AttrDetail      = attribute.Key("liteactor.operation.detail") // checkpoint mode, migration version, ...
	AttrActor       = attribute.Key("liteactor.operation.actor")  // true for typed messages to Engine.PID()
	AttrQueueWait   = attribute.Key("liteactor.queue.wait")       // seconds waited for the writer or a reader
	AttrBatchPos    = attribute.Key("liteactor.batch.position")   // position in the group-commit batch
	AttrRowsChanged = attribute.Key("liteactor.rows.changed")     // rows changed by an exec
)

// EventStarted marks, on each span, the moment the writer or a reader took
// the operation: what precedes it is queue wait.
const EventStarted = "liteactor.started"

// Options configures a Tracer.
type Options struct {
	// TracerProvider makes the tracer; nil uses otel.GetTracerProvider().
	TracerProvider trace.TracerProvider
	// QueryText records the SQL as written (parameters unbound) in
	// db.query.text. Off by default: SQL with inline literals may hold
	// personal data.
	QueryText bool
	// Namespace is db.namespace; empty uses Op.DB (the engine's
	// Config.Name).
	Namespace string
}

// Tracer is an Observer that starts a span in Before and ends it in After.
// It never vetoes; its spans for operations another observer vetoed end
// with an error status.
type Tracer struct {
	tracer trace.Tracer
	opts   Options
}

// New returns a Tracer.
func New(opts Options) *Tracer {
	tp := opts.TracerProvider
	if tp == nil {
		tp = otel.GetTracerProvider()
	}
	return &Tracer{tracer: tp.Tracer(ScopeName), opts: opts}
}

// Before starts the operation's span as a child of ctx's and returns the
// ctx holding it.
func (t *Tracer) Before(ctx context.Context, op *liteactor.Op) (context.Context, error) {
	ns := t.opts.Namespace
	if ns == "" {
		ns = op.DB
	}
	attrs := make([]attribute.KeyValue, 0, 8)
	attrs = append(attrs, semconv.DBSystemNameSQLite, semconv.DBOperationName(string(op.Kind)),
		AttrKind.String(string(op.Kind)), AttrArgs.Int(len(op.Args)))
	if ns != "" {
		attrs = append(attrs, semconv.DBNamespace(ns))
	}
	if t.opts.QueryText && op.SQL != "" {
		attrs = append(attrs, semconv.DBQueryText(op.SQL))
	}
	if op.Detail != "" {
		attrs = append(attrs, AttrDetail.String(op.Detail))
	}
	if op.Actor {
		attrs = append(attrs, AttrActor.Bool(true))
	}
	ctx, _ = t.tracer.Start(ctx, string(op.Kind), trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(attrs...))
	return ctx, nil
}

// After records the outcome on the span and ends it.
func (t *Tracer) After(ctx context.Context, op *liteactor.Op, out *liteactor.Outcome) {
	span := trace.SpanFromContext(ctx)
	if !span.IsRecording() {
		span.End()
		return
	}
	if !out.Started.IsZero() {
		span.AddEvent(EventStarted, trace.WithTimestamp(out.Started))
	}
	attrs := make([]attribute.KeyValue, 0, 6)
	if !out.Enqueued.IsZero() {
		attrs = append(attrs, AttrQueueWait.Float64(out.Queued.Seconds()))
	}
	// The conventions reserve db.operation.batch.size for two or more.
	if out.BatchSize >= 2 {
		attrs = append(attrs, semconv.DBOperationBatchSize(out.BatchSize), AttrBatchPos.Int(out.BatchPos))
	}
	switch op.Kind {
	case liteactor.OpQuery:
		if out.Err == nil {
			attrs = append(attrs, semconv.DBResponseReturnedRows(int(out.Rows)))
		}
	case liteactor.OpExec:
		if out.Err == nil {
			attrs = append(attrs, AttrRowsChanged.Int64(out.Rows))
		}
	}
	if err := out.Err; err != nil {
		attrs = append(attrs, semconv.ErrorTypeKey.String(observe.Class(err)))
		var code sqlite3.ErrorCode
		var xcode sqlite3.ExtendedErrorCode
		if errors.As(err, &xcode) {
			attrs = append(attrs, semconv.DBResponseStatusCode(strconv.Itoa(int(xcode))))
		} else if errors.As(err, &code) {
			attrs = append(attrs, semconv.DBResponseStatusCode(strconv.Itoa(int(code))))
		}
		span.RecordError(err)
		span.SetStatus(codes.Error, err.Error())
	}
	span.SetAttributes(attrs...)
	span.End()
}
