package actors

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync/atomic"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/ncruces/go-sqlite3"
	"github.com/rs/zerolog"
)

// ConnEnv is what every connection actor of one kind (the writer, or the
// readers) shares with the engine and keeps across restarts.
type ConnEnv struct {
	// Conn is how connections are opened.
	Conn *ConnConfig
	// Counters receive the actors' figures.
	Counters *Counters
	// Log receives the actors' logs.
	Log zerolog.Logger
	// Panic builds the error a panicking callback produces (see PanicFunc).
	Panic PanicFunc
	// Reentry, if set, is told which goroutine runs a callback, so the
	// engine can refuse calls made from inside one (ErrReentrant).
	Reentry *Reentry

	stopped stoppedSet
}

// role is what a connection actor adds to connActor: its start, its unit
// of work, and how it runs and gives up one request.
type role interface {
	// start runs on every Started: take a connection, resume what a crashed
	// instance left.
	start(ctx actor.Context)
	// step runs one unit of work (a write batch, a read or read group).
	step(ctx actor.Context)
	// control handles any other message; refused says the actor is a
	// stopped instance brought back by protoactor (see stoppedSet).
	control(msg any, refused bool)
	// run runs r on the connection (interrupt and panic are handled by
	// connActor.runOne).
	run(r *Request, ctx context.Context)
	// release removes r from what the env holds in flight and counts it
	// answered, before connActor.broken answers it.
	release(r *Request)
}

// connActor is the part the writer and the readers share: one connection
// and its lifecycle (adopt, close, replace), the message loop skeleton, the
// authorizer guard, running one request under its ctx's interrupt with
// panics turned into errors, and the deliberate restart after a callback
// panicked.
type connActor struct {
	env      *ConnEnv
	role     role
	name     string         // "writer" or "reader", for logs and errors
	restarts *atomic.Uint64 // restarts of this kind of actor
	denial   string         // what transaction control the authorizer denies, for explain
	log      zerolog.Logger

	conn    *Conn
	restart error  // a callback panicked: crash after answering (see afterStep)
	guard   bool   // caller SQL is running: the authorizer denies transaction control
	denied  bool   // the authorizer denied something while guarded
	why     string // what it denied, for explain
	gid     uint64 // the id of the goroutine callbacks run on (see Reentry)
	rearm   func() // reinstalls the guards (authorizer, hooks) after a callback
	probe   uint8  // probeOff, or authorized's question and its answer
}

// States of connActor.probe.
const (
	probeOff   uint8 = iota
	probeAsked       // authorized runs its probe statement
	probeSeen        // the actor's authorizer saw it
)

// authorized reports whether the actor's authorizer still sees the
// connection's statements: a callback may have replaced or removed it
// through the Go API. It is not simply set again after every callback:
// SQLite expires every prepared statement when an authorizer is set, so
// each cached statement (the engine's BEGIN and COMMIT included) would be
// prepared again after every Write and Read. One SELECT 1 through
// sqlite3_exec asks instead; the actor's authorizer marks it (probed).
func (b *connActor) authorized() bool {
	b.probe = probeAsked
	err := b.conn.Exec("SELECT 1")
	seen := b.probe == probeSeen
	b.probe = probeOff
	return err == nil && seen
}

// probed answers authorized's question from inside the actor's authorizer:
// true while the probe runs (the authorizer then allows it).
func (b *connActor) probed() bool {
	if b.probe == probeOff {
		return false
	}
	b.probe = probeSeen
	return true
}

// Receive is the message loop of every connection actor.
func (b *connActor) Receive(ctx actor.Context) {
	if b.env.stopped.has(ctx.Self()) { // stopped, then restarted by protoactor: see stoppedSet
		b.role.control(ctx.Message(), true)
		return
	}
	switch m := ctx.Message().(type) {
	case *Kick:
		b.role.step(ctx)
	case *actor.Started:
		b.role.start(ctx)
	case *actor.Restarting:
		b.restarts.Add(1)
		b.closeConn()
	case *actor.Stopping:
		b.env.stopped.add(ctx.Self())
		b.closeConn()
	default:
		b.role.control(m, false)
	}
}

func (b *connActor) closeConn() {
	if t, ok := b.role.(interface{ stopTimers() }); ok {
		t.stopTimers()
	}
	if b.conn != nil {
		if err := b.conn.Close(); err != nil {
			b.log.Warn().Err(err).Msg("close connection")
		}
		b.conn = nil
	}
}

// runOne runs r under ctx (r.Ctx, or one derived from it): a running
// statement is interrupted when ctx ends, and the error then wraps r.Ctx's
// error too. A panic outside a callback (SQLite out of memory, say) means
// the connection can no longer be trusted: r is answered and the actor
// crashes (broken).
func (b *connActor) runOne(r *Request, ctx context.Context) {
	interruptible := ctx.Done() != nil
	if interruptible {
		b.conn.SetInterrupt(ctx)
	}
	defer func() {
		if interruptible {
			b.conn.SetInterrupt(context.Background())
		}
		if p := recover(); p != nil {
			if isOOM(p) {
				b.broken(r, fmt.Errorf("%w: %w", ErrNoMemory, p.(error)))
			}
			b.broken(r, b.env.Panic.panicError(p, nil))
		}
	}()
	b.role.run(r, ctx)
	if r.Err != nil && interruptible && r.Ctx.Err() != nil && errors.Is(r.Err, sqlite3.INTERRUPT) {
		r.Err = fmt.Errorf("%w (%w)", r.Ctx.Err(), r.Err)
	}
}

// callback runs r's callback (see callFn) on the connection. A panic becomes the
// caller's error and schedules the connection's replacement (afterStep).
// The interrupt is reset: the engine's own statements that follow must not
// be interrupted. Statements fn left in progress are reset (resetLeaked).
// While fn runs, its goroutine is registered with the env's Reentry.
func (b *connActor) callback(r *Request) error {
	if b.gid == 0 {
		b.gid = goid()
	}
	b.env.Reentry.enter(b.gid, b.name == "writer")
	err, panicked := callFn(r, b.conn, b.env.Panic, b.name == "reader")
	b.env.Reentry.leave(b.gid)
	b.guard = false
	b.conn.SetInterrupt(context.Background())
	b.conn.resetLeaked()
	if b.rearm != nil && !r.Sealed {
		// A callback may have replaced the authorizer or the hooks through
		// the Go API: the next request gets the engine's back.
		b.rearm()
	}
	if panicked {
		b.restart = err
	}
	return err
}

// broken answers r with err, leaves the other requests in flight for the
// next instance, and crashes the actor so the supervisor replaces the
// connection.
func (b *connActor) broken(r *Request, err error) {
	b.role.release(r)
	r.complete(err)
	panic(fmt.Errorf("liteactor: %s connection broken: %w", b.name, err))
}

// explain turns an authorizer denial of caller SQL into ErrInvalidArg.
func (b *connActor) explain(err error) error {
	if err != nil && b.denied && errors.Is(err, sqlite3.AUTH) {
		why := b.why
		if why == "" {
			why = b.denial
		}
		return fmt.Errorf("%w: %s: %w", ErrInvalidArg, why, err)
	}
	return err
}

// exec runs one of the engine's own statements.
func (b *connActor) exec(sql string) error {
	return b.conn.execEngine(sql)
}

// afterStep ends one unit of work. If a callback panicked, every request is
// answered by now and the actor crashes on purpose so the supervisor
// replaces its connection. Otherwise it yields, so the callers just
// answered can submit again before the next Take (taking the queue again at
// once keeps write batches and shared read transactions tiny under load),
// then kicks itself for the next unit, letting control messages interleave.
func (b *connActor) afterStep(ctx actor.Context) {
	if err := b.restart; err != nil {
		b.restart = nil
		panic(errRestart{err})
	}
	runtime.Gosched()
	ctx.Send(ctx.Self(), KickMsg)
}
