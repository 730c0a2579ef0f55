package actors

import (
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

	timeoutErr error     // what a read that waited longer than timeout gets
	deadlines  sync.Pool // of *readDeadline, reused once stopped
}

// readDeadline is the ReadTimeout timer of one waiting read. A timer stopped
// before it fired goes back to the queue's pool at once; one that fired puts
// itself back once its function has run, so a late firing never reaches a
// request that reused it.
type readDeadline struct {
	q *ReadQueue
	t *time.Timer
	r *Request // the read it guards; nil once disarmed. Guarded by q.mu.
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

// Submit queues r. A nil error means r will be completed exactly once:
// by the reader that takes it, or by the queue (ErrReadTimeout once it has
// waited for a reader longer than the timeout, ErrClosed at shutdown), or r
// is withdrawn by Cancel. A non-nil error (ErrClosed) means r was refused
// and will never be completed. A read handed to an idle reader at once
// needs no timer; one that has to wait gets its ReadTimeout timer here, on
// the Go API and the actor path alike.
func (q *ReadQueue) Submit(r *Request) error {
	if r.Timed {
		r.Enqueued = time.Now()
	}
	q.mu.Lock()
	if q.closed {
		q.mu.Unlock()
		return ErrClosed
	}
	r.state = stQueued
	q.list.pushBack(r)
	if n := len(q.idle); n > 0 {
		i := q.idle[n-1]
		q.idle = q.idle[:n-1]
		q.isIdle[i] = false
		q.busy++
		q.mu.Unlock()
		q.kick(i)
		return nil
	}
	if q.timeout > 0 {
		q.arm(r)
	}
	q.mu.Unlock()
	return nil
}

// arm starts r's ReadTimeout timer. q.mu held.
func (q *ReadQueue) arm(r *Request) {
	d, _ := q.deadlines.Get().(*readDeadline)
	if d == nil {
		d = &readDeadline{q: q, r: r}
		d.t = time.AfterFunc(q.timeout, d.fire)
	} else {
		d.r = r
		d.t.Reset(q.timeout)
	}
	r.deadline = d
}

// disarm stops r's ReadTimeout timer, if it has one. q.mu held.
func (q *ReadQueue) disarm(r *Request) {
	d := r.deadline
	if d == nil {
		return
	}
	r.deadline, d.r = nil, nil
	if d.t.Stop() {
		q.deadlines.Put(d)
	} // else it fired: fire finds d.r nil and puts d back itself
}

// fire answers a read that waited for a reader longer than the timeout.
func (d *readDeadline) fire() {
	q := d.q
	q.mu.Lock()
	r := d.r
	d.r = nil
	if r == nil || r.state != stQueued {
		q.mu.Unlock()
		q.deadlines.Put(d)
		return
	}
	r.deadline = nil
	q.withdraw(r, q.timeoutErr)
	q.mu.Unlock()
	q.deadlines.Put(d)
	r.complete(nil)
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
	q.disarm(r)
	q.withdraw(r, err)
	return true
}

// withdraw takes a queued r out of the queue with err as its outcome. q.mu
// held.
func (q *ReadQueue) withdraw(r *Request, err error) {
	q.list.remove(r)
	r.state = stDone
	r.Err = err
	q.c.ReadsExpired.Add(1)
}

// Take gives reader i its next work: one Read, or up to maxGroup consecutive
// point queries that may share a read transaction (every one of them was
// submitted before that transaction begins). nil means the queue is empty and
// reader i is now idle.
func (q *ReadQueue) Take(i int, buf []*Request) []*Request {
	batch := buf[:0]
	q.mu.Lock()
	if q.list.n == 0 {
		if !q.isIdle[i] {
			q.isIdle[i] = true
			q.idle = append(q.idle, i)
			q.busy--
			q.signalDrained()
		}
		q.mu.Unlock()
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
		q.disarm(r)
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
	if n := len(q.idle); n > 0 {
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
	q.mu.Unlock()
}

// FailQueued answers every read still queued with err.
func (q *ReadQueue) FailQueued(err error) {
	q.mu.Lock()
	rs := q.list.drain()
	for _, r := range rs {
		q.disarm(r)
	}
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
