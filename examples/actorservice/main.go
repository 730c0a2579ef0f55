// Command actorservice is a small protoactor service that embeds the liteactor engine in its
// own supervision tree: producers submit events, an ingest actor batches them into the
// database, an accounts actor serves transfers and summaries. The service's actors reach the
// engine only through typed messages (package messages) sent to the engine's PID.
//
// While it runs, a chaos actor crashes the ingest actor and makes the engine's writer and one
// reader crash; at the end the service checks that no event was lost or stored twice. It stops
// after -duration or on SIGINT/SIGTERM, draining in order: producers stop and wait for their
// acknowledgements, the engine drains and checkpoints, then the actors stop.
//
//	go run ./examples/actorservice
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/rs/zerolog"

	"github.com/liteactor/liteactor"
	"github.com/liteactor/liteactor/messages"
)

func main() {
	opts := defaultOptions()
	flag.DurationVar(&opts.Duration, "duration", opts.Duration, "how long producers keep producing")
	flag.IntVar(&opts.Producers, "producers", opts.Producers, "number of producer actors")
	flag.Parse()
	if _, err := run(context.Background(), os.Stdout, opts); err != nil {
		fmt.Fprintln(os.Stderr, "actorservice:", err)
		os.Exit(1)
	}
}

// options tune a run.
type options struct {
	Duration  time.Duration // producing phase; chaos strikes at a third of it
	Producers int
	Chaos     bool
	// OnStarted, if set, is called once the service is up and the signal handler is installed,
	// with a function that reports how many events have been acknowledged so far.
	OnStarted func(acked func() int64)
}

func defaultOptions() options {
	return options{Duration: 3 * time.Second, Producers: 3, Chaos: true}
}

// report is what a run did, for the caller and the test.
type report struct {
	Interrupted    bool // a signal ended the producing phase
	Produced       int64
	Resent         int64
	Acked          int64
	IngestBatches  int64
	IngestRestarts int64
	Chaos          *ChaosReport
	Transfers      []TransferResult
	Summary        Summary
	Engine         messages.Stats // read just before Close
}

// run starts the service, lets it work for opts.Duration (or until SIGINT/SIGTERM or ctx ends),
// shuts it down gracefully, and prints what happened to out.
func run(ctx context.Context, out io.Writer, opts options) (rep report, err error) {
	ctx, stopSignals := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stopSignals()
	out = &syncWriter{w: out}
	say := func(format string, args ...any) { fmt.Fprintf(out, format+"\n", args...) }

	dir, err := os.MkdirTemp("", "liteactor-actorservice-")
	if err != nil {
		return rep, err
	}
	defer os.RemoveAll(dir)

	log := zerolog.New(zerolog.ConsoleWriter{Out: out, NoColor: true, TimeFormat: "15:04:05"}).
		Level(zerolog.WarnLevel).With().Timestamp().Logger()
	// protoactor's own chatter (actor started, dead letters) is discarded; the engine and the
	// service log through zerolog.
	system := actor.NewActorSystem(actor.WithLoggerFactory(func(*actor.ActorSystem) *slog.Logger {
		return slog.New(slog.DiscardHandler)
	}))
	defer system.Shutdown()

	ready := make(chan started, 1)
	root, err := system.Root.SpawnNamed(newServiceProps(serviceConfig{
		path: filepath.Join(dir, "service.db"), producers: opts.Producers, log: log, ready: ready,
	}), "service")
	if err != nil {
		return rep, err
	}
	defer func() {
		// Last step of the shutdown: stop the tree (the engine is already closed).
		if werr := system.Root.StopFuture(root).Wait(); werr != nil && err == nil {
			err = werr
		}
	}()
	// Opening the engine and creating the schema take milliseconds; a signal arriving meanwhile
	// is handled by the producing phase below, which then ends at once.
	st := <-ready
	if st.err != nil {
		if st.eng != nil {
			_ = st.eng.Close(context.Background())
		}
		return rep, st.err
	}
	eng := st.eng
	say("service up: engine %q under /service, %d producers -> ingest -> engine, accounts, chaos", eng.PID().Id, len(st.producers))
	if opts.OnStarted != nil {
		opts.OnStarted(func() (n int64) {
			for _, e := range st.prodEnvs {
				n += e.acked.Load()
			}
			return n
		})
	}

	// Producing phase, with chaos a third of the way in.
	deadline := time.NewTimer(opts.Duration)
	defer deadline.Stop()
	chaosAt := time.NewTimer(opts.Duration / 3)
	defer chaosAt.Stop()
	if !opts.Chaos {
		chaosAt.Stop()
	}
produce:
	for {
		select {
		case <-chaosAt.C:
			res, err := system.Root.RequestFuture(st.chaos, &Unleash{}, 10*time.Second).Result()
			if err != nil {
				return rep, fmt.Errorf("chaos: %w", err)
			}
			rep.Chaos = res.(*ChaosReport)
			say("chaos: crashed ingest; engine writer callback -> %v; reader callback -> %v",
				errors.Is(rep.Chaos.WriterErr, liteactor.ErrPanic), errors.Is(rep.Chaos.ReaderErr, liteactor.ErrPanic))
		case <-deadline.C:
			say("producing phase over after %v", opts.Duration)
			break produce
		case <-ctx.Done():
			rep.Interrupted = true
			say("signal received: shutting down gracefully")
			break produce
		}
	}

	// Graceful shutdown, in dependency order. It gets its own deadline: the run's ctx may be
	// the one that just ended.
	sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	start := time.Now()
	// 1. Producers stop creating events and wait until every event they created is stored.
	for _, p := range st.producers {
		if _, err := system.Root.RequestFuture(p, &StopProducing{}, 30*time.Second).Result(); err != nil {
			_ = eng.Close(sctx)
			return rep, fmt.Errorf("drain producer %s: %w", p.Id, err)
		}
	}
	for _, e := range st.prodEnvs {
		rep.Produced += e.produced.Load()
		rep.Resent += e.resent.Load()
		rep.Acked += e.acked.Load()
	}
	rep.IngestBatches, rep.IngestRestarts = st.ingestEnv.batches.Load(), st.ingestEnv.restarts.Load()
	say("producers drained: %d events produced, %d acknowledged, %d resends, in %d batches; ingest restarted %d time(s)",
		rep.Produced, rep.Acked, rep.Resent, rep.IngestBatches, rep.IngestRestarts)

	// 2. A few transfers through the accounts actor: one that works, its replay, an overdraft.
	for _, t := range []*Transfer{
		{ID: "t-1", From: "alice", To: "zoe", Amount: 1000},
		{ID: "t-1", From: "alice", To: "zoe", Amount: 1000},
		{ID: "t-2", From: "zoe", To: "bob", Amount: 1_000_000},
	} {
		res, err := system.Root.RequestFuture(st.accounts, t, 10*time.Second).Result()
		if err != nil {
			_ = eng.Close(sctx)
			return rep, fmt.Errorf("transfer %s: %w", t.ID, err)
		}
		tr := res.(*TransferResult)
		rep.Transfers = append(rep.Transfers, *tr)
		say("transfer %s %s -> %s %d: applied=%v err=%v", t.ID, t.From, t.To, t.Amount, tr.Applied, tr.Err)
	}

	// 3. What is stored, from one snapshot.
	res, err := system.Root.RequestFuture(st.accounts, &GetSummary{}, 10*time.Second).Result()
	if err != nil {
		_ = eng.Close(sctx)
		return rep, fmt.Errorf("summary: %w", err)
	}
	rep.Summary = *res.(*Summary)
	if rep.Summary.Err != nil {
		_ = eng.Close(sctx)
		return rep, fmt.Errorf("summary: %w", rep.Summary.Err)
	}
	s := rep.Summary
	say("stored: %d events (total %d), balances sum %d, %d transfer(s)", s.Events, s.EventTotal, s.BalanceSum, s.Transfers)
	for _, a := range s.Accounts {
		say("  %-6s balance %8d  events %6d", a.Name, a.Balance, a.Events)
	}
	lost, dup := rep.Produced-s.Events, int64(0)
	if lost < 0 {
		lost, dup = 0, -lost
	}
	say("lost events: %d, duplicated events: %d, money created or destroyed: %d", lost, dup, s.BalanceSum-s.EventTotal)

	// 4. The engine drains what is queued, checkpoints the WAL and closes its connections.
	rep.Engine = eng.Stats()
	if err := eng.Close(sctx); err != nil {
		return rep, fmt.Errorf("close engine: %w", err)
	}
	say("engine drained and closed: %d writes in %d transactions (mean batch %.1f), %d reads; restarts: writer %d, reader %d",
		rep.Engine.Completed, rep.Engine.Batches, rep.Engine.MeanBatchSize, rep.Engine.Reads,
		rep.Engine.Restarts.Writer, rep.Engine.Restarts.Reader)
	say("shutdown took %v", time.Since(start).Round(time.Millisecond))
	return rep, nil
}
