package actors

import (
	"context"
	"testing"
)

// TestReleaseKeepsNoOutcome: a request handed back starts its next life
// clean (no outcome, no stale signal, no links), and the requests Release
// must leave to the garbage collector are left: one with a timer armed,
// one completed by a reply function, one whose signal was never received.
func TestReleaseKeepsNoOutcome(t *testing.T) {
	ctx := context.Background()
	r := NewRequest(ctx, KindExec)
	r.SQL, r.Args, r.Err, r.Batch = "INSERT", []any{1}, ErrDropped, 3
	r.complete(nil)
	<-r.Done
	r.Release()
	// The test owns r again only because nothing else runs in this
	// package's tests in parallel with it; the engine never does this.
	if r.SQL != "" || r.Args != nil || r.Err != nil || r.Batch != 0 || r.Ctx != nil || r.state != stNew {
		t.Fatalf("released request keeps %+v", r)
	}
	select {
	case <-r.Done:
		t.Fatal("released request holds a signal")
	default:
	}

	kept := []*Request{
		{Done: make(chan struct{}, 1), timed: true, SQL: "timer"},
		{Reply: func(*Request) {}, SQL: "reply"},
		{Done: make(chan struct{}, 1), SQL: "signalled"},
	}
	kept[2].Done <- struct{}{}
	for _, k := range kept {
		k.Release()
		if k.SQL == "" {
			t.Fatalf("request %+v was recycled", k)
		}
	}
}
