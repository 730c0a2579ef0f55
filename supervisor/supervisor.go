// Package supervisor is the root of an engine's actor tree: it spawns the
// writer, the readers and the WAL monitor, restarts them one-for-one within a
// budget, and is the front door for typed messages from a service's actors.
package supervisor

import (
	"context"
	"fmt"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/liteactor/liteactor/actors"
	"github.com/liteactor/liteactor/messages"
	"github.com/ncruces/go-sqlite3"
	"github.com/rs/zerolog"
)

// Env is what the supervisor needs from the engine. It outlives supervisor
// restarts.
type Env struct {
	Writer  *actors.WriterEnv
	Readers *actors.ReaderEnv
	// Monitor, if not nil, is spawned as the WAL monitor child.
	Monitor *actor.Props
	Budget  Budget
	Log     zerolog.Logger
	// Stats returns a snapshot for messages.GetStats.
	Stats func() messages.Stats
	// Checkpoint sends a checkpoint request to the writer.
	Checkpoint func(mode sqlite3.CheckpointMode, reply func(actors.CheckpointResult))
	// OnStopped runs when the supervisor stops (Close, or its parent stopped
	// it after an escalation).
	OnStopped func()
}

// NewProps returns the supervisor's props.
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
		r := actors.NewReplyRequest(context.Background(), actors.KindExec, replyTo(ctx, func(r *actors.Request) any {
			return &messages.ExecResult{RowsAffected: r.Result.RowsAffected, LastInsertID: r.Result.LastInsertID, Err: r.Err}
		}))
		r.SQL, r.Args = m.SQL, m.Args
		s.write(r)
	case *messages.Write:
		r := actors.NewReplyRequest(context.Background(), actors.KindWrite, replyTo(ctx, done))
		r.Fn = m.Fn
		s.write(r)
	case *messages.Exclusive:
		r := actors.NewReplyRequest(context.Background(), actors.KindExclusive, replyTo(ctx, done))
		r.Fn = m.Fn
		s.write(r)
	case *messages.Query:
		r := actors.NewReplyRequest(context.Background(), actors.KindQuery, replyTo(ctx, func(r *actors.Request) any {
			res := &messages.QueryResult{Err: r.Err}
			if r.Rows != nil {
				res.Columns, res.Rows = r.Rows.Columns, r.Rows.Values
			}
			return res
		}))
		r.SQL, r.Args = m.SQL, m.Args
		s.read(r)
	case *messages.Read:
		r := actors.NewReplyRequest(context.Background(), actors.KindRead, replyTo(ctx, done))
		r.Fn = m.Fn
		s.read(r)
	case *messages.GetStats:
		st := s.env.Stats()
		ctx.Respond(&st)
	case *messages.Checkpoint:
		sender := ctx.Sender()
		system := ctx.ActorSystem()
		if m.Mode == sqlite3.CHECKPOINT_RESTART {
			respond(system, sender, &messages.CheckpointResult{Err: fmt.Errorf("%w: RESTART checkpoints are not issued (they stall writers behind long readers)", actors.ErrInvalidArg)})
			return
		}
		s.env.Checkpoint(m.Mode, func(res actors.CheckpointResult) {
			respond(system, sender, &messages.CheckpointResult{LogFrames: res.LogFrames, Checkpointed: res.Checkpointed, Err: res.Err})
		})
	case *actor.Started:
		s.spawnChildren(ctx)
	case *actor.Stopped:
		if s.env.OnStopped != nil {
			s.env.OnStopped()
		}
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
	if err := s.env.Writer.Queue.Submit(r); err != nil {
		r.Err = err
		r.Reply(r)
	}
}

func (s *supervisor) read(r *actors.Request) {
	if _, err := s.env.Readers.Queue.Submit(r); err != nil {
		r.Err = err
		r.Reply(r)
	}
}

func done(r *actors.Request) any { return &messages.Done{Err: r.Err} }

// replyTo builds the completion of an actor request: the reply goes to the
// sender of the current message, from whichever goroutine completes it.
func replyTo(ctx actor.Context, build func(*actors.Request) any) func(*actors.Request) {
	sender := ctx.Sender()
	system := ctx.ActorSystem()
	return func(r *actors.Request) { respond(system, sender, build(r)) }
}

func respond(system *actor.ActorSystem, to *actor.PID, msg any) {
	if to == nil {
		return
	}
	system.Root.Send(to, msg)
}
