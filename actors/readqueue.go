package actors

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// ReadQueue dispatches reads to a pool of reader actors. Readers pull: a
// reader that finds the queue empty is parked on an idle stack, and a new
// read is handed to an idle reader at once, so a slow query on one reader
// never delays a read while another reader is idle. Each idle-to-busy
// transition sends that reader exactly one kick.
type ReadQueue struct {
	mu       sync.Mutex
	list     reqList
	idle     []int  // idle readers, most recently idle last
	isIdle   []bool // by reader index
	busy     int
	closed   bool
	timeout  time.Duration
	maxGroup int
	drained  chan struct{}
	kick     func(reader int)
	c        *Counters

	held   bool   // a read barrier holds new reads back (see Hold)
	onIdle func() // the barrier's callback, until it fired

	timeoutErr error     // what a read that waited longer than timeout gets
	timers     sync.Pool // of *time.Timer: Await's, reused so that a wait costs no allocation
}

// NewReadQueue returns a queue for n readers, all idle. Reads that wait for
// a reader longer than timeout (0: no limit) fail with an error wrapping
// ErrReadTimeout; up to maxGroup queued point queries share one read
// transaction. kick(i) wakes reader i.
func NewReadQueue(n int, timeout time.Duration, maxGroup int, c *Counters, kick func(int)) *ReadQueue {
	q := &ReadQueue{timeout: timeout, maxGroup: max(1, maxGroup), c: c, kick: kick,
		isIdle: make([]bool, n), drained: make(chan struct{}),
		timeoutErr: fmt.Errorf("%w (%s)", ErrReadTimeout, timeout)}
	for i := n - 1; i >= 0; i-- {
		q.idle = append(q.idle, i)
		q.isIdle[i] = true
	}
	return q
}

// Submit queues r. It reports whether r had to wait (no reader was idle).
// A nil error means r will be completed exactly once: by the reader that
// takes it, or by the queue (ErrClosed at shutdown; ErrReadTimeout for a
// request with a Reply that waited longer than the timeout), or r is
// withdrawn by Cancel (Await does that for a Go caller). A non-nil error
// (ErrClosed) means r was refused and will never be completed.
func (q *ReadQueue) Submit(r *Request) (waiting bool, err error) {
	if r.Timed {
		r.Enqueued = time.Now()
	}
	q.mu.Lock()
	if q.closed {
		q.mu.Unlock()
		return false, ErrClosed
	}
	r.state = stQueued
	q.list.pushBack(r)
	if n := len(q.idle); n > 0 && !q.holding() {
		i := q.idle[n-1]
		q.idle = q.idle[:n-1]
		q.isIdle[i] = false
		q.busy++
		q.mu.Unlock()
		q.kick(i)
		return false, nil
	}
	if r.Reply != nil && q.timeout > 0 {
		// An actor's request cannot wait in a select: a timer answers it.
		r.timed = true
		r.timer = time.AfterFunc(q.timeout, func() {
			if q.Cancel(r, q.timeoutErr) {
				r.complete(nil)
			}
		})
	}
	q.mu.Unlock()
	return true, nil
}

// Await waits for the outcome of r, a request made with NewRequest that
// Submit accepted (waiting is what it reported). A read still waiting for a
// reader when ctx ends, or after the timeout, is withdrawn and never runs:
// it fails with ctx's error, or with an error wrapping ErrReadTimeout (the
// same one a typed message gets). A read a reader has taken is answered by
// that reader.
func (q *ReadQueue) Await(ctx context.Context, r *Request, waiting bool) error {
	var timeout <-chan time.Time
	if waiting && q.timeout > 0 {
		t, _ := q.timers.Get().(*time.Timer)
		if t == nil {
			t = time.NewTimer(q.timeout)
		} else {
			t.Reset(q.timeout)
		}
		defer func() { t.Stop(); q.timers.Put(t) }()
		timeout = t.C
	}
	select {
	case <-r.Done:
		return r.Err
	case <-ctx.Done():
		if q.Cancel(r, ctx.Err()) {
			return ctx.Err()
		}
	case <-timeout:
		if q.Cancel(r, q.timeoutErr) {
			return q.timeoutErr
		}
	}
	<-r.Done
	return r.Err
}

// Cancel withdraws r if no reader has taken it, recording err as its
// outcome without signalling it. It reports false if a reader owns r (or r
// was already answered).
func (q *ReadQueue) Cancel(r *Request, err error) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	if r.state != stQueued {
		return false
	}
	q.list.remove(r)
	r.state = stDone
	r.Err = err
	if r.timer != nil {
		r.timer.Stop()
		r.timer = nil
	}
	q.c.ReadsExpired.Add(1)
	return true
}

// Take gives reader i its next work: one Read, or up to maxGroup consecutive
// point queries that may share a read transaction (every one of them was
// submitted before that transaction begins). nil means the queue is empty and
// reader i is now idle.
func (q *ReadQueue) Take(i int, buf []*Request) []*Request {
	batch := buf[:0]
	q.mu.Lock()
	if q.list.n == 0 || q.holding() {
		var fire func()
		if !q.isIdle[i] {
			q.isIdle[i] = true
			q.idle = append(q.idle, i)
			q.busy--
			q.signalDrained()
			fire = q.idleNow()
		}
		q.mu.Unlock()
		if fire != nil {
			fire()
		}
		return nil
	}
	if q.isIdle[i] { // a restarted reader that was idle: it is busy again
		q.removeIdle(i)
	}
	for q.list.n > 0 && len(batch) < q.maxGroup {
		r := q.list.head
		if len(batch) > 0 && (r.Kind != KindQuery || batch[0].Kind != KindQuery) {
			break
		}
		q.list.remove(r)
		r.state = stTaken
		if r.timer != nil {
			r.timer.Stop()
			r.timer = nil
		}
		batch = append(batch, r)
	}
	q.mu.Unlock()
	return batch
}

func (q *ReadQueue) removeIdle(i int) {
	for k, j := range q.idle {
		if j == i {
			q.idle = append(q.idle[:k], q.idle[k+1:]...)
			break
		}
	}
	q.isIdle[i] = false
	q.busy++
}

// Requeue puts requests a crashed reader had taken back at the front, in
// their order, and wakes an idle reader if there is one.
func (q *ReadQueue) Requeue(rs []*Request) {
	if len(rs) == 0 {
		return
	}
	q.mu.Lock()
	for k := len(rs) - 1; k >= 0; k-- {
		rs[k].state = stQueued
		q.list.pushFront(rs[k])
	}
	wake := -1
	if n := len(q.idle); n > 0 && !q.holding() {
		wake = q.idle[n-1]
		q.idle = q.idle[:n-1]
		q.isIdle[wake] = false
		q.busy++
	}
	q.mu.Unlock()
	if wake >= 0 {
		q.kick(wake)
	}
}

// IsIdle reports whether reader i is parked on the idle stack.
func (q *ReadQueue) IsIdle(i int) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.isIdle[i]
}

// Close refuses new reads; queued ones stay for the readers to drain.
func (q *ReadQueue) Close() {
	q.mu.Lock()
	q.closed = true
	q.signalDrained()
	wake := q.wakeHeld() // a barrier does not outlive Close: drain what it held
	q.mu.Unlock()
	for _, i := range wake {
		q.kick(i)
	}
}

// FailQueued answers every read still queued with err.
func (q *ReadQueue) FailQueued(err error) {
	q.mu.Lock()
	rs := q.list.drain()
	q.mu.Unlock()
	for _, r := range rs {
		r.complete(err)
	}
}

// Drained is closed once the queue is closed, empty, and every reader idle.
func (q *ReadQueue) Drained() <-chan struct{} { return q.drained }

func (q *ReadQueue) signalDrained() {
	if q.closed && q.busy == 0 && q.list.n == 0 {
		select {
		case <-q.drained:
		default:
			close(q.drained)
		}
	}
}

// Load returns readers busy and idle and reads waiting.
func (q *ReadQueue) Load() (busy, idle, waiting int) {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.busy, len(q.idle), q.list.n
}
