package liteactor

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/liteactor/liteactor/actors"
	"github.com/liteactor/liteactor/messages"
	"github.com/ncruces/go-sqlite3"
)

// Observer sees every operation an engine runs: one Before and (unless an
// earlier observer vetoed) one After per operation. Set Config.Observers.
//
// Observers run in registration order before an operation and in reverse
// order after it, like nested middleware. Before may veto the operation by
// returning an error: nothing runs, the caller gets an error wrapping both
// ErrVetoed and that error, and the observers registered after the vetoing
// one are not called at all. Every observer whose Before returned nil error
// (or panicked) gets exactly one After, with the ctx its own Before returned.
//
// Before's returned ctx is passed to the next observer and, once all have
// run, becomes the operation's ctx (a tracer parents its span there); nil
// means ctx unchanged. Derive it from the ctx given: cancelling it cancels
// the operation.
//
// Observers are called concurrently from many goroutines and must be safe
// for that. They must not block and should be cheap: for Go API calls they
// run on the caller's goroutine, but for typed messages sent to
// Engine.PID() Before runs inside the engine's front-door actor and After on
// the goroutine that completed the request (the writer or a reader).
// Observers must not modify or retain Op.Args. A panicking observer is
// recovered and logged through Config.Logger; it never fails the operation
// or takes the engine down.
type Observer interface {
	Before(ctx context.Context, op *Op) (context.Context, error)
	After(ctx context.Context, op *Op, out *Outcome)
}

// OpKind names what an operation does. The engine reports the kinds below;
// packages on top of it declare and report their own through Engine.Observe
// (migrate.OpMigrate, backup.OpBackup, or any other name in the same
// lower-case style).
type OpKind string

// Operation kinds.
const (
	OpExec       OpKind = "exec"       // Exec: one statement through the writer
	OpQuery      OpKind = "query"      // Query, QueryRow, QueryFunc, QueryLimit on a reader; WriteQuery on the writer
	OpWrite      OpKind = "write"      // Write, WriteTx: a closure on the writer, in its own savepoint
	OpRead       OpKind = "read"       // Read, ReadTx: a closure on a reader, in one read transaction
	OpExclusive  OpKind = "exclusive"  // Exclusive: a closure alone on the writer
	OpCheckpoint OpKind = "checkpoint" // wal_checkpoint on the writer; Op.Detail is the mode
)

// Op describes an operation for observers. The engine builds a fresh Op for
// each operation; observers may read it during Before and After but not keep
// it afterwards.
type Op struct {
	Kind OpKind
	// DB is the engine's Config.Name.
	DB string
	// SQL is the statement text for Exec and Query, empty for closures.
	SQL string
	// Args are the statement's arguments as the caller gave them: len(Args)
	// is the argument count. Read-only; their values may be sensitive.
	Args []any
	// Detail is kind-specific: the checkpoint mode ("PASSIVE", "FULL",
	// "TRUNCATE"), a migration version, a backup destination.
	Detail string
	// Actor is true for typed messages sent to Engine.PID(), false for Go
	// API calls.
	Actor bool
}

// Outcome is what happened to an operation, given to After.
type Outcome struct {
	// Enqueued is when the operation entered the engine's queue; zero if it
	// was refused or vetoed before.
	Enqueued time.Time
	// Started is when the writer or reader began running it; zero if it
	// never ran (vetoed, refused, dropped, cancelled or timed out while
	// queued).
	Started time.Time
	// Queued is the time spent waiting for the writer or a reader: Started
	// minus Enqueued, or, for an operation that never ran, the time it
	// waited before it was answered.
	Queued time.Duration
	// Executing is the time from Started until the operation was answered.
	// For writes that includes the rest of its group-commit batch and the
	// COMMIT, because a write is only answered after COMMIT.
	Executing time.Duration
	// BatchSize is the number of requests in the write transaction (or the
	// shared read transaction) the operation ran in, 1 when it ran alone,
	// 0 when it never ran. BatchPos is its 0-based position there.
	BatchSize int
	BatchPos  int
	// Rows is the number of rows returned (Query) or changed (Exec), as
	// reported by whoever ran the operation; 0 for closures.
	Rows int64
	// Err is the error the caller got, nil on success.
	Err error
}

// ErrVetoed: an observer's Before refused the operation; nothing ran. The
// error also wraps the observer's own error.
var ErrVetoed = errors.New("liteactor: vetoed by observer")

// observation is one operation's pass through the observers: the Op, its
// Outcome and the ctx each observer's Before returned, in one allocation for
// up to four observers.
type observation struct {
	op     Op
	out    Outcome
	ctx    context.Context // the operation's ctx after every Before
	n      int             // observers whose Before let the operation through
	vetoed error
	small  [4]context.Context
	ctxs   []context.Context
}

// before runs the observers' Before in registration order.
func (e *Engine) before(ctx context.Context, op Op) *observation {
	return e.beforeInto(&observation{}, ctx, op)
}

func (e *Engine) beforeInto(ob *observation, ctx context.Context, op Op) *observation {
	ob.op = op
	ob.ctxs = ob.small[:0]
	for i, o := range e.obs {
		next, err := e.callBefore(i, o, ctx, &ob.op)
		if err != nil {
			ob.vetoed = fmt.Errorf("%w: %s: %w", ErrVetoed, op.Kind, err)
			break
		}
		if next != nil {
			ctx = next
		}
		ob.ctxs = append(ob.ctxs, ctx)
		ob.n++
	}
	ob.ctx = ctx
	return ob
}

func (e *Engine) callBefore(i int, o Observer, ctx context.Context, op *Op) (next context.Context, err error) {
	defer func() {
		if p := recover(); p != nil {
			e.observerPanic(i, o, op, "before", p)
			next, err = nil, nil
		}
	}()
	return o.Before(ctx, op)
}

// after runs After with ob.out, in reverse order, for every observer whose
// Before let the operation through.
func (e *Engine) after(ob *observation) {
	for i := ob.n - 1; i >= 0; i-- {
		e.callAfter(i, e.obs[i], ob.ctxs[i], &ob.op, &ob.out)
	}
}

// vetoedOutcome runs After for a vetoed operation and returns its error.
func (e *Engine) vetoedOutcome(ob *observation) error {
	ob.out = Outcome{Err: ob.vetoed}
	e.after(ob)
	return ob.vetoed
}

func (e *Engine) callAfter(i int, o Observer, ctx context.Context, op *Op, out *Outcome) {
	defer func() {
		if p := recover(); p != nil {
			e.observerPanic(i, o, op, "after", p)
		}
	}()
	o.After(ctx, op, out)
}

func (e *Engine) observerPanic(i int, o Observer, op *Op, phase string, p any) {
	e.log.Error().Str("component", "observer").Str("op", string(op.Kind)).Int("observer", i).
		Str("type", fmt.Sprintf("%T", o)).Str("phase", phase).Str("panic", fmt.Sprint(p)).
		Msg("observer panicked; recovered")
}

// Observe runs fn as an operation of op.Kind through the engine's observers,
// so that packages on top of the engine (migrations, backups) are logged,
// measured and traced like the engine's own calls. With no observers it just
// calls fn(ctx, out).
//
// If an observer vetoes, fn is not called and Observe returns an error
// wrapping ErrVetoed. Otherwise fn gets the ctx the observers returned (pass
// it to the engine calls fn makes, so their spans nest under this one) and
// an Outcome to fill in (Rows, BatchSize, Queued, Enqueued). Observe sets
// Started and Executing around fn unless fn set them, sets Err to fn's
// error, runs the observers' After and returns fn's error unchanged. op.DB
// is filled in with the engine's name when empty.
func (e *Engine) Observe(ctx context.Context, op *Op, fn func(ctx context.Context, out *Outcome) error) error {
	if len(e.obs) == 0 {
		var out Outcome
		return fn(ctx, &out)
	}
	o := *op
	if o.DB == "" {
		o.DB = e.cfg.Name
	}
	ob := e.before(ctx, o)
	if ob.vetoed != nil {
		return e.vetoedOutcome(ob)
	}
	start := time.Now()
	out := &ob.out
	err := fn(ob.ctx, out)
	if out.Started.IsZero() {
		out.Started = start
	}
	if out.Executing == 0 {
		out.Executing = time.Since(out.Started)
	}
	out.Err = err
	e.after(ob)
	return err
}

var opKinds = [...]OpKind{
	actors.KindExec:      OpExec,
	actors.KindWrite:     OpWrite,
	actors.KindExclusive: OpExclusive,
	actors.KindQuery:     OpQuery,
	actors.KindRead:      OpRead,
}

func (e *Engine) opOf(r *actors.Request) Op {
	kind := opKinds[r.Kind]
	if r.SQL != "" && r.Kind == actors.KindRead {
		kind = OpQuery // QueryRow, QueryFunc, QueryLimit: one statement, scanned on the reader
	}
	return Op{Kind: kind, DB: e.cfg.Name, SQL: r.SQL, Args: r.Args}
}

// outcomeOf reads the figures of a completed (or refused) request; err is
// what its caller got.
func outcomeOf(r *actors.Request, err error) Outcome {
	out := Outcome{Enqueued: r.Enqueued, Started: r.Started, Err: err, BatchSize: r.Batch, BatchPos: r.BatchPos}
	switch {
	case !r.Started.IsZero():
		out.Queued = r.Started.Sub(r.Enqueued)
		end := r.Finished
		if end.IsZero() {
			end = time.Now()
		}
		out.Executing = end.Sub(r.Started)
		if out.BatchSize == 0 {
			out.BatchSize = 1
		}
	case !r.Enqueued.IsZero():
		out.Queued = time.Since(r.Enqueued)
	}
	if err == nil {
		if r.Rows != nil {
			out.Rows = int64(len(r.Rows.Values))
		} else {
			out.Rows = r.Result.RowsAffected
		}
	}
	return out
}

// observed runs a Go API request through the observers; run submits it and
// waits for its answer.
func (e *Engine) observed(ctx context.Context, r *actors.Request, run func(context.Context, *actors.Request) error) error {
	// Go API observations end when the call returns (observers must not
	// keep Op or Outcome): they are recycled.
	r.Timed = true
	ob, _ := e.obsPool.Get().(*observation)
	if ob == nil {
		ob = new(observation)
	}
	ob = e.beforeInto(ob, ctx, e.opOf(r))
	defer func() {
		*ob = observation{}
		e.obsPool.Put(ob)
	}()
	if ob.vetoed != nil {
		return e.vetoedOutcome(ob)
	}
	r.Ctx = ob.ctx
	err := run(ob.ctx, r)
	ob.out = outcomeOf(r, err)
	e.after(ob)
	return err
}

// observeActor runs a typed-message request through the observers (the
// supervisor calls it before submitting). It reports false when an observer
// vetoed: r has then been answered. Otherwise r's reply runs the observers'
// After first.
func (e *Engine) observeActor(r *actors.Request) bool {
	r.Timed = true
	op := e.opOf(r)
	op.Actor = true
	ob := e.before(r.Ctx, op)
	if ob.vetoed != nil {
		r.Err = e.vetoedOutcome(ob)
		r.Reply(r)
		return false
	}
	r.Ctx = ob.ctx
	reply := r.Reply
	r.Reply = func(r *actors.Request) {
		ob.out = outcomeOf(r, r.Err)
		e.after(ob)
		reply(r)
	}
	return true
}

// observeCheckpoint runs the observers' Before for a checkpoint and returns
// the reply to send with it, which runs their After. It returns nil when an
// observer vetoed: reply has then been called with the error.
func (e *Engine) observeCheckpoint(ctx context.Context, mode sqlite3.CheckpointMode, reply func(messages.CheckpointResult)) func(messages.CheckpointResult) {
	ob := e.before(ctx, Op{Kind: OpCheckpoint, DB: e.cfg.Name, Detail: messages.ModeName(mode)})
	if ob.vetoed != nil {
		reply(messages.CheckpointResult{Mode: mode, Err: e.vetoedOutcome(ob)})
		return nil
	}
	sent := time.Now()
	return func(res messages.CheckpointResult) {
		out := &ob.out
		*out = Outcome{Enqueued: sent, Err: res.Err}
		if !res.At.IsZero() {
			out.Started, out.Queued, out.Executing = res.At, res.At.Sub(sent), time.Since(res.At)
			out.BatchSize = 1
		} else {
			out.Queued = time.Since(sent)
		}
		e.after(ob)
		reply(res)
	}
}
