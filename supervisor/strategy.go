package supervisor

import (
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/liteactor/liteactor/actors"
	"github.com/rs/zerolog"
)

// Budget bounds restarts: more than Max failures of one child within Within
// escalate to the supervisor's own parent.
type Budget struct {
	Max    int           // failures tolerated per child...
	Within time.Duration // ...within this window
}

// strategy is one-for-one with a restart budget. A deliberate restart after
// a callback panic (the connection is replaced because user code may have
// left it in an unknown state) is always granted and does not spend the
// budget: a caller's bug must not take the engine down. Every other failure
// (a connection that cannot be reopened, SQLite out of memory, a bug in the
// engine) spends it.
type strategy struct {
	budget Budget
	log    zerolog.Logger
}

func (s *strategy) HandleFailure(_ *actor.ActorSystem, sup actor.Supervisor, child *actor.PID, rs *actor.RestartStatistics, reason any, message any) {
	if actors.IsCallbackRestart(reason) {
		s.log.Debug().Str("component", "supervisor").Str("child", child.Id).Interface("reason", reason).Msg("restart after callback panic")
		sup.RestartChildren(child)
		return
	}
	if rs.NumberOfFailures(s.budget.Within) >= s.budget.Max {
		s.log.Error().Str("component", "supervisor").Str("child", child.Id).Interface("reason", reason).
			Int("failures", rs.FailureCount()).Msg("restart budget spent: escalating")
		sup.EscalateFailure(reason, message)
		return
	}
	rs.Fail()
	s.log.Warn().Str("component", "supervisor").Str("child", child.Id).Interface("reason", reason).Msg("restarting child")
	sup.RestartChildren(child)
}
