package actors

import (
	"context"
	"testing"
)

// TestReleaseKeepsNoOutcome: a recycled request starts its next life clean
// (no outcome, no state, no links, its Done channel empty and kept), and
// the requests that must be left to the garbage collector are: one that
// had a timer armed, one completed by a reply function, one whose signal
// was never received.
func TestReleaseKeepsNoOutcome(t *testing.T) {
	r := NewRequest(context.Background(), KindExec)
	done := r.Done
	r.SQL, r.Args, r.Err, r.Batch, r.state, r.Sealed = "INSERT", []any{1}, ErrDropped, 3, stTaken, true
	r.complete(nil)
	<-r.Done
	if !r.reusable() {
		t.Fatal("an answered and received request is not reusable")
	}
	r.reset()
	if r.SQL != "" || r.Args != nil || r.Err != nil || r.Batch != 0 || r.state != stNew || r.Sealed || r.Ctx != nil || r.Done != done {
		t.Fatalf("reset request keeps %+v", r)
	}

	kept := map[string]*Request{
		"timer":     {Done: make(chan struct{}, 1), timed: true},
		"reply":     {Reply: func(*Request) {}},
		"signalled": {Done: make(chan struct{}, 1)},
	}
	kept["signalled"].Done <- struct{}{}
	for name, k := range kept {
		if k.reusable() {
			t.Errorf("%s: reusable, want it left to the garbage collector", name)
		}
	}
}
