package actors

import (
	"context"
	"sync"
	"testing"
)

func fillWriter(t *testing.T, maxBatch int) (*writer, *Queue) {
	t.Helper()
	q := NewQueue(64, PolicyBlock, 0, &Counters{}, func() {})
	return &writer{env: &WriterEnv{Queue: q, MaxBatch: maxBatch}}, q
}

func submitN(t *testing.T, q *Queue, n int) {
	t.Helper()
	for range n {
		if err := q.Submit(NewRequest(context.Background(), KindExec)); err != nil {
			t.Error(err)
			return
		}
	}
}

func queued(q *Queue) int { n, _ := q.Len(); return n }

// fill must return when the callers of the last batch do not come back (a
// caller that is done must not hold the writer), take nothing and answer
// nothing, and forget the count so the next step does not wait again.
func TestFillReturnsWhenNobodySubmits(t *testing.T) {
	w, q := fillWriter(t, 8)
	submitN(t, q, 2)
	w.answered = 5
	w.fill()
	if got := queued(q); got != 2 {
		t.Fatalf("queued after fill = %d, want 2 (fill must neither take nor drop)", got)
	}
	if w.answered != 0 {
		t.Fatalf("answered = %d after fill, want 0", w.answered)
	}
	w.fill() // nothing answered since: returns at once
	if got := queued(q); got != 2 {
		t.Fatalf("queued = %d, want 2", got)
	}
}

// A queue that already holds a full batch is taken at once, and a step that
// answered nothing (idle writer, first step) does not wait either.
func TestFillFullBatchOrNothingAnswered(t *testing.T) {
	w, q := fillWriter(t, 4)
	submitN(t, q, 4)
	w.answered = 4
	w.fill()
	w.answered = 0
	w.fill()
	if got := queued(q); got != 4 {
		t.Fatalf("queued = %d, want 4", got)
	}
}

// While callers resubmit concurrently, fill only yields: every request
// they submit ends up queued, none is taken or answered by it.
func TestFillWithConcurrentSubmitters(t *testing.T) {
	w, q := fillWriter(t, 128)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() { submitN(t, q, 10) })
	}
	w.answered = 40
	w.fill()
	wg.Wait()
	if got := queued(q); got != 40 {
		t.Fatalf("queued = %d, want 40", got)
	}
}
