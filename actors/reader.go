package actors

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/ncruces/go-sqlite3"
)

// ReaderEnv is what the reader actors share and what outlives any one
// instance.
type ReaderEnv struct {
	ConnEnv
	Queue *ReadQueue                  // the queue the readers pull from
	Self  []atomic.Pointer[actor.PID] // by reader index
	// Initial holds the connections Open made; instance i adopts Initial[i]
	// once.
	Initial []*Conn
	// Dispatchers pin each reader's mailbox to one goroutine (by index).
	Dispatchers []*PinnedDispatcher
	// Txns tracks each reader's open read transaction (by index) for the
	// WAL monitor.
	Txns []ReadTxn
	// MaxReadAge, when positive, makes every read interruptible by
	// ReadTxn.Interrupt (Config.WAL.ReadTxnMaxAge).
	MaxReadAge time.Duration
	// inflight: what each reader has taken and not answered (by index).
	mu       sync.Mutex
	inflight [][]*Request
}

func (env *ReaderEnv) setInflight(i int, rs []*Request) {
	env.mu.Lock()
	env.inflight[i] = rs
	env.mu.Unlock()
}

func (env *ReaderEnv) getInflight(i int) []*Request {
	env.mu.Lock()
	defer env.mu.Unlock()
	return env.inflight[i]
}

// FailInflight answers what crashed readers left in flight with err, once
// the engine's tree has stopped for good.
func (env *ReaderEnv) FailInflight(err error) {
	env.mu.Lock()
	var rs []*Request
	for i, in := range env.inflight {
		rs = append(rs, in...)
		env.inflight[i] = nil
	}
	env.mu.Unlock()
	for _, r := range rs {
		r.Err = err
		r.complete(nil)
	}
}

// NewReaderEnv sizes the per-reader state for n readers.
func NewReaderEnv(n int) *ReaderEnv {
	env := &ReaderEnv{Self: make([]atomic.Pointer[actor.PID], n), Initial: make([]*Conn, n), inflight: make([][]*Request, n),
		Txns: make([]ReadTxn, n)}
	for range n {
		env.Dispatchers = append(env.Dispatchers, NewPinnedDispatcher(300))
	}
	return env
}

// NewReaderProps returns the props of reader i.
func NewReaderProps(env *ReaderEnv, i int) *actor.Props {
	return actor.PropsFromProducer(func() actor.Actor {
		rd := &reader{env: env, idx: i}
		rd.connActor = connActor{env: &env.ConnEnv, role: rd, name: "reader", restarts: &env.Counters.ReaderRestarts,
			denial: "transaction control (BEGIN, COMMIT, ROLLBACK, SAVEPOINT) and PRAGMA query_only are not allowed in Query or Read",
			log:    env.Log.With().Str("component", "reader").Int("reader", i).Logger()}
		return rd
	}, actor.WithDispatcher(env.Dispatchers[i]))
}

// reader is one of the pool's actors: it pulls reads from the ReadQueue
// and runs each in a read transaction on its query_only connection.
type reader struct {
	connActor
	env *ReaderEnv
	idx int
	buf []*Request
}

// control ignores every other message: readers take none.
func (rd *reader) control(any, bool) {}

func (rd *reader) start(ctx actor.Context) {
	env := rd.env
	auth := rd.authorize // one method value: each one allocates
	rd.conn = startConn(&env.Initial[rd.idx], OpenReader, env.Conn, auth, rd.name)
	rd.rearm = func() {
		if !rd.authorized() {
			rd.conn.SetAuthorizer(auth)
		}
	}
	env.Self[rd.idx].Store(ctx.Self())
	env.Txns[rd.idx].end() // a crashed instance's transaction died with its connection
	// Reads a crashed instance had taken go back to the front of the queue.
	env.Queue.Requeue(env.getInflight(rd.idx))
	env.setInflight(rd.idx, nil)
	if !env.Queue.IsIdle(rd.idx) {
		ctx.Send(ctx.Self(), KickMsg)
	}
}

func (rd *reader) step(ctx actor.Context) {
	env := rd.env
	batch := env.Queue.Take(rd.idx, rd.buf)
	if len(batch) == 0 {
		return
	}
	env.setInflight(rd.idx, batch)
	env.Txns[rd.idx].begin(time.Now())
	if len(batch) > 1 {
		rd.runGroup(batch)
	} else {
		rd.runRead(batch[0])
	}
	if !rd.conn.GetAutocommit() {
		// Nothing may keep a transaction open between requests: it would
		// pin an old snapshot (and under a rollback journal block commits).
		if err := rd.exec("ROLLBACK"); err != nil && rd.restart == nil {
			rd.restart = err
		}
	}
	env.Txns[rd.idx].end()
	// Nothing of this reader refers to an answered request: its owner may
	// reuse it (Request.Release).
	env.setInflight(rd.idx, nil)
	for _, r := range batch {
		rd.answer(r)
	}
	rd.buf = batch[:0]
	clear(batch[:cap(batch)])
	rd.afterStep(ctx)
}

// runGroup runs several point queries in one read transaction (step answers
// them once it is over): one snapshot
// taken after every one of them was submitted, so each still sees every
// write that returned before it was called.
func (rd *reader) runGroup(batch []*Request) {
	rd.env.Counters.ReadGroups.Add(1)
	began := rd.exec("BEGIN") == nil
	for i, r := range batch {
		rd.runRead(r)
		r.Batch, r.BatchPos = len(batch), i
	}
	if began && !rd.conn.GetAutocommit() {
		rd.exec("COMMIT")
	}
}

func (rd *reader) answer(r *Request) {
	rd.env.Counters.Reads.Add(1)
	r.complete(nil)
}

// runRead runs one read or query, under ReadTxnMaxAge's watch when set.
func (rd *reader) runRead(r *Request) {
	if r.Timed {
		r.Started = time.Now()
	}
	if err := r.Ctx.Err(); err != nil {
		r.Err = err
		return
	}
	if rd.env.MaxReadAge <= 0 {
		rd.runOne(r, r.Ctx)
		return
	}
	ctx, done := rd.env.Txns[rd.idx].watch(r.Ctx)
	defer done()
	rd.runOne(r, ctx)
}

// run runs r on the connection (see connActor.runOne); ctx is r.Ctx, or
// the one ReadTxnMaxAge may cancel.
func (rd *reader) run(r *Request, ctx context.Context) {
	switch r.Kind {
	case KindQuery:
		rd.guard, rd.denied = true, false
		r.Rows, r.Err = runQuery(rd.conn, r.SQL, r.Args, true)
		rd.guard = false
	case KindRead:
		r.Err = rd.read(r)
	}
	r.Err = rd.explain(r.Err)
	if rd.env.MaxReadAge > 0 {
		r.Err = tooOld(ctx, r.Err)
	}
}

// release takes r out of what this reader holds in flight (the rest go back
// to the queue when the next instance starts) and counts it answered.
func (rd *reader) release(r *Request) {
	env := rd.env
	var rest []*Request
	for _, o := range env.getInflight(rd.idx) {
		if o != r {
			rest = append(rest, o)
		}
	}
	env.setInflight(rd.idx, rest)
	env.Counters.Reads.Add(1)
}

// read runs the callback in one read transaction.
func (rd *reader) read(r *Request) error {
	if err := rd.exec("BEGIN"); err != nil {
		return err
	}
	rd.guard, rd.denied = true, false
	err := rd.callback(r)
	if !rd.conn.GetAutocommit() {
		if cErr := rd.exec("ROLLBACK"); cErr != nil && rd.restart == nil {
			rd.restart = cErr
		}
	}
	return err
}

// authorize denies, in callers' SQL, transaction control (BEGIN, COMMIT,
// ROLLBACK, SAVEPOINT, RELEASE: the reader owns its read transactions) and
// statements that change the connection's state (see stateChange: PRAGMA
// query_only=0 would let a reader write behind the writer's back; ATTACH,
// VACUUM INTO, wal_checkpoint...). Every other PRAGMA that writes is
// refused by query_only.
func (rd *reader) authorize(action sqlite3.AuthorizerActionCode, name3rd, name4th, _, _ string) sqlite3.AuthorizerReturnCode {
	if rd.probed() {
		return sqlite3.AUTH_OK
	}
	if !rd.guard {
		return sqlite3.AUTH_OK
	}
	if action == sqlite3.AUTH_TRANSACTION || action == sqlite3.AUTH_SAVEPOINT {
		return rd.deny(rd.denial)
	}
	if why, changes := stateChange(action, name3rd, name4th); changes {
		return rd.deny(why)
	}
	return sqlite3.AUTH_OK
}
