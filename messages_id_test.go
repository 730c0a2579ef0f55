package liteactor_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/liteactor/liteactor"
	"github.com/liteactor/liteactor/internal/enginetest"
	"github.com/liteactor/liteactor/messages"
	"github.com/ncruces/go-sqlite3"
)

// Every reply echoes its request's ID; a Deadline is honoured like a ctx:
// a request still queued when it passes is answered at once with
// DeadlineExceeded and never runs.
func TestTypedMessageIDAndDeadline(t *testing.T) {
	system := actor.NewActorSystem()
	defer system.Shutdown()
	cfg := liteactor.MinimalConfig()
	cfg.ActorSystem = system
	e, err := liteactor.Open(context.Background(), filepath.Join(t.TempDir(), "id.db"), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close(context.Background())
	mustExec(t, e, "CREATE TABLE t(id INTEGER PRIMARY KEY)")
	out := make(chan any, 8)
	svc := system.Root.Spawn(actor.PropsFromProducer(func() actor.Actor { return &service{eng: e, out: out} }))
	defer func() { system.Root.StopFuture(svc).Wait() }()

	fn := func(*sqlite3.Conn) error { return nil }
	for i, c := range []struct {
		msg any
		id  func(any) uint64
	}{
		{&messages.Exec{SQL: "INSERT INTO t VALUES (1)", ID: 11}, func(r any) uint64 { return r.(*messages.ExecResult).ID }},
		{&messages.Query{SQL: "SELECT 1", ID: 12}, func(r any) uint64 { return r.(*messages.QueryResult).ID }},
		{&messages.Write{Fn: fn, ID: 13}, func(r any) uint64 { return r.(*messages.Done).ID }},
		{&messages.Exclusive{Fn: fn, ID: 14}, func(r any) uint64 { return r.(*messages.Done).ID }},
		{&messages.Read{Fn: fn, ID: 15}, func(r any) uint64 { return r.(*messages.Done).ID }},
		// An error reply carries the ID too.
		{&messages.Exec{SQL: "INSERT INTO t VALUES (1)", ID: 16}, func(r any) uint64 { return r.(*messages.ExecResult).ID }},
	} {
		if got := c.id(ask(t, system, svc, out, c.msg)); got != uint64(11+i) {
			t.Errorf("%T: reply ID %d, want %d", c.msg, got, 11+i)
		}
	}

	// A deadline already past: the request never runs.
	past := time.Now().Add(-time.Second)
	r := ask(t, system, svc, out, &messages.Exec{SQL: "INSERT INTO t VALUES (2)", ID: 7, Deadline: past}).(*messages.ExecResult)
	if r.ID != 7 || !errors.Is(r.Err, context.DeadlineExceeded) {
		t.Fatalf("past deadline: %+v", r)
	}
	q := ask(t, system, svc, out, &messages.Query{SQL: "SELECT 1", ID: 8, Deadline: past}).(*messages.QueryResult)
	if q.ID != 8 || !errors.Is(q.Err, context.DeadlineExceeded) {
		t.Fatalf("past deadline query: %+v", q)
	}
	// A deadline that passes while the request waits behind a held writer
	// is answered while the writer is still held.
	release := enginetest.HoldWriter(t, e)
	r = ask(t, system, svc, out, &messages.Exec{SQL: "INSERT INTO t VALUES (3)", ID: 9, Deadline: time.Now().Add(50 * time.Millisecond)}).(*messages.ExecResult)
	release()
	if r.ID != 9 || !errors.Is(r.Err, context.DeadlineExceeded) {
		t.Fatalf("deadline while queued: %+v", r)
	}
	// A future deadline that is met changes nothing.
	r = ask(t, system, svc, out, &messages.Exec{SQL: "INSERT INTO t VALUES (4)", ID: 10, Deadline: time.Now().Add(time.Hour)}).(*messages.ExecResult)
	if r.ID != 10 || r.Err != nil {
		t.Fatalf("future deadline: %+v", r)
	}
	if n := count(t, e, "SELECT count(*) FROM t WHERE id > 1"); n != 1 {
		t.Fatalf("%d rows from deadline requests, want only id 4", n)
	}
}
