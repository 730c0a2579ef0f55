package main

import (
	"context"
	"fmt"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/rs/zerolog"

	"github.com/liteactor/liteactor"
	"github.com/liteactor/liteactor/messages"
)

// serviceConfig is what the service actor needs to start.
type serviceConfig struct {
	path      string
	producers int
	log       zerolog.Logger
	ready     chan<- started // receives exactly one value
}

// started is what the service actor hands back once everything runs (or why it could not).
type started struct {
	err       error
	eng       *liteactor.Engine
	ingest    *actor.PID
	accounts  *actor.PID
	chaos     *actor.PID
	producers []*actor.PID
	ingestEnv *ingestEnv
	prodEnvs  []*producerEnv
}

// service is the root of the service's supervision tree. In its Started it opens the engine
// as its own child (Config.Parent), so the engine's supervisor sits in this tree; creates the
// schema through a typed message; then spawns ingest, accounts, chaos and the producers. It
// restarts any child that crashes (one-for-one, within a budget).
type service struct {
	cfg serviceConfig
	eng *liteactor.Engine
}

func newServiceProps(cfg serviceConfig) *actor.Props {
	return actor.PropsFromProducer(func() actor.Actor { return &service{cfg: cfg} },
		actor.WithSupervisor(actor.NewOneForOneStrategy(10, 10*time.Second, actor.DefaultDecider)))
}

func (s *service) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *actor.Started:
		ecfg := liteactor.DefaultConfig()
		ecfg.ActorSystem = ctx.ActorSystem()
		ecfg.Parent = ctx // the engine's supervisor becomes a child of this actor
		ecfg.Name = "db"
		ecfg.Logger = s.cfg.log
		eng, err := liteactor.Open(context.Background(), s.cfg.path, ecfg)
		if err != nil {
			s.fail(ctx, fmt.Errorf("open engine: %w", err))
			return
		}
		s.eng = eng
		ctx.Request(eng.PID(), &messages.Exec{SQL: schema})
	case *messages.ExecResult:
		if m.Err != nil {
			s.fail(ctx, fmt.Errorf("create schema: %w", m.Err))
			return
		}
		s.spawnChildren(ctx)
	}
}

func (s *service) spawnChildren(ctx actor.Context) {
	db := s.eng.PID()
	ienv := &ingestEnv{db: db, maxBatch: 256, maxInFlight: 4, log: s.cfg.log}
	st := started{eng: s.eng, ingestEnv: ienv}
	var err error
	if st.ingest, err = ctx.SpawnNamed(newIngestProps(ienv), "ingest"); err != nil {
		s.fail(ctx, err)
		return
	}
	if st.accounts, err = ctx.SpawnNamed(newAccountsProps(db), "accounts"); err != nil {
		s.fail(ctx, err)
		return
	}
	if st.chaos, err = ctx.SpawnNamed(newChaosProps(db, st.ingest), "chaos"); err != nil {
		s.fail(ctx, err)
		return
	}
	accounts := []string{"alice", "bob", "carol", "dave", "erin"}
	for i := range s.cfg.producers {
		penv := &producerEnv{
			ingest: st.ingest, first: int64(i + 1), step: int64(s.cfg.producers),
			perTick: 10, window: 2000, tick: 5 * time.Millisecond, resendAfter: time.Second,
			accounts: accounts,
		}
		pid, err := ctx.SpawnNamed(newProducerProps(penv), fmt.Sprintf("producer-%d", i))
		if err != nil {
			s.fail(ctx, err)
			return
		}
		st.producers = append(st.producers, pid)
		st.prodEnvs = append(st.prodEnvs, penv)
	}
	s.report(st)
}

// report hands st to run; only the first report of this service counts.
func (s *service) report(st started) {
	select {
	case s.cfg.ready <- st:
	default:
	}
}

// fail reports a start-up error and stops the service (and so the engine, its child).
func (s *service) fail(ctx actor.Context, err error) {
	s.report(started{err: err, eng: s.eng})
	ctx.Stop(ctx.Self())
}
