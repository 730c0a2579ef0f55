package liteactor_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/liteactor/liteactor"
	"github.com/liteactor/liteactor/internal/enginetest"
)

func queueConfig(capacity int, policy liteactor.OverflowPolicy, timeout time.Duration) liteactor.Config {
	cfg := liteactor.MinimalConfig()
	cfg.Queue = liteactor.QueueConfig{Capacity: capacity, Overflow: policy, Timeout: timeout}
	return cfg
}

func TestOverflowReject(t *testing.T) {
	e, _ := open(t, queueConfig(2, liteactor.Reject, 0))
	mustExec(t, e, "CREATE TABLE t(id INTEGER PRIMARY KEY)")
	release := enginetest.HoldWriter(t, e)
	out := make(chan outcome, 3)
	execAsync(context.Background(), e, out, 1)
	execAsync(context.Background(), e, out, 2)
	waitQueued(t, e, 2, 0)
	_, err := e.Exec(context.Background(), "INSERT INTO t(id) VALUES (3)")
	if !errors.Is(err, liteactor.ErrQueueFull) {
		t.Fatalf("third write with a full queue: got %v, want ErrQueueFull", err)
	}
	release()
	for range 2 {
		if o := <-out; o.err != nil {
			t.Errorf("queued write %d: %v", o.id, o.err)
		}
	}
	if n := count(t, e, "SELECT count(*) FROM t"); n != 2 {
		t.Errorf("rows = %d, want 2 (the rejected write must not run)", n)
	}
	if s := e.Stats(); s.Rejected != 1 {
		t.Errorf("Stats.Rejected = %d, want 1", s.Rejected)
	}
}

func TestOverflowBlockTimeout(t *testing.T) {
	const timeout = 150 * time.Millisecond
	e, _ := open(t, queueConfig(1, liteactor.BlockTimeout, timeout))
	mustExec(t, e, "CREATE TABLE t(id INTEGER PRIMARY KEY)")
	release := enginetest.HoldWriter(t, e)
	defer release()
	out := make(chan outcome, 1)
	execAsync(context.Background(), e, out, 1)
	waitQueued(t, e, 1, 0)
	start := time.Now()
	_, err := e.Exec(context.Background(), "INSERT INTO t(id) VALUES (2)")
	if !errors.Is(err, liteactor.ErrQueueFull) {
		t.Fatalf("got %v, want ErrQueueFull", err)
	}
	if waited := time.Since(start); waited < timeout {
		t.Errorf("ErrQueueFull after %s, before the %s timeout", waited, timeout)
	}
	if s := e.Stats(); s.QueueParked != 0 || s.Rejected != 1 {
		t.Errorf("after timeout: parked %d rejected %d, want 0 and 1", s.QueueParked, s.Rejected)
	}
}

func TestOverflowBlockWaitsAndHonoursContext(t *testing.T) {
	e, _ := open(t, queueConfig(1, liteactor.Block, 0))
	mustExec(t, e, "CREATE TABLE t(id INTEGER PRIMARY KEY)")
	release := enginetest.HoldWriter(t, e)
	out := make(chan outcome, 3)
	execAsync(context.Background(), e, out, 1)
	waitQueued(t, e, 1, 0)

	// A blocked write whose ctx is cancelled returns ctx's error and never runs.
	ctx, cancel := context.WithCancel(context.Background())
	execAsync(ctx, e, out, 99)
	waitQueued(t, e, 1, 1)
	cancel()
	if o := <-out; o.id != 99 || !errors.Is(o.err, context.Canceled) {
		t.Fatalf("cancelled blocked write: got %+v, want id 99 with context.Canceled", o)
	}
	waitQueued(t, e, 1, 0)

	// A blocked write waits for room, then runs.
	execAsync(context.Background(), e, out, 2)
	waitQueued(t, e, 1, 1)
	select {
	case o := <-out:
		t.Fatalf("write %d returned (%v) while the queue was still full", o.id, o.err)
	default:
	}
	release()
	for range 2 {
		if o := <-out; o.err != nil {
			t.Errorf("write %d: %v", o.id, o.err)
		}
	}
	if n := count(t, e, "SELECT count(*) FROM t WHERE id IN (1, 2)"); n != 2 {
		t.Errorf("rows 1 and 2: found %d", n)
	}
	if n := count(t, e, "SELECT count(*) FROM t WHERE id = 99"); n != 0 {
		t.Error("the cancelled write ran")
	}
}

func TestOverflowDropOldest(t *testing.T) {
	e, _ := open(t, queueConfig(2, liteactor.DropOldest, 0))
	mustExec(t, e, "CREATE TABLE t(id INTEGER PRIMARY KEY)")
	release := enginetest.HoldWriter(t, e)
	out := make(chan outcome, 4)
	execAsync(context.Background(), e, out, 1)
	waitQueued(t, e, 1, 0)
	execAsync(context.Background(), e, out, 2)
	waitQueued(t, e, 2, 0)
	execAsync(context.Background(), e, out, 3) // evicts 1
	if o := <-out; o.id != 1 || !errors.Is(o.err, liteactor.ErrDropped) {
		t.Fatalf("got %+v, want write 1 dropped", o)
	}
	execAsync(context.Background(), e, out, 4) // evicts 2
	if o := <-out; o.id != 2 || !errors.Is(o.err, liteactor.ErrDropped) {
		t.Fatalf("got %+v, want write 2 dropped", o)
	}
	release()
	for range 2 {
		if o := <-out; o.err != nil {
			t.Errorf("admitted write %d: %v", o.id, o.err)
		}
	}
	rows, err := e.Query(context.Background(), "SELECT id FROM t ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows.Values) != 2 || rows.Values[0][0] != int64(3) || rows.Values[1][0] != int64(4) {
		t.Errorf("rows = %v, want [[3] [4]]", rows.Values)
	}
	if s := e.Stats(); s.Dropped != 2 {
		t.Errorf("Stats.Dropped = %d, want 2", s.Dropped)
	}
}

func TestQueuedRequestCancelledNeverRuns(t *testing.T) {
	e, _ := open(t, liteactor.MinimalConfig())
	mustExec(t, e, "CREATE TABLE t(id INTEGER PRIMARY KEY)")
	release := enginetest.HoldWriter(t, e)
	ctx, cancel := context.WithCancel(context.Background())
	out := make(chan outcome, 1)
	execAsync(ctx, e, out, 7)
	waitQueued(t, e, 1, 0)
	cancel()
	select {
	case o := <-out:
		if !errors.Is(o.err, context.Canceled) {
			t.Fatalf("got %v, want context.Canceled", o.err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a cancelled queued request did not return while the writer was busy")
	}
	release()
	mustExec(t, e, "INSERT INTO t(id) VALUES (8)") // the writer moved past it
	if n := count(t, e, "SELECT count(*) FROM t WHERE id = 7"); n != 0 {
		t.Error("the cancelled request ran")
	}
	if s := e.Stats(); s.Expired != 1 {
		t.Errorf("Stats.Expired = %d, want 1", s.Expired)
	}
}
