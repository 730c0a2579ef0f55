package actors

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"
)

// FuzzQueue drives the admission queue with a random sequence of operations
// and checks it, after every operation, against a reference model written
// with plain slices: which requests are queued and parked and in what order,
// what every Take returns (FIFO, Exclusive alone, expired requests answered
// and skipped), the outcome every request gets (exactly one: run, dropped,
// queue full, closed, cancelled or its ctx error), kicks (exactly one per
// idle-to-busy transition), counters and the Drained signal.
//
// Input layout: byte 0 picks the capacity (1..4), byte 1 the policy, byte 2
// the writer's batch size (1..4); every following pair of bytes is one
// operation and its argument.
func FuzzQueue(f *testing.F) {
	f.Add([]byte{0, 0, 0, 0, 0, 3, 0})
	f.Add([]byte{1, 3, 1, 0, 0, 0, 1, 0, 2, 0, 0, 3, 0, 3, 0, 3, 0})
	f.Add([]byte{0, 2, 3, 0, 0, 0, 0, 0, 0, 3, 0, 7, 0, 8, 0})
	f.Add([]byte{1, 0, 0, 0, 0, 0, 0, 0, 0, 4, 1, 3, 0, 5, 2, 3, 0, 9, 0})
	f.Add([]byte{0, 1, 1, 0, 0, 0, 0, 0, 0, 6, 1, 4, 2, 3, 0, 8, 0, 3, 0})
	f.Add([]byte{2, 0, 3, 2, 0, 0, 0, 1, 0, 2, 0, 3, 0, 3, 0, 7, 0, 3, 0})
	// Every queued request's ctx ends while others are parked: the parked
	// ones must reach the writer without a new Submit.
	f.Add([]byte{0, 0, 0, 0, 0, 0, 0, 5, 0, 3, 0, 3, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) < 3 {
			return
		}
		newQueueModel(t, int(data[0]%4)+1, Policy(data[1]%4), int(data[2]%4)+1).run(data[3:])
	})
}

// mreq is one request as the model sees it.
type mreq struct {
	id      int
	r       *Request
	cancel  context.CancelFunc
	replies int   // times the queue or the writer completed it
	outcome error // what the model expects it to be answered with
	decided bool  // the model has decided its outcome
	taken   bool  // handed to the writer
	refused bool  // Submit returned an error: never completed
	withdrw bool  // withdrawn by Cancel: outcome recorded, never signalled
}

type queueModel struct {
	t        *testing.T
	capacity int
	policy   Policy
	maxBatch int

	q         *Queue
	c         *Counters
	kicks     int // kicks the queue sent
	wantKicks int // kicks the model expects
	reqs      []*mreq
	queued    []*mreq // admitted, waiting for the writer, FIFO
	parked    []*mreq // waiting for room, FIFO
	taken     []*mreq // owned by the writer, not yet answered
	closed    bool
	idle      bool
	wasDrn    bool // the drain condition has held at some point

	admitted, rejected, dropped, expired uint64
}

func newQueueModel(t *testing.T, capacity int, policy Policy, maxBatch int) *queueModel {
	m := &queueModel{t: t, capacity: capacity, policy: policy, maxBatch: maxBatch, c: &Counters{}, idle: true}
	// BlockTimeout's timers never fire on their own during a run: the
	// "expire" operation fires them, so the run is deterministic.
	m.q = NewQueue(capacity, policy, time.Hour, m.c, func() { m.kicks++ })
	return m
}

const queueOps = 10

func (m *queueModel) run(ops []byte) {
	for i := 0; i+1 < len(ops) && i < 400; i += 2 {
		op, arg := ops[i]%queueOps, int(ops[i+1])
		var desc string
		switch op {
		case 0, 1, 2:
			desc = m.submit([]Kind{KindExec, KindWrite, KindExclusive}[op])
		case 3:
			desc = m.take()
		case 4:
			desc = m.cancel(arg)
		case 5:
			desc = m.endCtx(arg)
		case 6:
			desc = m.expire(arg)
		case 7:
			desc = m.answerTaken()
		case 8:
			desc = "close"
			m.close()
		case 9:
			desc = "fail-queued"
			m.failQueued()
		}
		m.check(fmt.Sprintf("op %d (%s)", i/2, desc))
	}
	// Shut down as the engine does, then every request must have exactly
	// the outcome the model decided.
	m.close()
	m.check("final close")
	m.failQueued()
	m.answerTaken()
	m.check("final drain")
	for _, r := range m.reqs {
		switch {
		case r.refused || r.withdrw:
			if r.replies != 0 {
				m.t.Fatalf("request %d: completed %d times, want never (refused or withdrawn)", r.id, r.replies)
			}
		case r.replies != 1:
			m.t.Fatalf("request %d: completed %d times, want exactly once", r.id, r.replies)
		}
		if !r.refused && !r.decided {
			m.t.Fatalf("request %d: admitted but the model never decided its outcome", r.id)
		}
		if !r.refused && !errors.Is(r.r.Err, r.outcome) && !(r.outcome == nil && r.r.Err == nil) {
			m.t.Fatalf("request %d: outcome %v, want %v", r.id, r.r.Err, r.outcome)
		}
	}
}

func (m *queueModel) newReq(kind Kind) *mreq {
	ctx, cancel := context.WithCancel(context.Background())
	mr := &mreq{id: len(m.reqs), cancel: cancel}
	mr.r = NewReplyRequest(ctx, kind, func(*Request) { mr.replies++ })
	m.reqs = append(m.reqs, mr)
	return mr
}

// decide records the outcome the model expects for r.
func (m *queueModel) decide(r *mreq, err error) {
	if r.decided {
		m.t.Fatalf("model: request %d decided twice", r.id)
	}
	r.decided, r.outcome = true, err
}

// enqueue admits r in the model, kicking an idle writer.
func (m *queueModel) enqueue(r *mreq) {
	m.queued = append(m.queued, r)
	m.admitted++
	if m.idle {
		m.idle = false
		m.expectKick()
	}
}

func (m *queueModel) expectKick() { m.wantKicks++ }

func (m *queueModel) submit(kind Kind) string {
	r := m.newReq(kind)
	err := m.q.Submit(r.r)
	desc := fmt.Sprintf("submit %s #%d", kind, r.id)
	var want error
	switch {
	case m.closed:
		want = ErrClosed
	case len(m.queued) < m.capacity && len(m.parked) == 0:
		m.enqueue(r)
	case m.policy == PolicyDropOldest:
		victim := m.queued[0]
		m.queued = m.queued[1:]
		m.dropped++
		m.decide(victim, ErrDropped)
		m.enqueue(r)
	case m.policy == PolicyBlock || m.policy == PolicyBlockTimeout:
		m.parked = append(m.parked, r)
	default:
		m.rejected++
		want = ErrQueueFull
	}
	if !errors.Is(err, want) || (want == nil) != (err == nil) {
		m.t.Fatalf("%s: Submit returned %v, want %v", desc, err, want)
	}
	if want != nil {
		r.refused = true
	}
	return desc
}

// refill admits parked requests while there is room.
func (m *queueModel) refill() {
	for len(m.queued) < m.capacity && len(m.parked) > 0 {
		r := m.parked[0]
		m.parked = m.parked[1:]
		m.enqueue(r)
	}
}

func (m *queueModel) take() string {
	var want []*mreq
	// The writer is busy while it takes: nothing it admits here kicks it.
	m.idle = false
	for len(want) < m.maxBatch {
		if len(m.queued) == 0 {
			m.refill()
			if len(m.queued) == 0 {
				break
			}
		}
		r := m.queued[0]
		if r.r.Ctx.Err() != nil {
			m.queued = m.queued[1:]
			m.expired++
			m.decide(r, context.Canceled)
			continue
		}
		if r.r.Kind == KindExclusive && len(want) > 0 {
			break
		}
		m.queued = m.queued[1:]
		want = append(want, r)
		if r.r.Kind == KindExclusive {
			break
		}
	}
	m.refill()
	if len(want) == 0 {
		m.idle = true
	}
	got := m.q.Take(m.maxBatch, nil)
	gotIDs, wantIDs := m.ids(got), idsOf(want)
	if !slices.Equal(gotIDs, wantIDs) {
		m.t.Fatalf("take: got requests %v, want %v (FIFO, Exclusive alone, expired skipped)", gotIDs, wantIDs)
	}
	for _, r := range want {
		r.taken = true
		m.taken = append(m.taken, r)
	}
	return fmt.Sprintf("take -> %v", wantIDs)
}

func (m *queueModel) ids(rs []*Request) []int {
	var ids []int
	for _, r := range rs {
		id := -1
		for _, mr := range m.reqs {
			if mr.r == r {
				id = mr.id
			}
		}
		ids = append(ids, id)
	}
	return ids
}

func idsOf(rs []*mreq) []int {
	var ids []int
	for _, r := range rs {
		ids = append(ids, r.id)
	}
	return ids
}

func (m *queueModel) pick(arg int) *mreq {
	if len(m.reqs) == 0 {
		return nil
	}
	return m.reqs[arg%len(m.reqs)]
}

var errWithdrawn = errors.New("withdrawn by its caller")

func (m *queueModel) cancel(arg int) string {
	r := m.pick(arg)
	if r == nil {
		return "cancel (none)"
	}
	want := false
	if i := slices.Index(m.parked, r); i >= 0 {
		m.parked = slices.Delete(m.parked, i, i+1)
		want = true
	} else if i := slices.Index(m.queued, r); i >= 0 {
		m.queued = slices.Delete(m.queued, i, i+1)
		m.refill()
		want = true
	}
	if want {
		m.expired++
		m.decide(r, errWithdrawn)
		r.withdrw = true
	}
	if got := m.q.Cancel(r.r, errWithdrawn); got != want {
		m.t.Fatalf("cancel #%d: Cancel returned %v, want %v", r.id, got, want)
	}
	return fmt.Sprintf("cancel #%d", r.id)
}

// endCtx ends a request's ctx without withdrawing it: the queue must answer
// it with the ctx error when the writer reaches it, and never hand it over.
func (m *queueModel) endCtx(arg int) string {
	r := m.pick(arg)
	if r == nil {
		return "end ctx (none)"
	}
	r.cancel()
	return fmt.Sprintf("end ctx #%d", r.id)
}

// expire fires a request's BlockTimeout timer (also for requests no longer
// parked, as a late timer would).
func (m *queueModel) expire(arg int) string {
	r := m.pick(arg)
	if r == nil || m.policy != PolicyBlockTimeout {
		return "expire (none)"
	}
	if i := slices.Index(m.parked, r); i >= 0 {
		m.parked = slices.Delete(m.parked, i, i+1)
		m.rejected++
		m.decide(r, ErrQueueFull)
	}
	m.q.expire(r.r)
	return fmt.Sprintf("expire #%d", r.id)
}

// answerTaken plays the writer answering its batch.
func (m *queueModel) answerTaken() string {
	for _, r := range m.taken {
		m.decide(r, nil)
		r.r.complete(nil)
	}
	m.taken = nil
	return "answer taken"
}

func (m *queueModel) close() {
	if !m.closed {
		m.closed = true
		for _, r := range m.parked {
			m.decide(r, ErrClosed)
		}
		m.parked = nil
	}
	m.q.Close()
}

func (m *queueModel) failQueued() {
	for _, r := range m.queued {
		m.decide(r, ErrClosed)
	}
	m.queued = nil
	m.q.FailQueued(ErrClosed)
}

// check compares the queue with the model after an operation.
func (m *queueModel) check(after string) {
	t := m.t
	t.Helper()
	gq, gp := m.q.Len()
	if gq != len(m.queued) || gp != len(m.parked) {
		t.Fatalf("after %s: queue holds %d queued, %d parked; model %v queued, %v parked", after, gq, gp, idsOf(m.queued), idsOf(m.parked))
	}
	if m.kicks != m.wantKicks {
		t.Fatalf("after %s: %d kicks, want %d (one per idle-to-busy transition)", after, m.kicks, m.wantKicks)
	}
	if m.idle && len(m.queued) > 0 {
		t.Fatalf("after %s: the writer is idle with %d requests queued and no kick coming", after, len(m.queued))
	}
	for name, c := range map[string][2]uint64{
		"Admitted": {m.c.Admitted.Load(), m.admitted},
		"Rejected": {m.c.Rejected.Load(), m.rejected},
		"Dropped":  {m.c.Dropped.Load(), m.dropped},
		"Expired":  {m.c.Expired.Load(), m.expired},
	} {
		if c[0] != c[1] {
			t.Fatalf("after %s: counter %s = %d, want %d", after, name, c[0], c[1])
		}
	}
	// Every decided, non-withdrawn request has been answered exactly once,
	// and nothing undecided has been answered.
	for _, r := range m.reqs {
		want := 0
		if r.decided && !r.withdrw {
			want = 1
		}
		if r.replies != want {
			t.Fatalf("after %s: request %d completed %d times, want %d", after, r.id, r.replies, want)
		}
	}
	if m.closed && m.idle && len(m.queued) == 0 {
		m.wasDrn = true
	}
	select {
	case <-m.q.Drained():
		if !m.wasDrn {
			t.Fatalf("after %s: Drained closed before the queue was closed, empty and idle", after)
		}
	default:
		if m.wasDrn {
			t.Fatalf("after %s: queue closed, empty and idle but Drained not closed", after)
		}
	}
}
