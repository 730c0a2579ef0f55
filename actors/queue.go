package actors

import (
	"context"
	"sync"
	"time"
)

// Policy is what the admission queue does with a write that finds it full.
type Policy uint8

// Overflow policies.
const (
	PolicyBlock        Policy = iota // wait for room, as long as the caller's ctx allows
	PolicyBlockTimeout               // wait up to Timeout, then ErrQueueFull
	PolicyReject                     // ErrQueueFull at once
	PolicyDropOldest                 // evict the oldest queued request (ErrDropped), admit the new one
)

// Queue is the engine-owned bounded admission queue in front of the writer.
// Capacity counts requests waiting in the queue; requests the writer has
// taken are in flight and never evicted. Requests that find the queue full
// under Block or BlockTimeout are parked in FIFO order and admitted as room
// appears, so neither goroutines nor actors spin.
//
// Every request given to Submit without error is completed exactly once:
// by the writer that takes it, or by the queue (ErrDropped, ErrQueueFull after
// the timeout, ErrClosed) or by Cancel.
type Queue struct {
	mu       sync.Mutex
	capacity int
	policy   Policy
	timeout  time.Duration
	queued   reqList
	waiting  reqList // parked: admitted when room appears
	closed   bool
	idle     bool // the writer found the queue empty and waits for a kick
	drained  chan struct{}
	kick     func()
	c        *Counters
}

// NewQueue returns an open queue. kick is called (outside the lock) whenever
// work arrives for an idle writer: exactly once per idle-to-busy transition.
func NewQueue(capacity int, policy Policy, timeout time.Duration, c *Counters, kick func()) *Queue {
	return &Queue{capacity: capacity, policy: policy, timeout: timeout, c: c, kick: kick, idle: true, drained: make(chan struct{})}
}

// Submit admits r under the policy without blocking. A nil return means r is
// queued or parked and will be completed exactly once later. A non-nil
// return (ErrQueueFull, ErrClosed) means r was refused and will never be
// completed.
func (q *Queue) Submit(r *Request) error {
	if r.Timed {
		r.Enqueued = time.Now()
	}
	q.mu.Lock()
	if q.closed {
		q.mu.Unlock()
		return ErrClosed
	}
	if q.queued.n < q.capacity && q.waiting.n == 0 {
		kick := q.admit(r)
		q.mu.Unlock()
		if kick {
			q.kick()
		}
		return nil
	}
	switch q.policy {
	case PolicyDropOldest:
		victim := q.queued.popFront()
		victim.state = stDone // a Cancel racing the eviction must not touch it
		q.c.Dropped.Add(1)
		kick := q.admit(r)
		q.mu.Unlock()
		victim.complete(ErrDropped)
		if kick {
			q.kick()
		}
		return nil
	case PolicyBlock, PolicyBlockTimeout:
		r.state = stWaiting
		q.waiting.pushBack(r)
		if q.policy == PolicyBlockTimeout {
			r.timed = true
			r.timer = time.AfterFunc(q.timeout, func() { q.expire(r) })
		}
		q.mu.Unlock()
		return nil
	default:
		q.c.Rejected.Add(1)
		q.mu.Unlock()
		return ErrQueueFull
	}
}

// Await waits for the outcome of r, a request made with NewRequest that
// Submit accepted. If ctx ends while r is still parked or queued, r is
// withdrawn, never runs, and Await returns ctx's error; a request the
// writer has taken is answered by the writer (a running statement is
// interrupted by its ctx).
func (q *Queue) Await(ctx context.Context, r *Request) error {
	select {
	case <-r.Done:
		return r.Err
	case <-ctx.Done():
		if q.Cancel(r, ctx.Err()) {
			return ctx.Err()
		}
		<-r.Done
		return r.Err
	}
}

// admit queues r; it reports whether the writer must be kicked. q.mu held.
func (q *Queue) admit(r *Request) bool {
	r.state = stQueued
	q.queued.pushBack(r)
	q.c.Admitted.Add(1)
	if q.idle {
		q.idle = false
		return true
	}
	return false
}

// expire answers a parked request whose BlockTimeout ran out.
func (q *Queue) expire(r *Request) {
	q.mu.Lock()
	if r.state != stWaiting {
		q.mu.Unlock()
		return
	}
	q.waiting.remove(r)
	r.state = stDone
	q.c.Rejected.Add(1)
	r.timer = nil
	q.mu.Unlock()
	r.complete(ErrQueueFull)
}

// Cancel withdraws r if it is still parked or queued, recording err as its
// outcome without signalling it (the caller is the one cancelling). It
// reports false if an actor has already taken r: then r will be completed
// by that actor.
func (q *Queue) Cancel(r *Request, err error) bool {
	q.mu.Lock()
	switch r.state {
	case stWaiting:
		q.waiting.remove(r)
		if r.timer != nil {
			r.timer.Stop()
			r.timer = nil
		}
	case stQueued:
		q.queued.remove(r)
		q.refill()
	default:
		q.mu.Unlock()
		return false
	}
	r.state = stDone
	r.Err = err
	q.c.Expired.Add(1)
	q.mu.Unlock()
	return true
}

// refill admits parked requests while there is room. q.mu held. The writer
// is busy whenever refill runs from Take; from Cancel the queue had room
// taken by r, which was already counted, so no kick is needed.
func (q *Queue) refill() {
	for q.queued.n < q.capacity && q.waiting.n > 0 {
		w := q.waiting.popFront()
		if w.timer != nil {
			w.timer.Stop()
			w.timer = nil
		}
		w.state = stQueued
		q.queued.pushBack(w)
		q.c.Admitted.Add(1)
	}
}

// Take hands the writer up to max queued requests in FIFO order; the queue
// no longer counts them. A KindExclusive request always comes alone.
// Requests whose ctx has ended are answered with ctx.Err() here and never
// reach the writer. Parked requests are admitted as room appears, also
// within one Take. An empty result marks the writer idle (and the queue is
// then empty): the next Submit kicks it.
func (q *Queue) Take(max int, buf []*Request) []*Request {
	batch := buf[:0]
	var expired []*Request
	q.mu.Lock()
	for len(batch) < max {
		if q.queued.n == 0 {
			// Expired requests may have made room for parked ones: admit
			// them now, or an idle writer would leave them queued with no
			// kick coming.
			q.refill()
			if q.queued.n == 0 {
				break
			}
		}
		r := q.queued.head
		if r.Ctx.Err() != nil {
			q.queued.remove(r)
			r.state = stDone
			q.c.Expired.Add(1)
			expired = append(expired, r)
			continue
		}
		if r.Kind == KindExclusive && len(batch) > 0 {
			break
		}
		q.queued.remove(r)
		r.state = stTaken
		batch = append(batch, r)
		if r.Kind == KindExclusive {
			break
		}
	}
	q.refill()
	q.idle = len(batch) == 0
	if q.idle {
		q.signalDrained()
	}
	q.mu.Unlock()
	for _, r := range expired {
		r.complete(r.Ctx.Err())
	}
	return batch
}

// Close stops admission: later Submits get ErrClosed and parked requests are
// answered ErrClosed. Queued requests stay for the writer to drain.
func (q *Queue) Close() {
	q.mu.Lock()
	if q.closed {
		q.mu.Unlock()
		return
	}
	q.closed = true
	parked := q.waiting.drain()
	q.signalDrained()
	q.mu.Unlock()
	for _, r := range parked {
		r.complete(ErrClosed)
	}
}

// FailQueued answers every request still queued with err (shutdown deadline).
func (q *Queue) FailQueued(err error) {
	q.mu.Lock()
	rs := q.queued.drain()
	q.mu.Unlock()
	for _, r := range rs {
		r.complete(err)
	}
}

// Drained is closed once the queue is closed, empty, and the writer idle.
func (q *Queue) Drained() <-chan struct{} { return q.drained }

func (q *Queue) signalDrained() {
	if q.closed && q.idle && q.queued.n == 0 {
		select {
		case <-q.drained:
		default:
			close(q.drained)
		}
	}
}

// Len returns the number of queued and parked requests.
func (q *Queue) Len() (queued, parked int) {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.queued.n, q.waiting.n
}

// Capacity is the configured capacity.
func (q *Queue) Capacity() int { return q.capacity }
