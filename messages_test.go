package liteactor_test

import (
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/liteactor/liteactor"
	"github.com/liteactor/liteactor/internal/enginetest"
	"github.com/liteactor/liteactor/messages"
	"github.com/ncruces/go-sqlite3"
)

// service is a stand-in for a service's own actor: it sends each request
// to the engine and forwards every reply it receives to out.
type service struct {
	eng *liteactor.Engine
	out chan any
}

type send struct{ msg any }

func (s *service) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *send:
		ctx.Request(s.eng.PID(), m.msg)
	case *messages.ExecResult, *messages.QueryResult, *messages.Done, *messages.Stats, *messages.CheckpointResult:
		s.out <- m
	}
}

func ask(t *testing.T, system *actor.ActorSystem, svc *actor.PID, out chan any, msg any) any {
	t.Helper()
	system.Root.Send(svc, &send{msg})
	select {
	case r := <-out:
		return r
	case <-time.After(10 * time.Second):
		t.Fatalf("no reply to %T", msg)
		return nil
	}
}

func TestTypedMessagesFromServiceActor(t *testing.T) {
	system := actor.NewActorSystem()
	defer system.Shutdown()
	cfg := liteactor.DefaultConfig()
	cfg.ActorSystem = system // the engine lives in the service's actor system
	e, err := liteactor.Open(context.Background(), filepath.Join(t.TempDir(), "m.db"), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close(context.Background())
	out := make(chan any, 1)
	svc := system.Root.Spawn(actor.PropsFromProducer(func() actor.Actor { return &service{eng: e, out: out} }))
	defer func() { system.Root.StopFuture(svc).Wait() }()

	if r := ask(t, system, svc, out, &messages.Exec{SQL: "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT)"}).(*messages.ExecResult); r.Err != nil {
		t.Fatal(r.Err)
	}
	r := ask(t, system, svc, out, &messages.Exec{SQL: "INSERT INTO t(v) VALUES (?)", Args: []any{"a"}}).(*messages.ExecResult)
	if r.Err != nil || r.RowsAffected != 1 || r.LastInsertID != 1 {
		t.Fatalf("Exec reply %+v", r)
	}
	d := ask(t, system, svc, out, &messages.Write{Fn: func(c *sqlite3.Conn) error {
		return c.Exec("INSERT INTO t(v) VALUES ('b')")
	}}).(*messages.Done)
	if d.Err != nil {
		t.Fatal(d.Err)
	}
	q := ask(t, system, svc, out, &messages.Query{SQL: "SELECT v FROM t ORDER BY id"}).(*messages.QueryResult)
	if q.Err != nil || len(q.Rows) != 2 || q.Rows[1][0] != "b" || q.Columns[0] != "v" {
		t.Fatalf("Query reply %+v", q)
	}
	var n int
	d = ask(t, system, svc, out, &messages.Read{Fn: func(c *sqlite3.Conn) error {
		s, _, err := c.Prepare("SELECT count(*) FROM t")
		if err != nil {
			return err
		}
		defer s.Close()
		s.Step()
		n = s.ColumnInt(0)
		return s.Err()
	}}).(*messages.Done)
	if d.Err != nil || n != 2 {
		t.Fatalf("Read reply %+v, count %d", d, n)
	}
	// Error replies: SQLite's error, a bad argument, a refused checkpoint mode.
	r = ask(t, system, svc, out, &messages.Exec{SQL: "INSERT INTO t(id, v) VALUES (1, 'dup')"}).(*messages.ExecResult)
	if !errors.Is(r.Err, sqlite3.CONSTRAINT) {
		t.Errorf("duplicate insert reply: %v", r.Err)
	}
	q = ask(t, system, svc, out, &messages.Query{SQL: "SELECT ?", Args: []any{struct{}{}}}).(*messages.QueryResult)
	if !errors.Is(q.Err, liteactor.ErrInvalidArg) {
		t.Errorf("bad argument reply: %v", q.Err)
	}
	c := ask(t, system, svc, out, &messages.Checkpoint{Mode: sqlite3.CHECKPOINT_RESTART}).(*messages.CheckpointResult)
	if !errors.Is(c.Err, liteactor.ErrInvalidArg) {
		t.Errorf("RESTART checkpoint reply: %v", c.Err)
	}
	c = ask(t, system, svc, out, &messages.Checkpoint{Mode: sqlite3.CHECKPOINT_PASSIVE}).(*messages.CheckpointResult)
	if c.Err != nil {
		t.Errorf("PASSIVE checkpoint reply: %v", c.Err)
	}
	st := ask(t, system, svc, out, &messages.GetStats{}).(*messages.Stats)
	if st.Completed < 4 || st.QueueCapacity != cfg.Queue.Capacity {
		t.Errorf("Stats reply %+v", st)
	}
}

func TestActorRequestsObeyOverflowPolicy(t *testing.T) {
	system := actor.NewActorSystem()
	defer system.Shutdown()
	cfg := liteactor.MinimalConfig()
	cfg.ActorSystem = system
	cfg.Queue = liteactor.QueueConfig{Capacity: 1, Overflow: liteactor.Block}
	e, err := liteactor.Open(context.Background(), filepath.Join(t.TempDir(), "p.db"), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close(context.Background())
	mustExec(t, e, "CREATE TABLE t(id INTEGER PRIMARY KEY)")
	out := make(chan any, 8)
	svc := system.Root.Spawn(actor.PropsFromProducer(func() actor.Actor { return &service{eng: e, out: out} }))
	defer func() { system.Root.StopFuture(svc).Wait() }()

	release := enginetest.HoldWriter(t, e)
	for i := 1; i <= 3; i++ { // one queued, two parked: the front door must not block
		system.Root.Send(svc, &send{&messages.Exec{SQL: "INSERT INTO t(id) VALUES (?)", Args: []any{i}}})
	}
	waitQueued(t, e, 1, 2)
	// The front door still answers while writes are parked.
	if st := ask(t, system, svc, out, &messages.GetStats{}).(*messages.Stats); st.QueueParked != 2 {
		t.Errorf("parked = %d, want 2", st.QueueParked)
	}
	release()
	for range 3 {
		select {
		case r := <-out:
			if r.(*messages.ExecResult).Err != nil {
				t.Error(r.(*messages.ExecResult).Err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("parked actor request never answered")
		}
	}
	if n := count(t, e, "SELECT count(*) FROM t"); n != 3 {
		t.Errorf("rows = %d, want 3", n)
	}
}

// parent is a service actor that opens the engine as its own child.
type parent struct {
	path string
	eng  chan *liteactor.Engine
	errs chan error
}

func (p *parent) Receive(ctx actor.Context) {
	if _, ok := ctx.Message().(*actor.Started); ok {
		cfg := liteactor.MinimalConfig()
		cfg.ActorSystem = ctx.ActorSystem()
		cfg.Parent = ctx
		e, err := liteactor.Open(context.Background(), p.path, cfg)
		if err != nil {
			p.errs <- err
			return
		}
		p.eng <- e
	}
}

func TestEngineSpawnedUnderServiceActor(t *testing.T) {
	system := actor.NewActorSystem()
	defer system.Shutdown()
	p := &parent{path: filepath.Join(t.TempDir(), "c.db"), eng: make(chan *liteactor.Engine, 1), errs: make(chan error, 1)}
	ppid := system.Root.Spawn(actor.PropsFromProducer(func() actor.Actor { return p }))
	var e *liteactor.Engine
	select {
	case e = <-p.eng:
	case err := <-p.errs:
		t.Fatal(err)
	}
	if e.PID().Id != ppid.Id+"/liteactor" {
		t.Errorf("engine PID %q is not a child of the service actor %q", e.PID().Id, ppid.Id)
	}
	mustExec(t, e, "CREATE TABLE t(v)")
	mustExec(t, e, "INSERT INTO t VALUES (1)")
	// Stopping the service's actor stops its children: the engine with it.
	if err := system.Root.StopFuture(ppid).Wait(); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Exec(context.Background(), "INSERT INTO t VALUES (2)"); !errors.Is(err, liteactor.ErrClosed) {
		t.Errorf("after the parent stopped: got %v, want ErrClosed", err)
	}
	if err := e.Close(context.Background()); err != nil {
		t.Errorf("Close after the parent stopped: %v", err)
	}
}

// TestOneErrorShapeOnBothPaths: a panicking callback and a read that waits
// out ReadTimeout give the same errors on the Go API and in typed-message
// replies: a *liteactor.PanicError that errors.As finds, and the same
// error wrapping ErrReadTimeout; an unknown checkpoint mode is refused the
// same way on both paths.
func TestOneErrorShapeOnBothPaths(t *testing.T) {
	system := actor.NewActorSystem(actor.WithLoggerFactory(func(*actor.ActorSystem) *slog.Logger {
		return slog.New(slog.DiscardHandler)
	}))
	defer system.Shutdown()
	cfg := liteactor.MinimalConfig()
	cfg.ActorSystem = system
	cfg.ReadTimeout = 20 * time.Millisecond
	e, _ := open(t, cfg)
	out := make(chan any, 1)
	svc := system.Root.Spawn(actor.PropsFromProducer(func() actor.Actor { return &service{eng: e, out: out} }))
	defer func() { system.Root.StopFuture(svc).Wait() }()

	boom := func(*sqlite3.Conn) error { panic("boom") }
	var goPE, msgPE *liteactor.PanicError
	if err := e.Write(context.Background(), boom); !errors.As(err, &goPE) || goPE.Value != "boom" || goPE.Stack == nil {
		t.Fatalf("Go API Write panic: %v, want a *PanicError with value and stack", err)
	}
	d := ask(t, system, svc, out, &messages.Write{Fn: boom}).(*messages.Done)
	if !errors.As(d.Err, &msgPE) || msgPE.Value != "boom" || !errors.Is(d.Err, liteactor.ErrPanic) {
		t.Fatalf("typed Write panic: %v, want a *PanicError wrapping ErrPanic", d.Err)
	}

	// The one reader is held by a blocked Read: both paths wait out
	// ReadTimeout.
	held, release := make(chan struct{}), make(chan struct{})
	readDone := make(chan error, 1)
	go func() {
		readDone <- e.Read(context.Background(), func(*sqlite3.Conn) error { close(held); <-release; return nil })
	}()
	<-held
	_, goErr := e.Query(context.Background(), "SELECT 1")
	q := ask(t, system, svc, out, &messages.Query{SQL: "SELECT 1"}).(*messages.QueryResult)
	close(release)
	if err := <-readDone; err != nil {
		t.Fatal(err)
	}
	if !errors.Is(goErr, liteactor.ErrReadTimeout) || !errors.Is(q.Err, liteactor.ErrReadTimeout) || goErr.Error() != q.Err.Error() {
		t.Fatalf("read timeouts: Go API %v, typed %v; want the same error wrapping ErrReadTimeout", goErr, q.Err)
	}

	const unknown = sqlite3.CheckpointMode(7)
	_, goErr = e.Checkpoint(context.Background(), unknown)
	c := ask(t, system, svc, out, &messages.Checkpoint{Mode: unknown}).(*messages.CheckpointResult)
	if !errors.Is(goErr, liteactor.ErrInvalidArg) || !errors.Is(c.Err, liteactor.ErrInvalidArg) || goErr.Error() != c.Err.Error() {
		t.Fatalf("unknown checkpoint mode: Go API %v, typed %v; want the same ErrInvalidArg", goErr, c.Err)
	}
}
