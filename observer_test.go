package liteactor_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/liteactor/liteactor"
	"github.com/liteactor/liteactor/internal/enginetest"
	"github.com/liteactor/liteactor/messages"
	"github.com/ncruces/go-sqlite3"
	"github.com/rs/zerolog"
	"go.uber.org/goleak"
)

// obsEvent is one call an obsRecorder saw.
type obsEvent struct {
	who   string
	phase string // "before" or "after"
	op    liteactor.Op
	out   liteactor.Outcome
	ctxOK bool // After got the ctx this observer's Before returned
}

// obsJournal is the shared, ordered record of every observer call.
type obsJournal struct {
	mu     sync.Mutex
	events []obsEvent
}

func (j *obsJournal) add(e obsEvent) {
	j.mu.Lock()
	j.events = append(j.events, e)
	j.mu.Unlock()
}

func (j *obsJournal) snapshot() []obsEvent {
	j.mu.Lock()
	defer j.mu.Unlock()
	return append([]obsEvent(nil), j.events...)
}

// afters returns the After events of one observer, in order.
func (j *obsJournal) afters(who string) []obsEvent {
	var r []obsEvent
	for _, e := range j.snapshot() {
		if e.who == who && e.phase == "after" {
			r = append(r, e)
		}
	}
	return r
}

type obsCtxKey string

// obsRecorder records its calls in a journal, tags the ctx in Before and
// checks it gets the same ctx back in After. veto, if set, is returned from
// Before for ops of vetoKind.
type obsRecorder struct {
	name     string
	j        *obsJournal
	veto     error
	vetoKind liteactor.OpKind
}

func (r *obsRecorder) Before(ctx context.Context, op *liteactor.Op) (context.Context, error) {
	r.j.add(obsEvent{who: r.name, phase: "before", op: *op})
	if r.veto != nil && op.Kind == r.vetoKind {
		return nil, r.veto
	}
	return context.WithValue(ctx, obsCtxKey(r.name), op), nil
}

func (r *obsRecorder) After(ctx context.Context, op *liteactor.Op, out *liteactor.Outcome) {
	r.j.add(obsEvent{who: r.name, phase: "after", op: *op, out: *out, ctxOK: ctx.Value(obsCtxKey(r.name)) == op})
}

func obsOpen(t testing.TB, cfg liteactor.Config) *liteactor.Engine {
	t.Helper()
	eng, err := liteactor.Open(context.Background(), filepath.Join(t.TempDir(), "obs.db"), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return eng
}

func obsClose(t testing.TB, eng *liteactor.Engine) {
	t.Helper()
	if err := eng.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestObserverOrder(t *testing.T) {
	defer goleak.VerifyNone(t)
	j := &obsJournal{}
	cfg := liteactor.MinimalConfig()
	cfg.Name = "orders"
	cfg.Observers = []liteactor.Observer{&obsRecorder{name: "a", j: j}, &obsRecorder{name: "b", j: j}, &obsRecorder{name: "c", j: j}}
	eng := obsOpen(t, cfg)
	ctx := context.Background()

	type call struct {
		kind liteactor.OpKind
		run  func() error
	}
	calls := []call{
		{liteactor.OpExec, func() error { _, err := eng.Exec(ctx, "CREATE TABLE t (v INTEGER)"); return err }},
		{liteactor.OpWrite, func() error {
			return eng.Write(ctx, func(c *sqlite3.Conn) error { return c.Exec("INSERT INTO t VALUES (1)") })
		}},
		{liteactor.OpQuery, func() error { _, err := eng.Query(ctx, "SELECT v FROM t WHERE v > ?", 0); return err }},
		{liteactor.OpRead, func() error { return eng.Read(ctx, func(*sqlite3.Conn) error { return nil }) }},
		{liteactor.OpExclusive, func() error { return eng.Exclusive(ctx, func(c *sqlite3.Conn) error { return c.Exec("VACUUM") }) }},
		{liteactor.OpCheckpoint, func() error { _, err := eng.Checkpoint(ctx, sqlite3.CHECKPOINT_PASSIVE); return err }},
		{liteactor.OpExec, func() error {
			res, err := eng.ActorSystem().Root.RequestFuture(eng.PID(), &messages.Exec{SQL: "INSERT INTO t VALUES (?)", Args: []any{2}}, 10*time.Second).Result()
			if err != nil {
				return err
			}
			return res.(*messages.ExecResult).Err
		}},
		{liteactor.OpQuery, func() error {
			res, err := eng.ActorSystem().Root.RequestFuture(eng.PID(), &messages.Query{SQL: "SELECT v FROM t"}, 10*time.Second).Result()
			if err != nil {
				return err
			}
			return res.(*messages.QueryResult).Err
		}},
	}
	for i, c := range calls {
		n := len(j.snapshot())
		if err := c.run(); err != nil {
			t.Fatalf("call %d (%s): %v", i, c.kind, err)
		}
		// On the actor path After runs on the completing goroutine, just
		// before the reply is sent: wait until all three have been seen.
		enginetest.WaitFor(t, "six observer calls", func() bool { return len(j.snapshot()) >= n+6 })
		got := j.snapshot()[n:]
		var order []string
		for _, e := range got {
			order = append(order, e.phase+":"+e.who)
			if e.op.Kind != c.kind {
				t.Errorf("call %d: %s %s saw kind %q, want %q", i, e.phase, e.who, e.op.Kind, c.kind)
			}
			if e.op.DB != "orders" {
				t.Errorf("call %d: Op.DB = %q, want orders", i, e.op.DB)
			}
			if wantActor := i >= 6; e.op.Actor != wantActor {
				t.Errorf("call %d: Op.Actor = %v, want %v", i, e.op.Actor, wantActor)
			}
			if e.phase == "after" {
				if !e.ctxOK {
					t.Errorf("call %d: %s's After did not get the ctx its Before returned", i, e.who)
				}
				if e.out.Err != nil {
					t.Errorf("call %d: Outcome.Err = %v", i, e.out.Err)
				}
				if e.out.Started.IsZero() || e.out.BatchSize < 1 {
					t.Errorf("call %d: outcome %+v: want Started set and BatchSize >= 1", i, e.out)
				}
			}
		}
		if want := "before:a before:b before:c after:c after:b after:a"; strings.Join(order, " ") != want {
			t.Errorf("call %d (%s): order %q, want %q", i, c.kind, strings.Join(order, " "), want)
		}
	}
	obsClose(t, eng)
	// Close's final TRUNCATE checkpoint is an operation too.
	last := j.afters("a")
	if k := last[len(last)-1]; k.op.Kind != liteactor.OpCheckpoint || k.op.Detail != "TRUNCATE" {
		t.Errorf("last operation %q %q, want Close's TRUNCATE checkpoint", k.op.Kind, k.op.Detail)
	}
}

func TestObserverVeto(t *testing.T) {
	defer goleak.VerifyNone(t)
	j := &obsJournal{}
	errNo := errors.New("not during maintenance")
	cfg := liteactor.MinimalConfig()
	cfg.Observers = []liteactor.Observer{
		&obsRecorder{name: "first", j: j},
		&obsRecorder{name: "guard", j: j, veto: errNo, vetoKind: liteactor.OpWrite},
		&obsRecorder{name: "last", j: j},
	}
	eng := obsOpen(t, cfg)
	defer obsClose(t, eng)
	ctx := context.Background()
	if _, err := eng.Exec(ctx, "CREATE TABLE t (v INTEGER)"); err != nil {
		t.Fatal(err)
	}
	n := len(j.snapshot())

	ran := false
	err := eng.Write(ctx, func(c *sqlite3.Conn) error { ran = true; return c.Exec("INSERT INTO t VALUES (1)") })
	if !errors.Is(err, liteactor.ErrVetoed) || !errors.Is(err, errNo) {
		t.Fatalf("vetoed Write returned %v, want an error wrapping ErrVetoed and the observer's error", err)
	}
	if ran {
		t.Fatal("the vetoed callback ran")
	}
	var order []string
	for _, e := range j.snapshot()[n:] {
		order = append(order, e.phase+":"+e.who)
		if e.phase == "after" && (!errors.Is(e.out.Err, errNo) || !e.out.Started.IsZero()) {
			t.Errorf("After of a vetoed op got %+v, want the veto error and no start", e.out)
		}
	}
	if want := "before:first before:guard after:first"; strings.Join(order, " ") != want {
		t.Errorf("order %q, want %q (observers after the vetoing one are not called)", strings.Join(order, " "), want)
	}

	// The same veto on the typed-message path.
	res, err := eng.ActorSystem().Root.RequestFuture(eng.PID(), &messages.Write{Fn: func(*sqlite3.Conn) error { ran = true; return nil }}, 10*time.Second).Result()
	if err != nil {
		t.Fatal(err)
	}
	if err := res.(*messages.Done).Err; !errors.Is(err, liteactor.ErrVetoed) || !errors.Is(err, errNo) || ran {
		t.Fatalf("vetoed messages.Write: %v (ran %v)", err, ran)
	}

	// Engine.Observe: fn is not called.
	err = eng.Observe(ctx, &liteactor.Op{Kind: liteactor.OpWrite, Detail: "custom"}, func(context.Context, *liteactor.Outcome) error { ran = true; return nil })
	if !errors.Is(err, liteactor.ErrVetoed) || ran {
		t.Fatalf("vetoed Observe: %v (ran %v)", err, ran)
	}

	rows, err := eng.Query(ctx, "SELECT count(*) FROM t")
	if err != nil {
		t.Fatal(err)
	}
	if got := rows.Values[0][0].(int64); got != 0 {
		t.Fatalf("%d rows written by vetoed writes", got)
	}
}

// obsPanicker panics in Before, After or both.
type obsPanicker struct{ before, after bool }

func (p obsPanicker) Before(ctx context.Context, op *liteactor.Op) (context.Context, error) {
	if p.before {
		panic("boom before")
	}
	return ctx, nil
}

func (p obsPanicker) After(ctx context.Context, op *liteactor.Op, out *liteactor.Outcome) {
	if p.after {
		panic(fmt.Errorf("boom after %s", op.Kind))
	}
}

// obsSyncBuffer is a goroutine-safe log sink.
type obsSyncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *obsSyncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *obsSyncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestObserverPanicIsRecovered(t *testing.T) {
	defer goleak.VerifyNone(t)
	j := &obsJournal{}
	logs := &obsSyncBuffer{}
	cfg := liteactor.MinimalConfig()
	cfg.Logger = zerolog.New(logs)
	cfg.Observers = []liteactor.Observer{&obsRecorder{name: "outer", j: j}, obsPanicker{before: true, after: true}, &obsRecorder{name: "inner", j: j}}
	eng := obsOpen(t, cfg)
	ctx := context.Background()
	if _, err := eng.Exec(ctx, "CREATE TABLE t (v INTEGER)"); err != nil {
		t.Fatalf("Exec with a panicking observer: %v", err)
	}
	for i := range 50 {
		if _, err := eng.Exec(ctx, "INSERT INTO t VALUES (?)", i); err != nil {
			t.Fatal(err)
		}
	}
	rows, err := eng.Query(ctx, "SELECT count(*) FROM t")
	if err != nil {
		t.Fatal(err)
	}
	if got := rows.Values[0][0].(int64); got != 50 {
		t.Fatalf("count %d, want 50", got)
	}
	res, err := eng.ActorSystem().Root.RequestFuture(eng.PID(), &messages.Exec{SQL: "INSERT INTO t VALUES (0)"}, 10*time.Second).Result()
	if err != nil || res.(*messages.ExecResult).Err != nil {
		t.Fatalf("actor Exec with a panicking observer: %v %v", err, res)
	}
	obsClose(t, eng)
	// Both neighbours saw every operation, in spite of the panics.
	if a, b := len(j.afters("outer")), len(j.afters("inner")); a != b || a < 53 {
		t.Errorf("outer saw %d operations and inner %d; want the same, at least 53", a, b)
	}
	out := logs.String()
	for _, want := range []string{`"component":"observer"`, `"phase":"before"`, `"phase":"after"`, `boom before`, `boom after exec`, `liteactor_test.obsPanicker`} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %s:\n%.2000s", want, out)
		}
	}
}

func TestObserverFigures(t *testing.T) {
	defer goleak.VerifyNone(t)
	j := &obsJournal{}
	cfg := liteactor.MinimalConfig()
	cfg.Observers = []liteactor.Observer{&obsRecorder{name: "r", j: j}}
	eng := obsOpen(t, cfg)
	defer obsClose(t, eng)
	ctx := context.Background()
	if _, err := eng.Exec(ctx, "CREATE TABLE t (v INTEGER, s TEXT)"); err != nil {
		t.Fatal(err)
	}

	// Queue wait against execution time: op 1 holds the writer; op 2 waits
	// in the queue for as long as op 1 runs.
	release := enginetest.HoldWriter(t, eng)
	heldFrom := time.Now() // the holding callback began before this
	done := make(chan error, 1)
	go func() {
		_, err := eng.Exec(ctx, "INSERT INTO t VALUES (?, ?)", 1, "one")
		done <- err
	}()
	enginetest.WaitFor(t, "the second write to queue", func() bool { return eng.Stats().QueueDepth == 1 })
	queuedBy := time.Now() // op 2 was enqueued before this
	// A fixed hold the figures must reflect (not a wait for an event).
	time.Sleep(20 * time.Millisecond)
	releasedAt := time.Now()
	release()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	var hold, second obsEvent
	for _, e := range j.afters("r") {
		switch {
		case e.op.Kind == liteactor.OpWrite:
			hold = e
		case e.op.Kind == liteactor.OpExec && strings.HasPrefix(e.op.SQL, "INSERT"):
			second = e
		}
	}
	if min := releasedAt.Sub(queuedBy); second.out.Queued < min {
		t.Errorf("second op queued %v, want >= %v (the time the writer was held after it queued)", second.out.Queued, min)
	}
	if min := releasedAt.Sub(heldFrom); hold.out.Executing < min {
		t.Errorf("holding op executed %v, want >= %v", hold.out.Executing, min)
	}
	if !second.out.Started.After(releasedAt) && !second.out.Started.Equal(releasedAt) {
		t.Errorf("second op started %v, before the writer was released at %v", second.out.Started, releasedAt)
	}
	if got := second.out.Started.Sub(second.out.Enqueued); got != second.out.Queued {
		t.Errorf("Queued %v != Started-Enqueued %v", second.out.Queued, got)
	}
	if second.out.Rows != 1 || len(second.op.Args) != 2 || second.op.SQL != "INSERT INTO t VALUES (?, ?)" || second.out.BatchSize != 1 {
		t.Errorf("second op: %+v / %+v", second.op, second.out)
	}

	// Batch size and position: three writes queued behind a held writer
	// commit together.
	release = enginetest.HoldWriter(t, eng)
	errs := make(chan error, 3)
	for i := range 3 {
		go func() {
			_, err := eng.Exec(ctx, "INSERT INTO t VALUES (?, 'batch')", 10+i)
			errs <- err
		}()
		enginetest.WaitFor(t, "write queued", func() bool { return eng.Stats().QueueDepth == i+1 })
	}
	release()
	for range 3 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	pos := map[int]bool{}
	for _, e := range j.afters("r") {
		if len(e.op.Args) == 1 && strings.Contains(e.op.SQL, "'batch'") {
			if e.out.BatchSize != 3 {
				t.Errorf("batched op BatchSize %d, want 3", e.out.BatchSize)
			}
			pos[e.out.BatchPos] = true
		}
	}
	if len(pos) != 3 || !pos[0] || !pos[1] || !pos[2] {
		t.Errorf("batch positions %v, want 0, 1, 2", pos)
	}

	// Rows returned, rows affected, errors.
	if _, err := eng.Query(ctx, "SELECT v FROM t"); err != nil {
		t.Fatal(err)
	}
	if _, err := eng.Exec(ctx, "UPDATE t SET s = 'x' WHERE v >= ?", 10); err != nil {
		t.Fatal(err)
	}
	_, qerr := eng.Query(ctx, "SELECT nope FROM t")
	as := j.afters("r")
	q, u, bad := as[len(as)-3], as[len(as)-2], as[len(as)-1]
	if q.out.Rows != 4 || q.op.Kind != liteactor.OpQuery {
		t.Errorf("query outcome rows %d, want 4", q.out.Rows)
	}
	if u.out.Rows != 3 || u.op.Kind != liteactor.OpExec {
		t.Errorf("update outcome rows %d, want 3", u.out.Rows)
	}
	if qerr == nil || bad.out.Err != qerr || !errors.Is(bad.out.Err, sqlite3.ERROR) {
		t.Errorf("failed query: outcome err %v, caller got %v", bad.out.Err, qerr)
	}
}

func TestObserverQueuedButNeverRan(t *testing.T) {
	defer goleak.VerifyNone(t)
	j := &obsJournal{}
	cfg := liteactor.MinimalConfig()
	cfg.Observers = []liteactor.Observer{&obsRecorder{name: "r", j: j}}
	eng := obsOpen(t, cfg)
	defer obsClose(t, eng)
	release := enginetest.HoldWriter(t, eng)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := eng.Exec(ctx, "CREATE TABLE never (v)")
		done <- err
	}()
	enginetest.WaitFor(t, "write queued", func() bool { return eng.Stats().QueueDepth == 1 })
	cancel()
	err := <-done
	release()
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled Exec: %v", err)
	}
	var got obsEvent
	for _, e := range j.afters("r") {
		if e.op.SQL == "CREATE TABLE never (v)" {
			got = e
		}
	}
	if !errors.Is(got.out.Err, context.Canceled) || !got.out.Started.IsZero() || got.out.Enqueued.IsZero() || got.out.BatchSize != 0 || got.out.Queued <= 0 {
		t.Errorf("outcome of a cancelled queued op: %+v", got.out)
	}
}

func TestObserverEngineObserve(t *testing.T) {
	defer goleak.VerifyNone(t)
	j := &obsJournal{}
	cfg := liteactor.MinimalConfig()
	cfg.Name = "app"
	cfg.Observers = []liteactor.Observer{&obsRecorder{name: "r", j: j}}
	eng := obsOpen(t, cfg)
	defer obsClose(t, eng)
	errMig := errors.New("migration failed")
	var inner context.Context
	err := eng.Observe(context.Background(), &liteactor.Op{Kind: liteactor.OpKind("migrate"), Detail: "1.2.0"}, func(ctx context.Context, out *liteactor.Outcome) error {
		inner = ctx
		// Engine calls made with ctx nest under the migration.
		if _, err := eng.Exec(ctx, "CREATE TABLE m (v)"); err != nil {
			return err
		}
		out.Rows = 7
		return errMig
	})
	if err != errMig {
		t.Fatalf("Observe returned %v, want fn's error unchanged", err)
	}
	if inner.Value(obsCtxKey("r")) == nil {
		t.Error("fn did not get the observers' ctx")
	}
	as := j.afters("r")
	if len(as) != 2 || as[0].op.Kind != liteactor.OpExec || as[1].op.Kind != liteactor.OpKind("migrate") {
		t.Fatalf("afters %+v, want the nested exec then the migration", as)
	}
	m := as[1]
	if m.op.DB != "app" || m.op.Detail != "1.2.0" || m.out.Rows != 7 || m.out.Err != errMig || m.out.Started.IsZero() || m.out.Executing < as[0].out.Executing {
		t.Errorf("migration op %+v outcome %+v", m.op, m.out)
	}

	// Without observers Observe just runs fn.
	plain := obsOpen(t, liteactor.MinimalConfig())
	called := false
	if err := plain.Observe(context.Background(), &liteactor.Op{Kind: liteactor.OpKind("backup")}, func(context.Context, *liteactor.Outcome) error { called = true; return nil }); err != nil || !called {
		t.Errorf("Observe without observers: %v, called %v", err, called)
	}
	obsClose(t, plain)
}

func TestObserverNilIsInvalidConfig(t *testing.T) {
	defer goleak.VerifyNone(t)
	cfg := liteactor.MinimalConfig()
	cfg.Observers = []liteactor.Observer{&obsRecorder{name: "ok", j: &obsJournal{}}, nil}
	_, err := liteactor.Open(context.Background(), filepath.Join(t.TempDir(), "x.db"), cfg)
	if !errors.Is(err, liteactor.ErrInvalidConfig) || !strings.Contains(err.Error(), "Observers[1]") {
		t.Fatalf("Open with a nil observer: %v", err)
	}
}
