package actors

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/liteactor/liteactor/messages"
	"github.com/ncruces/go-sqlite3"
)

// Checkpoint asks the writer to run wal_checkpoint between batches; Reply
// gets the result (it must not block). The mode is not checked here: the
// engine refuses RESTART and unknown modes before sending.
type Checkpoint struct {
	Mode sqlite3.CheckpointMode // run as given
	// BusyTimeout, when positive, bounds how long the checkpoint waits for
	// readers or writers (the connection's busy timeout for this call only).
	BusyTimeout time.Duration
	// Reply gets the result, exactly once, on the writer's goroutine.
	Reply func(messages.CheckpointResult)
}

// WriterEnv is the writer's state that outlives any one actor instance: the
// queue, the connection settings, and the batch in flight, so a restart
// neither loses nor repeats an admitted request.
type WriterEnv struct {
	ConnEnv
	Queue    *Queue                    // the admission queue the writer takes batches from
	MaxBatch int                       // most requests per transaction
	Self     atomic.Pointer[actor.PID] // the running instance, for kicks and checkpoints
	// Initial is the connection Open made; the first instance adopts it.
	Initial *Conn
	// OnCheckpoint, if set, sees every checkpoint result (WAL monitor stats).
	OnCheckpoint func(messages.CheckpointResult)
	// OnConn, if set, is called with every fresh writer connection (the WAL
	// monitor learns the -wal file's name there).
	OnConn func(*sqlite3.Conn)
	// WALHook, if set, is installed on every writer connection and again
	// after every callback, which may have replaced it (the WAL monitor's).
	WALHook func(*sqlite3.Conn, string, int) error
	// Sync bounds what synchronous=NORMAL may lose (see WALSync).
	Sync WALSync
	// Replaced latches ErrFileReplaced (see FileWatch).
	Replaced FileWatch

	// Ready is closed once the first writer instance has started and its PID
	// is known (Open waits for it).
	Ready     chan struct{}
	readyOnce sync.Once

	// Dispatcher runs the writer's mailbox on one pinned goroutine.
	Dispatcher *PinnedDispatcher

	mu        sync.Mutex
	inflight  []*Request // taken but not yet answered
	committed bool       // inflight's transaction committed: answer, don't rerun
}

func (env *WriterEnv) setInflight(rs []*Request, committed bool) {
	env.mu.Lock()
	env.inflight, env.committed = rs, committed
	env.mu.Unlock()
}

// Busy reports whether the writer holds a batch it has not answered yet.
func (env *WriterEnv) Busy() bool {
	env.mu.Lock()
	defer env.mu.Unlock()
	return len(env.inflight) > 0
}

func (env *WriterEnv) takeInflight() ([]*Request, bool) {
	env.mu.Lock()
	defer env.mu.Unlock()
	rs, c := env.inflight, env.committed
	env.inflight, env.committed = nil, false
	return rs, c
}

// FailInflight answers what a crashed writer left in flight with err. The
// engine calls it once its tree has stopped for good: those requests will
// never run (their transaction died with the connection).
func (env *WriterEnv) FailInflight(err error) {
	rs, committed := env.takeInflight()
	for _, r := range rs {
		if !committed {
			r.Err = err
		}
		r.complete(nil)
	}
}

// NewWriterProps returns the props of the writer actor.
// It panics if env.Dispatcher is nil.
func NewWriterProps(env *WriterEnv) *actor.Props {
	return actor.PropsFromProducer(func() actor.Actor {
		w := &writer{env: env}
		w.connActor = connActor{env: &env.ConnEnv, role: w, name: "writer", restarts: &env.Counters.WriterRestarts,
			denial: "transaction control (BEGIN, COMMIT, ROLLBACK, RELEASE) is not allowed in Exec or Write; use Exclusive",
			log:    env.Log.With().Str("component", "writer").Logger()}
		return w
	}, actor.WithDispatcher(env.Dispatcher))
}

// writer is the one actor that writes: it takes batches from the admission
// queue and commits each in one transaction (group commit).
type writer struct {
	connActor
	env    *WriterEnv
	buf    []*Request
	single bool // a one-statement Exec is being prepared: savepoints are denied
	sp     bool // the authorizer denied a savepoint statement in single mode
	root   *actor.RootContext
	// answered is how many callers the last batch answered: they are
	// likely to submit again at once (see fill).
	answered int
	ws       walSyncer
	wal      bool // the database is in WAL mode (re-read after each Exclusive)
	files    fileWatcher

	lost       bool        // SQLite rolled back the transaction under caller SQL (see lostTxn)
	refused    bool        // the commit hook refused a commit of caller SQL after that
	exclusive  bool        // an Exclusive callback runs: the authorizer notes state changes
	onCommit   func() bool // the commit and rollback hooks (installHooks)
	onRollback func()
	dirty      string // what an Exclusive callback changed in the connection's state
}

const savepointName = "liteactor_write"

// control handles the writer's control messages between batches: a
// checkpoint request (a stopped instance answers it ErrClosed), the interval
// fsync of the WAL (WALSync) and the file check (CheckFile).
func (w *writer) control(msg any, refused bool) {
	switch msg.(type) {
	case *syncDue:
		if !refused {
			w.syncDue()
		}
		return
	case *CheckFile:
		if !refused {
			w.checkFile(false)
		}
		return
	}
	m, ok := msg.(*Checkpoint)
	if !ok {
		return
	}
	if refused {
		m.Reply(messages.CheckpointResult{Mode: m.Mode, Err: ErrClosed, At: time.Now()})
		return
	}
	m.Reply(w.checkpoint(m.Mode, m.BusyTimeout))
}

func (w *writer) start(ctx actor.Context) {
	env := w.env
	if env.Replaced.Err() == nil {
		// Once the file was replaced, no connection is opened again: the
		// path now names another database, which the old -wal file would
		// corrupt. Every batch is answered ErrFileReplaced.
		auth := w.authorize // one method value: each one allocates
		w.conn = startConn(&env.Initial, OpenWriter, env.Conn, auth, w.name)
		w.installHooks()
		w.rearm = func() {
			if !w.authorized() {
				w.conn.SetAuthorizer(auth)
			}
			w.installHooks()
		}
		w.wal = !env.Conn.Memory
		if env.OnConn != nil {
			env.OnConn(w.conn.Conn)
		}
	}
	w.root = ctx.ActorSystem().Root
	w.committed() // a crashed instance may have left commits unsynced
	env.Self.Store(ctx.Self())
	env.readyOnce.Do(func() { close(env.Ready) })
	// Finish what a crashed instance left behind, then look for work: a
	// kick sent while no instance was alive may have been lost.
	if rs, committed := env.takeInflight(); len(rs) > 0 {
		if committed {
			w.answer(rs)
		} else {
			w.runBatch(rs)
		}
	}
	ctx.Send(ctx.Self(), KickMsg)
}

// step runs one batch, then kicks itself so control messages (checkpoints)
// interleave with batches under sustained load.
func (w *writer) step(ctx actor.Context) {
	w.fill()
	batch := w.env.Queue.Take(w.env.MaxBatch, w.buf)
	if len(batch) == 0 {
		return
	}
	w.runBatch(batch)
	w.answered = len(batch)
	w.buf = batch[:0]
	clear(batch[:cap(batch)])
	w.afterStep(ctx)
}

// fill lets the callers the last batch answered submit again before the
// next batch is taken, so that they share its transaction instead of
// waiting for the one after it: while the queue holds fewer requests than
// that batch answered plus what was waiting (and fewer than MaxBatch), the
// writer yields its core, and stops as soon as a yield brought no new
// request. There is no timer: it waits only while requests keep arriving,
// so at most one yield when nobody resubmits.
func (w *writer) fill() {
	q, n := w.env.Queue, w.answered
	w.answered = 0
	if n == 0 {
		return
	}
	queued, _ := q.Len()
	target := min(n+queued, w.env.MaxBatch)
	for i := 0; queued < target && i < target; i++ {
		runtime.Gosched()
		now, _ := q.Len()
		if now <= queued {
			return
		}
		queued = now
	}
}

// runBatch runs the batch and answers every request in it. If the connection
// breaks it answers the request that broke it, leaves the others in
// env.inflight, and panics so the supervisor replaces the connection.
func (w *writer) runBatch(batch []*Request) {
	env := w.env
	env.setInflight(batch, false)
	debug := env.Log.Debug().Enabled()
	var start time.Time
	if debug {
		start = time.Now()
	}
	switch err := env.Replaced.Err(); {
	case err != nil:
		for _, r := range batch {
			r.Err = err
		}
	case batch[0].Kind == KindExclusive:
		w.runExclusive(batch[0])
	default:
		w.runGroup(batch)
	}
	env.setInflight(batch, true)
	w.answer(batch)
	w.committed()
	if debug {
		w.log.Debug().Str("op", "commit").Int("batch", len(batch)).Dur("duration", time.Since(start)).Msg("batch done")
	}
}

func (w *writer) answer(batch []*Request) {
	env := w.env
	n := len(batch)
	env.Counters.Batches.Add(1)
	env.Counters.BatchedReqs.Add(uint64(n))
	env.Counters.Completed.Add(uint64(n))
	env.setInflight(nil, false)
	for i, r := range batch {
		r.Batch, r.BatchPos = n, i
		r.complete(nil)
	}
}

// runGroup commits the batch in one BEGIN IMMEDIATE transaction. When SQLite
// rolls the whole transaction back under a request (interrupt, I/O error,
// full disk, ON CONFLICT ROLLBACK), that request keeps its error and the
// others run again in a fresh transaction: nothing of theirs was committed.
func (w *writer) runGroup(batch []*Request) {
	pending := batch
	var retry []*Request
	for len(pending) > 0 {
		if err := w.exec("BEGIN IMMEDIATE"); err != nil {
			for _, r := range pending {
				r.Err = fmt.Errorf("liteactor: begin: %w", err)
			}
			return
		}
		rolledBack := -1
		for i, r := range pending {
			r.Err = nil
			if err := r.Ctx.Err(); err != nil {
				r.Err = err
				continue
			}
			if r.Timed {
				r.Started = time.Now()
			}
			w.runOne(r, r.Ctx)
			if w.conn.GetAutocommit() {
				rolledBack = i
				break
			}
		}
		if rolledBack >= 0 {
			if r := pending[rolledBack]; r.Err == nil {
				r.Err = fmt.Errorf("liteactor: SQLite rolled back the transaction")
			}
			retry = append(retry[:0], pending[:rolledBack]...)
			retry = append(retry, pending[rolledBack+1:]...)
			pending = append([]*Request(nil), retry...)
			continue
		}
		// The last moment to refuse: nothing is acknowledged into a file
		// that was replaced (see checkFile).
		if err := w.checkFile(true); err != nil {
			w.exec("ROLLBACK")
			for _, r := range pending {
				if r.Err == nil {
					r.Err = err
				}
			}
			return
		}
		if err := w.exec("COMMIT"); err != nil {
			if !w.conn.GetAutocommit() {
				w.exec("ROLLBACK")
			}
			for _, r := range pending {
				if r.Err == nil {
					r.Err = fmt.Errorf("liteactor: commit: %w", err)
				}
			}
		}
		return
	}
}

// run runs one request inside the open transaction (see connActor.runOne).
func (w *writer) run(r *Request, _ context.Context) {
	switch r.Kind {
	case KindExec:
		r.Result, r.Err = w.userExec(r)
	case KindWrite:
		r.Err = w.userWrite(r)
	case KindQuery: // Engine.WriteQuery: a statement that writes and returns rows (RETURNING)
		r.Rows, r.Err = w.userQuery(r)
	}
}

// release takes r out of the batch in flight, leaving the rest for the next
// instance, and counts it answered.
func (w *writer) release(r *Request) {
	env := w.env
	all, _ := env.takeInflight()
	rest := make([]*Request, 0, len(all))
	for _, o := range all {
		if o != r {
			rest = append(rest, o)
		}
	}
	env.setInflight(rest, false)
	env.Counters.Completed.Add(1)
}

// userExec runs a caller's Exec. A single statement runs bare inside the
// batch's transaction, so it must not open a savepoint (it would outlive
// the request, and a later request's ROLLBACK TO could undo other callers'
// acknowledged work) nor end one: savepoint statements are denied there, and
// a statement denied for that reason runs as a one-statement script, inside
// its own savepoint like Write.
func (w *writer) userExec(r *Request) (Result, error) {
	w.guard, w.single, w.denied, w.sp, w.lost, w.refused = true, true, false, false, false, false
	defer func() { w.guard, w.single = false, false }()
	res, err := runExec(w.conn, r.SQL, r.Args)
	w.single = false
	if !w.lost && len(r.Args) == 0 && (errors.Is(err, errMultiStatement) || (w.sp && errors.Is(err, sqlite3.AUTH))) {
		w.denied = false
		res, err = w.script(r.SQL)
	}
	w.guard = false
	if w.lost {
		return Result{}, w.lostTxn(err)
	}
	return res, w.explain(err)
}

// userQuery runs a caller's one statement that writes and returns rows
// (INSERT ... RETURNING) bare inside the batch's transaction, under the
// same rules as a one-statement Exec.
func (w *writer) userQuery(r *Request) (*Rows, error) {
	w.guard, w.single, w.denied, w.sp = true, true, false, false
	defer func() { w.guard, w.single = false, false }()
	rows, err := runQuery(w.conn, r.SQL, r.Args, false)
	return rows, w.explain(err)
}

// script runs several statements atomically inside a savepoint.
func (w *writer) script(sql string) (Result, error) {
	w.guard = false
	if err := w.exec("SAVEPOINT " + savepointName); err != nil {
		return Result{}, err
	}
	w.guard = true
	err := w.conn.Exec(sql)
	w.guard = false
	w.conn.SetInterrupt(context.Background()) // the engine's own statements must not be interrupted
	return Result{RowsAffected: w.conn.Changes(), LastInsertID: w.conn.LastInsertRowID()}, w.endSavepoint(err)
}

func (w *writer) userWrite(r *Request) error {
	if err := w.exec("SAVEPOINT " + savepointName); err != nil {
		return err
	}
	w.guard, w.denied, w.lost, w.refused = true, false, false, false
	err := w.callback(r)
	if w.lost {
		return w.lostTxn(err)
	}
	return w.explain(w.endSavepoint(err))
}

// endSavepoint releases the request's savepoint, or rolls back to it first
// when the request failed. If SQLite already rolled back the whole
// transaction there is nothing to end: the caller sees autocommit.
func (w *writer) endSavepoint(err error) error {
	if w.conn.GetAutocommit() {
		return err
	}
	if err != nil {
		if rbErr := w.exec("ROLLBACK TO " + savepointName); rbErr != nil {
			panic(fmt.Errorf("rollback to savepoint: %w", rbErr))
		}
	}
	if relErr := w.exec("RELEASE " + savepointName); relErr != nil {
		if err == nil {
			return relErr
		}
		panic(fmt.Errorf("release savepoint: %w", relErr))
	}
	return err
}

// authorize denies statements that would end the engine's transaction, or
// touch the engine's savepoint, while user SQL runs inside it; and savepoint
// statements in a one-statement Exec (see userExec).
func (w *writer) authorize(action sqlite3.AuthorizerActionCode, name3rd, name4th, _, _ string) sqlite3.AuthorizerReturnCode {
	if w.probed() {
		return sqlite3.AUTH_OK
	}
	if !w.guard {
		if w.exclusive && w.dirty == "" {
			if what, changes := stateChange(action, name3rd, name4th); changes {
				w.dirty = what
			}
		}
		return sqlite3.AUTH_OK
	}
	// Savepoint names compare as SQLite compares them: RELEASE
	// LITEACTOR_WRITE names the engine's savepoint.
	if action == sqlite3.AUTH_TRANSACTION || (action == sqlite3.AUTH_SAVEPOINT && strings.EqualFold(name4th, savepointName)) {
		return w.deny(w.denial)
	}
	if action == sqlite3.AUTH_SAVEPOINT && w.single {
		w.sp = true
		return w.deny(w.denial)
	}
	// PRAGMA foreign_keys is a no-op inside a transaction, and caller SQL
	// on the writer always runs inside one.
	if why, changes := stateChange(action, name3rd, name4th); changes &&
		!(action == sqlite3.AUTH_PRAGMA && strings.EqualFold(name3rd, "foreign_keys")) {
		return w.deny(why)
	}
	return sqlite3.AUTH_OK
}

func (w *writer) runExclusive(r *Request) {
	if r.Timed {
		r.Started = time.Now()
	}
	if err := r.Ctx.Err(); err != nil {
		r.Err = err
		return
	}
	if err := w.checkFile(false); err != nil {
		r.Err = err
		return
	}
	defer func() {
		// The callback may have changed journal_mode; and what it wrote
		// is not acknowledged if the file was replaced meanwhile.
		if wal := w.conn.inWAL(); wal != w.wal {
			w.wal, w.files.wal = wal, nil
		}
		if r.Err == nil {
			r.Err = w.checkFile(false)
		}
	}()
	interruptible := r.Ctx.Done() != nil
	if interruptible {
		w.conn.SetInterrupt(r.Ctx)
		defer w.conn.SetInterrupt(context.Background())
	}
	w.exclusive, w.dirty = true, ""
	err := w.callback(r)
	w.exclusive = false
	if w.dirty != "" && w.restart == nil {
		// The callback changed the connection's state (Exclusive may):
		// the next request gets a connection as Config made it.
		w.restart = fmt.Errorf("Exclusive callback ran %s", w.dirty)
	}
	if !w.conn.GetAutocommit() {
		if rbErr := w.exec("ROLLBACK"); rbErr != nil && w.restart == nil {
			w.restart = rbErr
		}
		if err == nil {
			err = fmt.Errorf("%w: Exclusive callback returned inside a transaction; it was rolled back", ErrInvalidArg)
		}
	}
	r.Err = err
}

func (w *writer) checkpoint(mode sqlite3.CheckpointMode, busy time.Duration) messages.CheckpointResult {
	res := messages.CheckpointResult{Mode: mode, At: time.Now()}
	if w.conn == nil {
		res.Err = ErrClosed
		return res
	}
	if busy > 0 {
		w.conn.BusyTimeout(busy)
		defer w.conn.BusyTimeout(w.env.Conn.BusyTimeout)
	}
	res.LogFrames, res.Checkpointed, res.Err = w.conn.WALCheckpoint("main", mode)
	if w.env.OnCheckpoint != nil {
		w.env.OnCheckpoint(res)
	}
	return res
}
