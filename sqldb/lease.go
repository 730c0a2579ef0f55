package sqldb

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/liteactor/liteactor"
	"github.com/ncruces/go-sqlite3"
)

// A lease holds one of the engine's connections (a reader, through
// Engine.Read, or the writer, through Engine.Exclusive) for a stream or a
// transaction: the engine runs the lease's callback, serve, which runs the
// lease's jobs one at a time until the lease is released, its limit
// passes, the ctx it was made with ends, or the engine starts closing.
// Every use of the connection happens inside serve, on the engine's
// goroutine, so nothing touches the connection once serve returned.
//
// While a lease lasts, the connection it holds serves nothing else: a
// leased reader is one reader fewer for everyone; the leased writer runs no
// other write (no group commit) until the lease ends.
type lease struct {
	limit   time.Duration
	expired error // what the lease's end by its limit is reported as
	closing <-chan struct{}
	open    func(*sqlite3.Conn) error // runs first (BEGIN IMMEDIATE, the snapshot); nil: none
	shut    func(*sqlite3.Conn)       // runs last, always (ROLLBACK if still open); nil: none

	work    chan *job
	quit    chan struct{} // closed by release
	quitter sync.Once
	started chan struct{} // closed once open succeeded
	ended   chan struct{} // closed once the lease is over; err is set before
	err     error

	// Fields below are used only by serve's goroutine.
	stop    bool            // a job ended the lease (Commit, Rollback, the last rows)
	stopErr error           // what serve then returns (nil: released)
	stmts   []*sqlite3.Stmt // statements open on the connection
	base    context.Context // the interrupt ctx the engine set
	lctx    context.Context // base bounded by the limit: the statements' interrupt
}

// job is one unit of work run on the leased connection.
type job struct {
	ctx  context.Context // may be nil: the lease's limit alone interrupts it
	fn   func(*sqlite3.Conn) error
	err  error
	done chan struct{}
}

func newJob(ctx context.Context, fn func(*sqlite3.Conn) error) *job {
	return &job{ctx: ctx, fn: fn, done: make(chan struct{})}
}

// errReleased is a released lease's end: its owner ended it.
var errReleased = errors.New("sqldb: released")

// start runs the lease on a goroutine through acquire (Engine.Read or
// Engine.Exclusive) under ctx, and returns once the
// lease is held and first (if any) has run, or with the error that stopped
// it: the engine's (liteactor.ErrReadTimeout, ErrClosed, ...), ctx's, or
// open's.
func (l *lease) start(ctx context.Context, acquire func(context.Context, func(*sqlite3.Conn) error) error, first *job) error {
	l.work = make(chan *job)
	l.quit = make(chan struct{})
	l.started = make(chan struct{})
	l.ended = make(chan struct{})
	go func() {
		err := acquire(ctx, func(conn *sqlite3.Conn) error { return l.serve(conn, first) })
		if err == nil {
			err = errReleased
		}
		l.err = err
		close(l.ended)
	}()
	wait := l.started
	if first != nil {
		wait = first.done
	}
	select {
	case <-wait:
		if first != nil {
			return first.err
		}
		return nil
	case <-l.ended:
		if first != nil {
			select {
			case <-first.done:
				return first.err
			default:
			}
		}
		return l.err
	}
}

// serve is the callback the engine runs on the leased connection. open
// and first run under the lease's ctx alone (a query answered in its first
// chunk never starts the limit's timer); from then on every statement runs
// under the limit too.
func (l *lease) serve(conn *sqlite3.Conn, first *job) (err error) {
	base := conn.GetInterrupt() // the engine's: the lease's ctx, or one the engine may cancel
	l.base, l.lctx = base, base
	defer func() {
		conn.SetInterrupt(context.Background())
		for _, s := range l.stmts {
			s.Close()
		}
		l.stmts = nil
		if l.shut != nil {
			l.shut(conn)
		}
		conn.SetInterrupt(base)
	}()
	if l.open != nil {
		if err := l.open(conn); err != nil {
			return err
		}
	}
	close(l.started)
	if first != nil {
		l.run(conn, first)
		if l.stop {
			return l.stopErr
		}
	}
	lctx, cancel := context.WithTimeout(base, l.limit)
	defer cancel()
	l.lctx = lctx
	conn.SetInterrupt(lctx)
	for !l.stop {
		select {
		case j := <-l.work:
			l.run(conn, j)
		case <-l.quit:
			return nil
		case <-lctx.Done():
			return l.endErr(base)
		case <-l.closing:
			return errClosed
		}
	}
	return l.stopErr
}

// stopWith ends the lease after the running job; serve returns err (nil:
// the lease counts as released). Only jobs call it.
func (l *lease) stopWith(err error) { l.stop, l.stopErr = true, err }

// endErr says why the lease's ctx ended: the caller's ctx, the engine's
// own reason (WAL.ReadTxnMaxAge), or the limit.
func (l *lease) endErr(base context.Context) error {
	if err := base.Err(); err != nil {
		if cause := context.Cause(base); cause != nil && cause != err {
			return cause
		}
		return err
	}
	return l.expired
}

// run runs j on conn under lctx and j's own ctx; a running statement is
// interrupted when either ends. A panic is reported to j's caller and then
// continues, so the engine replaces the connection.
func (l *lease) run(conn *sqlite3.Conn, j *job) {
	lctx := l.lctx
	defer func() {
		if p := recover(); p != nil {
			j.err = fmt.Errorf("sqldb: %w: %v", liteactor.ErrPanic, p)
			l.stop = true
			close(j.done)
			panic(p)
		}
	}()
	switch {
	case lctx.Err() != nil:
		j.err = l.explain(nil, sqlite3.INTERRUPT)
	case j.ctx != nil && j.ctx.Err() != nil:
		j.err = j.ctx.Err()
	case j.ctx != nil && j.ctx.Done() != nil:
		ictx, cancel := context.WithCancel(lctx)
		stop := context.AfterFunc(j.ctx, cancel)
		conn.SetInterrupt(ictx)
		j.err = j.fn(conn)
		stop()
		cancel()
		conn.SetInterrupt(lctx)
	default:
		j.err = j.fn(conn)
	}
	j.err = l.explain(j.ctx, j.err)
	close(j.done)
}

// explain names why a statement was interrupted (err is
// sqlite3.INTERRUPT): its own ctx (jctx, may be nil) or the lease's end
// (see endErr). Other errors are returned as they are. Only serve's
// goroutine calls it.
func (l *lease) explain(jctx context.Context, err error) error {
	if err == nil || !errors.Is(err, sqlite3.INTERRUPT) {
		return err
	}
	switch {
	case jctx != nil && jctx.Err() != nil:
		return fmt.Errorf("%w (%w)", jctx.Err(), err)
	case l.lctx.Err() != nil:
		return fmt.Errorf("%w (%w)", l.endErr(l.base), err)
	}
	return err
}

// do runs fn on the leased connection and returns its error; it fails
// without running fn once the lease has ended (with the lease's error) or
// ctx ended while waiting.
func (l *lease) do(ctx context.Context, fn func(*sqlite3.Conn) error) error {
	j := newJob(ctx, fn)
	var done <-chan struct{}
	if ctx != nil {
		done = ctx.Done()
	}
	select {
	case l.work <- j:
	case <-l.ended:
		return l.err
	case <-done:
		return ctx.Err()
	}
	<-j.done
	return j.err
}

// release ends the lease (a no-op once it ended) and waits until the
// connection is given back.
func (l *lease) release() {
	l.quitter.Do(func() { close(l.quit) })
	<-l.ended
}

// track makes serve close s if the lease ends before its owner does.
func (l *lease) track(s *sqlite3.Stmt) { l.stmts = append(l.stmts, s) }

// forget closes s, which its owner is done with.
func (l *lease) forget(s *sqlite3.Stmt) {
	for i, t := range l.stmts {
		if t == s {
			l.stmts = append(l.stmts[:i], l.stmts[i+1:]...)
			break
		}
	}
	s.Close()
}
