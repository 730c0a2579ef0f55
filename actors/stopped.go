package actors

import (
	"sync"

	"github.com/asynkron/protoactor-go/actor"
)

// stoppedSet remembers the writer or reader actors that have stopped.
// protoactor handles a Restart system message even after Stop (its
// handleRestart does not look at the actor's state): a child whose failure
// reaches the supervisor after the supervisor itself began restarting (an
// escalation) is sent Stop, then Restart, and comes back to life next to
// the replacement the restarted supervisor spawns, sharing its env (two
// writers on one in-flight batch, a connection no one closes). An actor
// whose PID is in the set ignores everything but stopping. PIDs are kept by
// pointer: a replacement spawned under the same name has a new PID.
type stoppedSet struct{ m sync.Map }

func (s *stoppedSet) add(pid *actor.PID) { s.m.Store(pid, struct{}{}) }

func (s *stoppedSet) has(pid *actor.PID) bool {
	_, ok := s.m.Load(pid)
	return ok
}
