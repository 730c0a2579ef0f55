package actors

import (
	"context"
	"sync"
	"time"

	"github.com/liteactor/liteactor/internal/sqlstmt"
	"github.com/ncruces/go-sqlite3"
)

// Kind says what a Request asks for.
type Kind uint8

// Request kinds.
const (
	KindExec      Kind = iota // one statement (or several, without args) on the writer
	KindWrite                 // a closure on the writer, inside its own SAVEPOINT
	KindExclusive             // a closure alone on the writer, outside any transaction
	KindQuery                 // one statement on a reader (on the writer: WriteQuery), rows copied out
	KindRead                  // a closure on a reader, inside one read transaction
)

// String names the kind for logs.
func (k Kind) String() string {
	switch k {
	case KindExec:
		return "exec"
	case KindWrite:
		return "write"
	case KindExclusive:
		return "exclusive"
	case KindQuery:
		return "query"
	case KindRead:
		return "read"
	}
	return "unknown"
}

// Result is what an Exec reports.
type Result struct {
	RowsAffected int64 // SQLite's changes()
	LastInsertID int64 // SQLite's last_insert_rowid() on the writer connection
}

// Rows is a fully materialised query result. Values holds one slice per row,
// each value an int64, float64, string, []byte or nil.
type Rows struct {
	Columns []string // result column names
	Values  [][]any  // one slice per row
}

// request states, guarded by the mutex of the queue that holds the request.
const (
	stNew     uint8 = iota
	stWaiting       // parked, waiting for room in the admission queue
	stQueued        // admitted, waiting for the writer or a reader
	stTaken         // an actor owns it; only that actor completes it
	stDone          // answered
)

// Request is one unit of work for the writer or a reader. It is created by
// the engine's front door, passes a queue, and is completed exactly once:
// either by the queue (dropped, expired, cancelled, closed) or by the actor
// that took it.
type Request struct {
	Kind  Kind            // what it asks for
	state uint8           // guarded by the lock of the queue that holds it (next to Kind: keeps Request in its size class)
	Ctx   context.Context // a queued request whose Ctx ends never runs; a running one is interrupted
	SQL   string          // KindExec, KindQuery: the statement
	Args  []any           // KindExec, KindQuery: its arguments
	Fn    func(*sqlite3.Conn) error
	// Stmts, when set, replaces Fn for KindWrite, KindExclusive and
	// KindRead: it gets the connection with its statement cache (the
	// handle of Engine.WriteTx and ReadTx, and the engine's single-statement
	// calls that scan on the actor: QueryRow, QueryFunc, QueryLimit). On a
	// reader its Conn refuses statements that write with ErrNotReadOnly
	// before they run.
	Stmts func(sqlstmt.Conn, *Request) error
	// Dest, for a Stmts function that scans one row (QueryRow's Scan):
	// the destinations, carried by the request so that the function needs
	// no closure.
	Dest []any
	// Sealed: Stmts runs only the engine's own code (QueryRow's Scan,
	// QueryLimit), so no caller's code saw the connection and its guards
	// need no check afterwards (see connActor.authorized).
	Sealed bool

	// Outcome, valid once the request is done.
	Result Result // KindExec
	Rows   *Rows  // KindQuery
	Err    error  // nil on success

	// Timing, for observers: recorded only when Timed is set, so that the
	// hot path pays no clock reads when nobody looks.
	Timed    bool
	Enqueued time.Time // when a queue accepted it
	Started  time.Time // when an actor began running it
	Finished time.Time // when it was answered
	Batch    int       // size of the batch the request ran in
	BatchPos int       // its position in that batch

	// Reply, when set, is called exactly once with the completed request
	// (the actor-message path). Otherwise Done is signalled.
	Reply func(*Request)
	Done  chan struct{} // receives once when the request is answered (NewRequest)

	prev, next *Request
	timer      *time.Timer // BlockTimeout / ReadTimeout timer of a parked actor request
	// timed: a timer was armed for r at some point. A timer that fired may
	// still be about to take the queue's lock for r, so r is never reused.
	timed bool
}

// requests recycles the Go API's requests and their Done channels (see
// Release): a call then costs no allocation for its request.
var requests = sync.Pool{New: func() any { return &Request{Done: make(chan struct{}, 1)} }}

// NewRequest returns a request whose completion is signalled on Done. The
// caller that submits it may hand it back with Release once it has read
// the outcome.
func NewRequest(ctx context.Context, kind Kind) *Request {
	r := requests.Get().(*Request)
	r.Kind, r.Ctx = kind, ctx
	return r
}

// Release hands r back for reuse. Only its owner may call it, once the
// queue's Await has returned (r is then answered or withdrawn: no queue,
// actor or timer refers to it any more), and must not touch r after. A
// request made with NewReplyRequest, or one that had a timer armed, is left
// to the garbage collector instead: a timer that already fired may still
// be on its way to the queue's lock.
func (r *Request) Release() {
	if r.reusable() {
		r.reset()
		requests.Put(r)
	}
}

// reusable reports whether r may be recycled: made by NewRequest, never
// timed, and not signalled without being received (answered twice, or its
// owner did not wait for it: such a request is never reused).
func (r *Request) reusable() bool {
	if r.Reply != nil || r.timed || r.Done == nil {
		return false
	}
	select {
	case <-r.Done:
		return false
	default:
		return true
	}
}

// reset clears everything but the Done channel.
func (r *Request) reset() { *r = Request{Done: r.Done} }

// complete records err and signals the request's owner. The caller must own
// the request (hold the queue lock with the request in it, or have taken it).
func (r *Request) complete(err error) {
	if err != nil {
		r.Err = err
	}
	// r.state is not touched here: queues set stDone under their lock, and
	// a taken request stays stTaken so a late Cancel leaves it alone.
	if r.Timed {
		r.Finished = time.Now()
	}
	if r.timer != nil {
		r.timer.Stop()
		r.timer = nil
	}
	if r.Reply != nil {
		r.Reply(r)
		return
	}
	r.Done <- struct{}{}
}

// NewReplyRequest returns a request completed by calling reply (the actor
// path): reply runs exactly once, on whichever goroutine completes it, and
// must not block.
func NewReplyRequest(ctx context.Context, kind Kind, reply func(*Request)) *Request {
	return &Request{Kind: kind, Ctx: ctx, Reply: reply}
}
