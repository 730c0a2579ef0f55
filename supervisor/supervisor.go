// Package supervisor owns an engine below its facade: Start opens the
// database and its connections, builds the queues and the connection actors'
// shared state, and spawns the tree; Tree carries the Go API's requests to
// the queues and waits for their outcome, takes Stats, sends checkpoints,
// and drains and stops everything at Close.
//
// The tree's root is the supervisor actor (NewProps): it spawns the writer,
// the readers and the WAL monitor, restarts them one-for-one within a
// budget (a restart after a callback panic is free), escalates beyond it,
// and is the front door for the typed messages of package messages.
package supervisor

import (
	"fmt"
	"sync/atomic"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/liteactor/liteactor/actors"
	"github.com/liteactor/liteactor/messages"
	"github.com/ncruces/go-sqlite3"
	"github.com/rs/zerolog"
)

// Env is what the supervisor actor needs: the children's shared state and
// the engine's hooks. Start builds it; it outlives supervisor restarts.
type Env struct {
	Writer  *actors.WriterEnv // spawned as child "writer"
	Readers *actors.ReaderEnv // one child "reader-i" per reader
	// Monitor, if not nil, is spawned as the WAL monitor child.
	Monitor *actor.Props
	Budget  Budget         // restarts per child before escalating
	Log     zerolog.Logger // restarts and escalations are logged here
	// Stats returns a snapshot for messages.GetStats.
	Stats func() messages.Stats
	// Checkpoint checks mode and sends a checkpoint request to the writer;
	// reply gets the result, or the refusal.
	Checkpoint func(mode sqlite3.CheckpointMode, reply func(messages.CheckpointResult))
	// Observe, if set, runs the engine's observers over an actor request
	// before it is submitted; false means an observer vetoed it and it has
	// been answered.
	Observe func(r *actors.Request) bool
	// OnStopped runs when the supervisor stops (Close, or its parent stopped
	// it after an escalation).
	OnStopped func()

	stopped atomic.Bool // the supervisor reached Stopped: the tree is gone for good
}

// NewProps returns the supervisor actor's props for env. Start uses it; a
// service may spawn it under its own tree with an env built the same way.
func NewProps(env *Env) *actor.Props {
	return actor.PropsFromProducer(func() actor.Actor { return &supervisor{env: env} },
		actor.WithSupervisor(&strategy{budget: env.Budget, log: env.Log}))
}

type supervisor struct {
	env *Env
}

func (s *supervisor) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *messages.Exec:
		id := m.ID
		r := newRequest(ctx, actors.KindExec, m.Deadline, func(r *actors.Request) any {
			return &messages.ExecResult{ID: id, RowsAffected: r.Result.RowsAffected, LastInsertID: r.Result.LastInsertID, Err: r.Err}
		})
		r.SQL, r.Args = m.SQL, m.Args
		s.write(r)
	case *messages.Write:
		r := newRequest(ctx, actors.KindWrite, m.Deadline, done(m.ID))
		r.Fn = m.Fn
		s.write(r)
	case *messages.Exclusive:
		r := newRequest(ctx, actors.KindExclusive, m.Deadline, done(m.ID))
		r.Fn = m.Fn
		s.write(r)
	case *messages.Query:
		id := m.ID
		r := newRequest(ctx, actors.KindQuery, m.Deadline, func(r *actors.Request) any {
			res := &messages.QueryResult{ID: id, Err: r.Err}
			if r.Rows != nil {
				res.Columns, res.Rows = r.Rows.Columns, r.Rows.Values
			}
			return res
		})
		r.SQL, r.Args = m.SQL, m.Args
		s.read(r)
	case *messages.Read:
		r := newRequest(ctx, actors.KindRead, m.Deadline, done(m.ID))
		r.Fn = m.Fn
		s.read(r)
	case *messages.GetStats:
		st := s.env.Stats()
		ctx.Respond(&st)
	case *messages.Checkpoint:
		sender := ctx.Sender()
		system := ctx.ActorSystem()
		s.env.Checkpoint(m.Mode, func(res messages.CheckpointResult) {
			respond(system, sender, &res)
		})
	case *actor.Started:
		// protoactor can process a restart that was queued before the final
		// stop and bring a stopped actor back (Stopped, then Restarting and
		// Started). Such a zombie must not spawn connection actors that would
		// outlive the engine.
		if s.env.stopped.Load() {
			s.env.Log.Debug().Str("component", "supervisor").Msg("restart after final stop ignored")
			return
		}
		s.spawnChildren(ctx)
	case *actor.Stopped:
		s.env.stopped.Store(true)
		if s.env.OnStopped != nil {
			s.env.OnStopped()
		}
	default:
		refuseUnknown(ctx, m, s.env.Log)
	}
}

func (s *supervisor) spawnChildren(ctx actor.Context) {
	env := s.env
	spawn(ctx, actors.NewWriterProps(env.Writer), "writer")
	for i := range env.Readers.Self {
		spawn(ctx, actors.NewReaderProps(env.Readers, i), fmt.Sprintf("reader-%d", i))
	}
	if env.Monitor != nil {
		spawn(ctx, env.Monitor, "walmonitor")
	}
}

func spawn(ctx actor.Context, props *actor.Props, name string) {
	if _, err := ctx.SpawnNamed(props, name); err != nil {
		ctx.Spawn(props) // the name is still held by a stopping child
	}
}

// write submits to the admission queue; a refusal is answered at once.
func (s *supervisor) write(r *actors.Request) {
	if refuse(r) {
		return
	}
	if s.env.Observe != nil && !s.env.Observe(r) {
		return
	}
	if err := s.env.Writer.Queue.Submit(r); err != nil {
		r.Err = err
		r.Reply(r)
		return
	}
	expireAt(r, s.env.Writer.Queue.Cancel)
}

func (s *supervisor) read(r *actors.Request) {
	if refuse(r) {
		return
	}
	if s.env.Observe != nil && !s.env.Observe(r) {
		return
	}
	if _, err := s.env.Readers.Queue.Submit(r); err != nil {
		r.Err = err
		r.Reply(r)
		return
	}
	expireAt(r, s.env.Readers.Queue.Cancel)
}

// done builds the *messages.Done reply of request id.
func done(id uint64) func(*actors.Request) any {
	return func(r *actors.Request) any { return &messages.Done{ID: id, Err: r.Err} }
}

func respond(system *actor.ActorSystem, to *actor.PID, msg any) {
	if to == nil {
		return
	}
	system.Root.Send(to, msg)
}
