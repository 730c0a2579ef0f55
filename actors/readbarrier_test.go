package actors

import (
	"context"
	"testing"
)

// TestReadQueueHold: a hold hands out no read (neither to an idle reader
// nor to one that finishes), calls onIdle exactly once when the last busy
// reader parks, and Release hands the reads queued meanwhile to idle
// readers. A second Hold while one is in force is refused; Close lifts a
// hold so the queue drains.
func TestReadQueueHold(t *testing.T) {
	var kicks []int
	q := NewReadQueue(2, 0, 1, &Counters{}, func(i int) { kicks = append(kicks, i) })
	ctx := context.Background()
	read := func() *Request {
		r := NewRequest(ctx, KindRead)
		if _, err := q.Submit(r); err != nil {
			t.Fatal(err)
		}
		return r
	}
	read() // reader 0 kicked, busy
	if len(kicks) != 1 {
		t.Fatalf("kicks %v", kicks)
	}
	busy := kicks[0]
	if got := q.Take(busy, nil); len(got) != 1 {
		t.Fatalf("reader %d took %d reads", busy, len(got))
	}
	idle := 0
	if !q.Hold(func() { idle++ }) {
		t.Fatal("Hold refused")
	}
	if q.Hold(func() {}) {
		t.Fatal("a second Hold was accepted")
	}
	if idle != 0 {
		t.Fatal("onIdle called while a read runs")
	}
	read()
	read()
	if len(kicks) != 1 {
		t.Fatalf("reads handed out during the hold: kicks %v", kicks)
	}
	if got := q.Take(busy, nil); got != nil {
		t.Fatalf("a reader took %d reads during the hold", len(got))
	}
	if idle != 1 {
		t.Fatalf("onIdle called %d times once the last read finished, want 1", idle)
	}
	if b, i, w := q.Load(); b != 0 || i != 2 || w != 2 {
		t.Fatalf("during the hold: busy %d idle %d waiting %d", b, i, w)
	}
	q.Release()
	if len(kicks) != 3 {
		t.Fatalf("Release woke %d readers for 2 queued reads", len(kicks)-1)
	}
	for _, i := range kicks[1:] {
		if got := q.Take(i, nil); len(got) != 1 {
			t.Fatalf("reader %d took %d reads after Release", i, len(got))
		}
	}

	// Hold with every reader idle: onIdle at once. Close lifts the hold.
	for _, i := range kicks[1:] {
		q.Take(i, nil)
	}
	idle = 0
	if !q.Hold(func() { idle++ }) || idle != 1 {
		t.Fatalf("Hold on an idle pool: onIdle called %d times", idle)
	}
	read()
	n := len(kicks)
	q.Close()
	if len(kicks) != n+1 {
		t.Fatal("Close did not hand the held read to a reader")
	}
	if got := q.Take(kicks[n], nil); len(got) != 1 {
		t.Fatal("the held read was not taken after Close")
	}
	q.Take(kicks[n], nil)
	select {
	case <-q.Drained():
	default:
		t.Fatal("the queue did not drain after Close lifted the hold")
	}
}
