package actors

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/ncruces/go-sqlite3"
	"github.com/rs/zerolog"
)

// ReaderEnv is what the reader actors share and what outlives any one
// instance.
type ReaderEnv struct {
	Queue    *ReadQueue
	Conn     *ConnConfig
	Counters *Counters
	Log      zerolog.Logger
	Self     []atomic.Pointer[actor.PID] // by reader index
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
	stopped  stoppedSet
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
	return actor.PropsFromProducer(func() actor.Actor { return &reader{env: env, idx: i} }, actor.WithDispatcher(env.Dispatchers[i]))
}

type reader struct {
	env     *ReaderEnv
	idx     int
	conn    *Conn
	buf     []*Request
	restart error
	guard   bool // caller SQL is running: transaction control is denied
	denied  bool // the authorizer denied something while guarded
}

func (rd *reader) Receive(ctx actor.Context) {
	if rd.env.stopped.has(ctx.Self()) {
		return // stopped, then restarted by protoactor: see stoppedSet
	}
	switch ctx.Message().(type) {
	case *Kick:
		rd.step(ctx)
	case *actor.Started:
		rd.start(ctx)
	case *actor.Restarting:
		rd.env.Counters.ReaderRestarts.Add(1)
		rd.closeConn()
	case *actor.Stopping:
		rd.env.stopped.add(ctx.Self())
		rd.closeConn()
	}
}

func (rd *reader) start(ctx actor.Context) {
	env := rd.env
	rd.conn = startConn(&env.Initial[rd.idx], OpenReader, env.Conn, rd.authorize, "reader")
	env.Self[rd.idx].Store(ctx.Self())
	env.Txns[rd.idx].end() // a crashed instance's transaction died with its connection
	// Reads a crashed instance had taken go back to the front of the queue.
	env.Queue.Requeue(env.getInflight(rd.idx))
	env.setInflight(rd.idx, nil)
	if !env.Queue.IsIdle(rd.idx) {
		ctx.Send(ctx.Self(), KickMsg)
	}
}

func (rd *reader) closeConn() {
	if rd.conn != nil {
		if err := rd.conn.Close(); err != nil {
			rd.env.Log.Warn().Str("component", "reader").Int("reader", rd.idx).Err(err).Msg("close connection")
		}
		rd.conn = nil
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
		rd.runOne(batch[0])
		rd.answer(batch[0])
	}
	if !rd.conn.GetAutocommit() {
		// Nothing may keep a transaction open between requests: it would
		// pin an old snapshot (and under a rollback journal block commits).
		if err := rd.exec("ROLLBACK"); err != nil && rd.restart == nil {
			rd.restart = err
		}
	}
	env.Txns[rd.idx].end()
	env.setInflight(rd.idx, nil)
	rd.buf = batch[:0]
	clear(batch[:cap(batch)])
	afterStep(ctx, &rd.restart)
}

// runGroup runs several point queries in one read transaction: one snapshot
// taken after every one of them was submitted, so each still sees every
// write that returned before it was called.
func (rd *reader) runGroup(batch []*Request) {
	rd.env.Counters.ReadGroups.Add(1)
	began := rd.exec("BEGIN") == nil
	for i, r := range batch {
		rd.runOne(r)
		r.Batch, r.BatchPos = len(batch), i
	}
	if began && !rd.conn.GetAutocommit() {
		rd.exec("COMMIT")
	}
	for _, r := range batch {
		rd.answer(r)
	}
}

func (rd *reader) answer(r *Request) {
	rd.env.Counters.Reads.Add(1)
	r.complete(nil)
}

func (rd *reader) runOne(r *Request) {
	if r.Timed {
		r.Started = time.Now()
	}
	if err := r.Ctx.Err(); err != nil {
		r.Err = err
		return
	}
	ctx := r.Ctx
	if rd.env.MaxReadAge > 0 {
		var done func()
		ctx, done = rd.env.Txns[rd.idx].watch(ctx)
		defer done()
	}
	interruptible := ctx.Done() != nil
	if interruptible {
		rd.conn.SetInterrupt(ctx)
	}
	defer func() {
		if interruptible {
			rd.conn.SetInterrupt(context.Background())
		}
		if p := recover(); p != nil {
			rd.broken(r, &PanicError{Value: p})
		}
	}()
	switch r.Kind {
	case KindQuery:
		rd.guard, rd.denied = true, false
		r.Rows, r.Err = runQuery(rd.conn, r.SQL, r.Args)
		rd.guard = false
	case KindRead:
		r.Err = rd.read(r)
	}
	r.Err = rd.explain(r.Err)
	if rd.env.MaxReadAge > 0 {
		r.Err = tooOld(ctx, r.Err)
	}
	if r.Err != nil && interruptible && r.Ctx.Err() != nil && errors.Is(r.Err, sqlite3.INTERRUPT) {
		r.Err = fmt.Errorf("%w (%w)", r.Ctx.Err(), r.Err)
	}
}

// read runs the callback in one read transaction.
func (rd *reader) read(r *Request) error {
	if err := rd.exec("BEGIN"); err != nil {
		return err
	}
	rd.guard, rd.denied = true, false
	err, panicked := callFn(r.Fn, rd.conn.Conn)
	rd.guard = false
	rd.conn.SetInterrupt(context.Background())
	if panicked {
		rd.restart = err
	}
	if !rd.conn.GetAutocommit() {
		if cErr := rd.exec("ROLLBACK"); cErr != nil && rd.restart == nil {
			rd.restart = cErr
		}
	}
	return err
}

// broken answers r, puts the rest of the batch back in the queue, and
// crashes so the supervisor replaces the connection.
func (rd *reader) broken(r *Request, err error) {
	env := rd.env
	var rest []*Request
	for _, o := range env.getInflight(rd.idx) {
		if o != r {
			rest = append(rest, o)
		}
	}
	env.setInflight(rd.idx, rest)
	r.Err = err
	rd.answer(r)
	panic(fmt.Errorf("liteactor: reader connection broken: %w", err))
}

func (rd *reader) exec(sql string) error {
	return rd.conn.execEngine(sql)
}

// authorize denies, in callers' SQL, transaction control (BEGIN, COMMIT,
// ROLLBACK, SAVEPOINT, RELEASE: the reader owns its read transactions) and
// setting PRAGMA query_only (which would let a reader write behind the
// writer's back). Every other PRAGMA that writes is refused by query_only.
func (rd *reader) authorize(action sqlite3.AuthorizerActionCode, name3rd, name4th, _, _ string) sqlite3.AuthorizerReturnCode {
	if !rd.guard {
		return sqlite3.AUTH_OK
	}
	if action == sqlite3.AUTH_TRANSACTION || action == sqlite3.AUTH_SAVEPOINT ||
		(action == sqlite3.AUTH_PRAGMA && strings.EqualFold(name3rd, "query_only") && name4th != "") {
		rd.denied = true
		return sqlite3.AUTH_DENY
	}
	return sqlite3.AUTH_OK
}

func (rd *reader) explain(err error) error {
	if err != nil && rd.denied && errors.Is(err, sqlite3.AUTH) {
		return fmt.Errorf("%w: transaction control (BEGIN, COMMIT, ROLLBACK, SAVEPOINT) and PRAGMA query_only are not allowed in Query or Read: %w", ErrInvalidArg, err)
	}
	return err
}
