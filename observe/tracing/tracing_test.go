package tracing_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/liteactor/liteactor"
	"github.com/liteactor/liteactor/internal/enginetest"
	"github.com/liteactor/liteactor/messages"
	"github.com/liteactor/liteactor/observe/tracing"
	"github.com/ncruces/go-sqlite3"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// setup returns an engine traced into an in-memory exporter, and a tracer
// for the test's own parent spans.
func setup(t *testing.T, opts tracing.Options, more ...liteactor.Observer) (*liteactor.Engine, *tracetest.InMemoryExporter, trace.Tracer) {
	t.Helper()
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	t.Cleanup(func() { tp.Shutdown(context.Background()) })
	opts.TracerProvider = tp
	cfg := liteactor.MinimalConfig()
	cfg.Name = "shop"
	cfg.Observers = append([]liteactor.Observer{tracing.New(opts)}, more...)
	eng, err := liteactor.Open(context.Background(), filepath.Join(t.TempDir(), "trace.db"), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := eng.Close(context.Background()); err != nil {
			t.Error(err)
		}
	})
	return eng, exp, tp.Tracer("test")
}

func attrs(s tracetest.SpanStub) map[attribute.Key]attribute.Value {
	m := map[attribute.Key]attribute.Value{}
	for _, kv := range s.Attributes {
		m[kv.Key] = kv.Value
	}
	return m
}

// spanNamed returns the last ended span with that name.
func spanNamed(t *testing.T, exp *tracetest.InMemoryExporter, name string) tracetest.SpanStub {
	t.Helper()
	spans := exp.GetSpans()
	for i := len(spans) - 1; i >= 0; i-- {
		if spans[i].Name == name {
			return spans[i]
		}
	}
	t.Fatalf("no span %q among %d", name, len(spans))
	return tracetest.SpanStub{}
}

func TestSpansFollowConventionsAndParentOnCallerCtx(t *testing.T) {
	eng, exp, tr := setup(t, tracing.Options{})
	ctx, parent := tr.Start(context.Background(), "handle request")
	if _, err := eng.Exec(ctx, "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT)"); err != nil {
		t.Fatal(err)
	}
	if _, err := eng.Exec(ctx, "INSERT INTO items (name) VALUES (?), (?)", "secret-a", "b"); err != nil {
		t.Fatal(err)
	}
	if _, err := eng.Query(ctx, "SELECT * FROM items"); err != nil {
		t.Fatal(err)
	}
	parent.End()

	exec := spanNamed(t, exp, "exec")
	query := spanNamed(t, exp, "query")
	for _, s := range []tracetest.SpanStub{exec, query} {
		if s.Parent.SpanID() != parent.SpanContext().SpanID() || s.SpanContext.TraceID() != parent.SpanContext().TraceID() {
			t.Errorf("%s span is not a child of the caller's span", s.Name)
		}
		if s.SpanKind != trace.SpanKindClient {
			t.Errorf("%s span kind %v", s.Name, s.SpanKind)
		}
		if s.InstrumentationScope.Name != tracing.ScopeName {
			t.Errorf("scope %q", s.InstrumentationScope.Name)
		}
		a := attrs(s)
		if a["db.system.name"].AsString() != "sqlite" || a["db.operation.name"].AsString() != s.Name || a["db.namespace"].AsString() != "shop" {
			t.Errorf("%s attributes %v", s.Name, a)
		}
		if _, ok := a["db.query.text"]; ok {
			t.Errorf("db.query.text recorded without opting in")
		}
		if len(s.Events) != 1 || s.Events[0].Name != tracing.EventStarted || s.Events[0].Time.Before(s.StartTime) || s.Events[0].Time.After(s.EndTime) {
			t.Errorf("%s events %+v", s.Name, s.Events)
		}
		if _, ok := a[tracing.AttrQueueWait]; !ok {
			t.Errorf("%s lacks queue wait", s.Name)
		}
		if s.Status.Code != codes.Unset {
			t.Errorf("%s status %v", s.Name, s.Status)
		}
	}
	if a := attrs(exec); a[tracing.AttrArgs].AsInt64() != 2 || a[tracing.AttrRowsChanged].AsInt64() != 2 {
		t.Errorf("exec attributes %v", a)
	}
	if a := attrs(query); a["db.response.returned_rows"].AsInt64() != 2 {
		t.Errorf("query attributes %v", a)
	}
}

func TestSpanQueryTextOptIn(t *testing.T) {
	eng, exp, _ := setup(t, tracing.Options{QueryText: true, Namespace: "main"})
	if _, err := eng.Query(context.Background(), "SELECT ?", 1); err != nil {
		t.Fatal(err)
	}
	a := attrs(spanNamed(t, exp, "query"))
	if a["db.query.text"].AsString() != "SELECT ?" || a["db.namespace"].AsString() != "main" {
		t.Errorf("attributes %v", a)
	}
}

func TestSpanErrors(t *testing.T) {
	errNo := errors.New("maintenance")
	veto := vetoer{kind: liteactor.OpExclusive, err: errNo}
	eng, exp, _ := setup(t, tracing.Options{}, veto)
	ctx := context.Background()
	if _, err := eng.Exec(ctx, "CREATE TABLE t (id INTEGER PRIMARY KEY)"); err != nil {
		t.Fatal(err)
	}
	if _, err := eng.Exec(ctx, "INSERT INTO t VALUES (1)"); err != nil {
		t.Fatal(err)
	}
	_, err := eng.Exec(ctx, "INSERT INTO t VALUES (1)")
	if !errors.Is(err, sqlite3.CONSTRAINT) {
		t.Fatal(err)
	}
	s := spanNamed(t, exp, "exec")
	a := attrs(s)
	if s.Status.Code != codes.Error || a["error.type"].AsString() != "sqlite_constraint" || a["db.response.status_code"].AsString() != "1555" {
		t.Errorf("constraint span status %v attributes %v", s.Status, a)
	}
	if len(s.Events) != 2 || s.Events[1].Name != "exception" {
		t.Errorf("constraint span events %+v, want started and the recorded error", s.Events)
	}

	if err := eng.Exclusive(ctx, func(*sqlite3.Conn) error { return nil }); !errors.Is(err, errNo) {
		t.Fatal(err)
	}
	v := spanNamed(t, exp, "exclusive")
	if v.Status.Code != codes.Error || attrs(v)["error.type"].AsString() != "vetoed" || len(v.Events) != 1 {
		t.Errorf("vetoed span %v %v %+v", v.Status, attrs(v), v.Events)
	}
}

type vetoer struct {
	kind liteactor.OpKind
	err  error
}

func (v vetoer) Before(ctx context.Context, op *liteactor.Op) (context.Context, error) {
	if op.Kind == v.kind {
		return ctx, v.err
	}
	return ctx, nil
}

func (vetoer) After(context.Context, *liteactor.Op, *liteactor.Outcome) {}

func TestSpanBatchAndNesting(t *testing.T) {
	eng, exp, _ := setup(t, tracing.Options{})
	ctx := context.Background()
	// A migration reported through Engine.Observe; the writes it makes nest
	// under it and commit as one group of three.
	err := eng.Observe(ctx, &liteactor.Op{Kind: liteactor.OpKind("migrate"), Detail: "1.0.0"}, func(ctx context.Context, _ *liteactor.Outcome) error {
		if _, err := eng.Exec(ctx, "CREATE TABLE t (v)"); err != nil {
			return err
		}
		gate, in, held := make(chan struct{}), make(chan struct{}), make(chan error, 1)
		go func() {
			held <- eng.Write(ctx, func(*sqlite3.Conn) error { close(in); <-gate; return nil })
		}()
		<-in
		errs := make(chan error, 3)
		for i := range 3 {
			go func() { _, err := eng.Exec(ctx, "INSERT INTO t VALUES (?)", i); errs <- err }()
			if enginetest.Poll(enginetest.Timeout, func() bool { return eng.Stats().QueueDepth == i+1 }) != nil {
				return errors.New("write never queued")
			}
		}
		close(gate)
		for range 3 {
			if err := <-errs; err != nil {
				return err
			}
		}
		return <-held
	})
	if err != nil {
		t.Fatal(err)
	}
	mig := spanNamed(t, exp, "migrate")
	if attrs(mig)[tracing.AttrDetail].AsString() != "1.0.0" || mig.Parent.IsValid() {
		t.Errorf("migrate span %v parent %v", attrs(mig), mig.Parent)
	}
	batched := map[int64]bool{}
	for _, s := range exp.GetSpans() {
		if s.Name != "exec" && s.Name != "write" {
			continue
		}
		if s.Parent.SpanID() != mig.SpanContext.SpanID() {
			t.Errorf("%s span not nested under the migration", s.Name)
		}
		a := attrs(s)
		if a[tracing.AttrArgs].AsInt64() == 1 {
			if a["db.operation.batch.size"].AsInt64() != 3 {
				t.Errorf("batched insert attributes %v", a)
			}
			batched[a[tracing.AttrBatchPos].AsInt64()] = true
		} else if _, ok := a["db.operation.batch.size"]; ok {
			t.Errorf("%s ran alone but has db.operation.batch.size", s.Name)
		}
	}
	if len(batched) != 3 {
		t.Errorf("batch positions %v, want 0, 1, 2", batched)
	}
}

func TestSpanForTypedMessage(t *testing.T) {
	eng, exp, _ := setup(t, tracing.Options{})
	res, err := eng.ActorSystem().Root.RequestFuture(eng.PID(), &messages.Query{SQL: "SELECT 1"}, 10*time.Second).Result()
	if err != nil || res.(*messages.QueryResult).Err != nil {
		t.Fatal(err, res)
	}
	s := spanNamed(t, exp, "query")
	if !attrs(s)[tracing.AttrActor].AsBool() || s.Parent.IsValid() {
		t.Errorf("actor query span %v", attrs(s))
	}
}

func TestCheckpointSpan(t *testing.T) {
	eng, exp, tr := setup(t, tracing.Options{})
	// A write first: a Checkpoint straight after Open can find the writer
	// not yet started ("writer not running", an engine race).
	if _, err := eng.Exec(context.Background(), "CREATE TABLE t (v)"); err != nil {
		t.Fatal(err)
	}
	ctx, parent := tr.Start(context.Background(), "maintenance")
	if _, err := eng.Checkpoint(ctx, sqlite3.CHECKPOINT_TRUNCATE); err != nil {
		t.Fatal(err)
	}
	parent.End()
	s := spanNamed(t, exp, "checkpoint")
	if attrs(s)[tracing.AttrDetail].AsString() != "TRUNCATE" || s.Parent.SpanID() != parent.SpanContext().SpanID() || len(s.Events) != 1 {
		t.Errorf("checkpoint span %v %+v", attrs(s), s)
	}
}
