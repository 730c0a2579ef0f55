package actors

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestQueueConcurrentOutcomes races callers that submit and withdraw (as
// Engine.write does when its ctx ends) against a writer taking batches,
// under DropOldest (evictions) and BlockTimeout (timers expiring parked
// requests). Every admitted request must end with exactly one outcome, and
// the queue's lists must stay consistent. Callers hand their requests back
// for reuse (Release) as the engine does, so a timer or a Cancel that
// touched a recycled request would show as a race or a wrong outcome. Run
// under -race.
func TestQueueConcurrentOutcomes(t *testing.T) {
	for _, policy := range []Policy{PolicyDropOldest, PolicyBlockTimeout, PolicyBlock} {
		t.Run([]string{"Block", "BlockTimeout", "Reject", "DropOldest"}[policy], func(t *testing.T) {
			c := &Counters{}
			kicks := make(chan struct{}, 1)
			q := NewQueue(4, policy, 50*time.Microsecond, c, func() {
				select {
				case kicks <- struct{}{}:
				default:
				}
			})
			stop := make(chan struct{})
			var writer sync.WaitGroup
			writer.Go(func() {
				var buf []*Request
				for {
					batch := q.Take(3, buf)
					for _, r := range batch {
						r.complete(nil)
					}
					if len(batch) > 0 {
						continue
					}
					select {
					case <-kicks:
					case <-stop:
						return
					}
				}
			})
			var outcomes [5]atomic.Int64 // ran, dropped, full, ctx, withdrawn
			var callers sync.WaitGroup
			for g := range 8 {
				callers.Go(func() {
					for i := range 400 {
						ctx, cancel := context.WithCancel(context.Background())
						r := NewRequest(ctx, KindExec)
						if err := q.Submit(r); err != nil {
							t.Errorf("submit: %v", err)
							cancel()
							return
						}
						if (i+g)%3 == 0 {
							cancel()
							if q.Cancel(r, context.Canceled) {
								outcomes[4].Add(1)
								r.Release()
								continue
							}
						}
						<-r.Done
						cancel()
						switch {
						case r.Err == nil:
							outcomes[0].Add(1)
						case errors.Is(r.Err, ErrDropped):
							outcomes[1].Add(1)
						case errors.Is(r.Err, ErrQueueFull):
							outcomes[2].Add(1)
						case errors.Is(r.Err, context.Canceled):
							outcomes[3].Add(1)
						default:
							t.Errorf("outcome %v", r.Err)
						}
						select {
						case <-r.Done:
							t.Errorf("request completed twice")
						default:
						}
						r.Release()
					}
				})
			}
			callers.Wait()
			close(stop)
			writer.Wait()
			var sum int64
			for i := range outcomes {
				sum += outcomes[i].Load()
			}
			if sum != 8*400 {
				t.Fatalf("%d outcomes for %d requests", sum, 8*400)
			}
			if qn, pn := q.Len(); qn != 0 || pn != 0 {
				t.Fatalf("queue holds %d queued, %d parked after every request ended", qn, pn)
			}
			t.Logf("ran %d, dropped %d, queue full %d, ctx %d, withdrawn %d", outcomes[0].Load(), outcomes[1].Load(), outcomes[2].Load(), outcomes[3].Load(), outcomes[4].Load())
		})
	}
}
