package supervisor

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/liteactor/liteactor/actors"
	"github.com/liteactor/liteactor/messages"
	"github.com/liteactor/liteactor/walmonitor"
	"github.com/ncruces/go-sqlite3"
	"github.com/rs/zerolog"
)

// Config is everything Start needs, validated and resolved by the caller
// (package liteactor turns its public Config into this one).
type Config struct {
	// Path is a file path, a "file:" URI, or ":memory:" for a private
	// in-memory database shared by the writer and every reader.
	Path string
	// FileMode is the permission of the files of a database Start creates
	// at a file path; 0 means 0600.
	FileMode os.FileMode
	// Conn is how every connection is set up; Start fills in URI and Memory
	// from Path.
	Conn actors.ConnConfig
	// Readers is the number of reader actors (at least 1).
	Readers int
	// ReadTimeout bounds how long a read waits for a free reader; 0: no
	// limit.
	ReadTimeout time.Duration
	// ReadBatch is how many queued point queries may share one read
	// transaction.
	ReadBatch int
	// MaxBatch is how many queued writes share one transaction.
	MaxBatch int
	// Queue is the write admission queue.
	Queue QueueConfig
	// WAL is the WAL monitor's resolved policy.
	WAL walmonitor.Config
	// SyncInterval, when positive, makes the writer fsync the WAL once it
	// holds commits that old (actors.WALSync); for synchronous=NORMAL.
	SyncInterval time.Duration
	// Budget bounds restarts of each child.
	Budget Budget
	// Name names the supervisor actor (with a random suffix unless Parent
	// is set).
	Name string
	// Log receives the tree's logs.
	Log zerolog.Logger
	// ActorSystem hosts the tree; nil makes a private one, shut down at
	// Close.
	ActorSystem *actor.ActorSystem
	// Parent, if set, spawns the supervisor as its child, named Name.
	Parent actor.SpawnerContext
	// Panic builds the error of a panicking callback.
	Panic actors.PanicFunc
	// Observe, if set, runs before a typed-message request is submitted;
	// false means it was vetoed and has been answered.
	Observe func(r *actors.Request) bool
	// ObserveCheckpoint, if set, runs before a checkpoint the engine sends
	// (Checkpoint, and the one at Close) and returns the reply to use, which
	// reports to the observers first; nil means vetoed: reply has been
	// called.
	ObserveCheckpoint func(ctx context.Context, mode sqlite3.CheckpointMode, reply func(messages.CheckpointResult)) func(messages.CheckpointResult)
}

// QueueConfig sizes the write admission queue.
type QueueConfig struct {
	Capacity int           // requests that may wait for the writer
	Policy   actors.Policy // what a request that finds the queue full does
	Timeout  time.Duration // PolicyBlockTimeout's wait
}

// Tree is one running engine below its facade: the connections, the
// queues, the actor tree and its lifecycle. Its methods are safe for
// concurrent use.
type Tree struct {
	cfg      Config
	log      zerolog.Logger
	system   *actor.ActorSystem
	pid      *actor.PID
	mem      *memoryDB
	counters *actors.Counters
	wq       *actors.Queue
	rq       *actors.ReadQueue
	wenv     *actors.WriterEnv
	renv     *actors.ReaderEnv
	wal      *walmonitor.Monitor

	reentry *actors.Reentry // which goroutines run a callback now

	closing   atomic.Bool
	closeOnce sync.Once
	closeErr  error         // the shutdown's result, once closeDone is closed
	closeDone chan struct{} // closed when the shutdown has finished
	stopOnce  sync.Once
	stopped   chan struct{} // closed when the supervisor has stopped
	closingCh chan struct{} // closed when Close begins or the tree stops (see Closing)
	closingMu sync.Once
}

// Start opens the database at cfg.Path (creating it if needed), opens every
// connection so that a bad path or a file that is not a database is reported
// here, spawns the tree, and returns once the writer runs. On any failure
// it leaves nothing behind: connections closed, dispatchers stopped, a
// private actor system shut down, an in-memory database released.
func Start(ctx context.Context, cfg Config) (_ *Tree, err error) {
	t := &Tree{cfg: cfg, log: cfg.Log, counters: &actors.Counters{}, stopped: make(chan struct{}),
		closingCh: make(chan struct{}), reentry: &actors.Reentry{}, closeDone: make(chan struct{})}
	defer func() {
		if err != nil {
			t.abort()
		}
	}()
	cc := cfg.Conn
	switch {
	case cfg.Path == ":memory:":
		t.mem = newMemoryDB()
		cc.URI, cc.Memory = t.mem.uri(), true
	case isFilePath(cfg.Path):
		cc.URI = cfg.Path
		mode := cfg.FileMode
		if mode == 0 {
			mode = defaultFileMode
		}
		if _, err := createFiles(cfg.Path, mode); err != nil {
			return nil, fmt.Errorf("liteactor: create %q: %w", cfg.Path, err)
		}
	default:
		cc.URI = cfg.Path
	}
	t.build(&cc)
	if err := t.openConns(); err != nil {
		return nil, err
	}
	if isFilePath(cfg.Path) {
		if err := matchCompanionModes(cfg.Path); err != nil {
			return nil, fmt.Errorf("liteactor: set the mode of %q's -wal and -shm files: %w", cfg.Path, err)
		}
	}
	t.system = cfg.ActorSystem
	if t.system == nil {
		t.system = NewActorSystem(t.log)
	}
	props := NewProps(&Env{
		Writer:     t.wenv,
		Readers:    t.renv,
		Monitor:    t.wal.Props(),
		Budget:     cfg.Budget,
		Log:        t.log,
		Stats:      t.Stats,
		Checkpoint: t.checkpointFromActor,
		Observe:    cfg.Observe,
		OnStopped:  t.onStopped,
	})
	var pid *actor.PID
	if cfg.Parent != nil {
		pid, err = cfg.Parent.SpawnNamed(props, cfg.Name)
	} else {
		pid, err = t.system.Root.SpawnNamed(props, cfg.Name+"-"+randomName())
	}
	if err != nil {
		return nil, fmt.Errorf("liteactor: spawn supervisor: %w", err)
	}
	t.pid = pid
	// Return once the writer runs, so that control messages (Checkpoint)
	// sent right after Open find it.
	select {
	case <-t.wenv.Ready:
		return t, nil
	case <-t.stopped:
		return nil, fmt.Errorf("liteactor: engine stopped while starting: %w", actors.ErrClosed)
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// build makes the queues, the envs and the WAL monitor, each complete when
// made: the monitor first, so that the writer's and readers' envs are built
// with its hooks.
func (t *Tree) build(cc *actors.ConnConfig) {
	cfg := t.cfg
	base := func() actors.ConnEnv {
		return actors.ConnEnv{Conn: cc, Counters: t.counters, Log: t.log, Panic: cfg.Panic, Reentry: t.reentry}
	}
	t.wq = actors.NewQueue(cfg.Queue.Capacity, cfg.Queue.Policy, cfg.Queue.Timeout, t.counters, t.kickWriter)
	t.rq = actors.NewReadQueue(cfg.Readers, cfg.ReadTimeout, max(cfg.ReadBatch, 1), t.counters, t.kickReader)
	t.renv = actors.NewReaderEnv(cfg.Readers)
	t.wal = walmonitor.New(cfg.WAL, walmonitor.Deps{
		Memory:     cc.Memory,
		Checkpoint: t.sendCheckpoint,
		Readers:    t.renv,
		Barrier:    t.rq,
		WritesPending: func() bool {
			depth, parked := t.wq.Len()
			return depth > 0 || parked > 0 || t.wenv.Busy()
		},
		CheckFile: t.checkFile,
		OnRestart: func() { t.counters.MonitorRestart.Add(1) },
		Log:       t.log,
	})
	t.renv.ConnEnv, t.renv.Queue, t.renv.MaxReadAge = base(), t.rq, t.wal.MaxReadAge()
	t.wenv = &actors.WriterEnv{ConnEnv: base(), Queue: t.wq, MaxBatch: cfg.MaxBatch,
		OnCheckpoint: t.wal.OnCheckpoint, OnConn: t.wal.OnConn, WALHook: t.wal.WALHook(),
		Dispatcher: actors.NewPinnedDispatcher(300), Ready: make(chan struct{})}
	if !cc.Memory {
		t.wenv.Sync.Interval = cfg.SyncInterval
	}
}

// checkFile asks the writer running now to check that its database file
// is still the one at its path (actors.CheckFile).
func (t *Tree) checkFile() {
	if t.wenv.Conn.Memory {
		return
	}
	if pid := t.wenv.Self.Load(); pid != nil {
		t.system.Root.Send(pid, &actors.CheckFile{})
	}
}

func (t *Tree) kickWriter() {
	if pid := t.wenv.Self.Load(); pid != nil {
		t.system.Root.Send(pid, actors.KickMsg)
	}
}

func (t *Tree) kickReader(i int) {
	if pid := t.renv.Self[i].Load(); pid != nil {
		t.system.Root.Send(pid, actors.KickMsg)
	}
}

// openConns opens the writer connection, then every reader's, for the
// actors to adopt when they start.
func (t *Tree) openConns() error {
	cc := t.wenv.Conn
	w, err := actors.OpenWriter(cc)
	if err != nil {
		return fmt.Errorf("liteactor: open %q: %w", t.cfg.Path, err)
	}
	t.wenv.Initial = w
	for i := range t.renv.Initial {
		r, err := actors.OpenReader(cc)
		if err != nil {
			return fmt.Errorf("liteactor: open reader %d on %q: %w", i, t.cfg.Path, err)
		}
		t.renv.Initial[i] = r
	}
	return nil
}

// abort undoes a Start that failed, whatever stage it reached.
func (t *Tree) abort() {
	if t.pid != nil {
		t.Close(context.Background())
		return
	}
	if t.wenv != nil {
		t.closeInitial()
		t.stopDispatchers()
	}
	if t.system != nil && t.cfg.ActorSystem == nil {
		t.system.Shutdown()
	}
	t.mem.release()
}

// closeInitial closes the connections Start opened that no actor adopted.
// Only while no actor runs.
func (t *Tree) closeInitial() {
	t.wenv.Initial.Close()
	t.wenv.Initial = nil
	for i, c := range t.renv.Initial {
		c.Close()
		t.renv.Initial[i] = nil
	}
}

// PID is the supervisor's: the front door for typed messages.
func (t *Tree) PID() *actor.PID { return t.pid }

// ActorSystem is the system the tree runs in.
func (t *Tree) ActorSystem() *actor.ActorSystem { return t.system }

// Write submits r (a KindExec, KindWrite or KindExclusive request made with
// actors.NewRequest) to the admission queue and waits for its outcome, or
// for ctx: a request whose ctx ends while it is queued is withdrawn and
// never runs; one already running is interrupted and answered by the writer.
// A request that cannot run (actors.ValidateRequest) fails with
// ErrInvalidArg, and a call from inside one of this tree's callbacks that
// would wait for itself (actors.Reentry) with ErrReentrant, before anything
// is queued.
func (t *Tree) Write(ctx context.Context, r *actors.Request) error {
	if err := t.admit(ctx, r, actors.SideWrite); err != nil {
		return err
	}
	if err := t.wq.Submit(r); err != nil {
		return err
	}
	return t.wq.Await(ctx, r)
}

// Read submits r (KindQuery or KindRead) to the readers and waits for its
// outcome (ErrReadTimeout from the queue if no reader took it within
// ReadTimeout), or for ctx as Write does; refused as Write refuses.
func (t *Tree) Read(ctx context.Context, r *actors.Request) error {
	if err := t.admit(ctx, r, actors.SideRead); err != nil {
		return err
	}
	waiting, err := t.rq.Submit(r)
	if err != nil {
		return err
	}
	return t.rq.Await(ctx, r, waiting)
}

// admit refuses what must not be queued: a request from inside one of this
// tree's callbacks that would wait for itself, one that cannot run, or one
// whose ctx already ended. side is the queue the request goes to (not its
// kind: WriteQuery sends a query to the writer).
func (t *Tree) admit(ctx context.Context, r *actors.Request, side int) error {
	if err := t.reentry.Check(r.Kind.String(), side); err != nil {
		return err
	}
	if err := actors.ValidateRequest(r); err != nil {
		return err
	}
	return ctx.Err()
}

// CheckMode refuses checkpoint modes the engine does not run, with an error
// wrapping ErrInvalidArg: RESTART (behind long readers it holds the write
// lock and stalls every writer) and unknown modes.
func CheckMode(mode sqlite3.CheckpointMode) error {
	switch mode {
	case sqlite3.CHECKPOINT_PASSIVE, sqlite3.CHECKPOINT_FULL, sqlite3.CHECKPOINT_TRUNCATE:
		return nil
	case sqlite3.CHECKPOINT_RESTART:
		return fmt.Errorf("%w: RESTART checkpoints are not issued (they stall writers behind long readers); use PASSIVE, FULL or TRUNCATE", actors.ErrInvalidArg)
	}
	return fmt.Errorf("%w: checkpoint mode %d (use PASSIVE, FULL or TRUNCATE)", actors.ErrInvalidArg, mode)
}

// Checkpoint runs wal_checkpoint(mode) on the writer between batches and
// waits for it, or for ctx. The mode is checked with CheckMode; a closed
// tree answers ErrClosed.
func (t *Tree) Checkpoint(ctx context.Context, mode sqlite3.CheckpointMode) (messages.CheckpointResult, error) {
	if err := CheckMode(mode); err != nil {
		return messages.CheckpointResult{Mode: mode, Err: err}, err
	}
	// The writer runs the checkpoint between batches: from inside a writer
	// callback it would wait for itself.
	if err := t.reentry.Check("checkpoint", actors.SideWrite); err != nil {
		return messages.CheckpointResult{Mode: mode, Err: err}, err
	}
	if t.closing.Load() {
		return messages.CheckpointResult{Mode: mode, Err: actors.ErrClosed}, actors.ErrClosed
	}
	ch := make(chan messages.CheckpointResult, 1)
	t.observedCheckpoint(ctx, mode, func(r messages.CheckpointResult) { ch <- r })
	select {
	case r := <-ch:
		return r, r.Err
	case <-ctx.Done():
		return messages.CheckpointResult{Mode: mode, Err: ctx.Err()}, ctx.Err()
	case <-t.stopped:
		return messages.CheckpointResult{Mode: mode, Err: actors.ErrClosed}, actors.ErrClosed
	}
}

// checkpointFromActor is messages.Checkpoint's path: the same check and
// observers as Checkpoint, answered through reply.
func (t *Tree) checkpointFromActor(mode sqlite3.CheckpointMode, reply func(messages.CheckpointResult)) {
	if err := CheckMode(mode); err != nil {
		reply(messages.CheckpointResult{Mode: mode, Err: err})
		return
	}
	t.observedCheckpoint(context.Background(), mode, reply)
}

// observedCheckpoint sends a checkpoint through the observers; ctx parents
// their spans.
func (t *Tree) observedCheckpoint(ctx context.Context, mode sqlite3.CheckpointMode, reply func(messages.CheckpointResult)) {
	if t.cfg.ObserveCheckpoint != nil {
		if reply = t.cfg.ObserveCheckpoint(ctx, mode, reply); reply == nil {
			return
		}
	}
	if !t.sendCheckpoint(mode, 0, reply) {
		reply(messages.CheckpointResult{Mode: mode, Err: errors.New("liteactor: writer not running")})
	}
}

// sendCheckpoint sends a checkpoint request to the writer instance running
// now; false when none runs.
func (t *Tree) sendCheckpoint(mode sqlite3.CheckpointMode, busy time.Duration, reply func(messages.CheckpointResult)) bool {
	pid := t.wenv.Self.Load()
	if pid == nil {
		return false
	}
	t.system.Root.Send(pid, &actors.Checkpoint{Mode: mode, BusyTimeout: busy, Reply: reply})
	return true
}

// Stats returns a snapshot of the figures. It reads atomic counters and
// takes each queue's lock once (and the WAL monitor's briefly); it never
// waits for an actor.
func (t *Tree) Stats() messages.Stats {
	c := t.counters
	s := messages.Stats{
		QueueCapacity: t.wq.Capacity(),
		Admitted:      c.Admitted.Load(),
		Completed:     c.Completed.Load(),
		Rejected:      c.Rejected.Load(),
		Dropped:       c.Dropped.Load(),
		Expired:       c.Expired.Load(),
		Batches:       c.Batches.Load(),
		Reads:         c.Reads.Load(),
		ReadsExpired:  c.ReadsExpired.Load(),
		ReadGroups:    c.ReadGroups.Load(),
		Restarts: messages.Restarts{
			Writer:     c.WriterRestarts.Load(),
			Reader:     c.ReaderRestarts.Load(),
			WALMonitor: c.MonitorRestart.Load(),
		},
	}
	if s.Batches > 0 {
		s.MeanBatchSize = float64(c.BatchedReqs.Load()) / float64(s.Batches)
	}
	s.QueueDepth, s.QueueParked = t.wq.Len()
	s.ReadersBusy, s.ReadersIdle, s.ReadsWaiting = t.rq.Load()
	s.WAL = t.wal.Stats()
	s.WAL.Syncs, s.WAL.SyncFailures = t.wenv.Sync.Syncs()
	s.WAL.LastSync = t.wenv.Sync.Last()
	s.FileReplaced = t.wenv.Replaced.Err() != nil
	return s
}

// Close shuts the tree down gracefully: stop admitting, let the writer and
// readers finish what was admitted, checkpoint TRUNCATE, stop the actors
// (closing every connection), release what Start made.
//
// The first call starts the shutdown, and its ctx bounds the drain: if ctx
// ends before every admitted request was answered, whatever has not started
// is answered ErrClosed and the shutdown's result is ctx's error. The drain
// has completed when both queues are closed and empty and the writer and
// every reader are back waiting for work (every admitted request answered).
// From then on the shutdown finishes (final checkpoint, whose wait ctx
// bounds; stopping the idle actors) whatever ctx does, and its result is
// nil: a Close whose drain had completed when its ctx's end was seen
// returns nil, even with a ctx cancelled before the call.
//
// Every call, the first included, waits for the shutdown's result or for
// its own ctx, whichever comes first: a call whose ctx ends first returns
// ctx's error while the shutdown goes on. Later calls return the
// shutdown's result. Close called from inside one of the tree's callbacks
// fails at once with ErrReentrant (it would wait for itself).
func (t *Tree) Close(ctx context.Context) error {
	if err := t.reentry.Check("Close", actors.SideClose); err != nil {
		return err
	}
	t.closeOnce.Do(func() {
		// Admission stops before Close returns, whatever its ctx.
		t.closing.Store(true)
		t.wq.Close()
		t.rq.Close()
		go func() {
			t.closeErr = t.shutdown(ctx)
			close(t.closeDone)
		}()
	})
	select {
	case <-t.closeDone:
		return t.closeErr
	case <-ctx.Done():
	}
	if t.drained() {
		// Nothing admitted is left: the rest of the shutdown is bounded.
		<-t.closeDone
		return t.closeErr
	}
	return ctx.Err()
}

// drained reports whether both queues are closed, empty and idle.
func (t *Tree) drained() bool {
	for _, ch := range []<-chan struct{}{t.wq.Drained(), t.rq.Drained()} {
		select {
		case <-ch:
		default:
			return false
		}
	}
	return true
}

func (t *Tree) shutdown(ctx context.Context) error {
	t.closing.Store(true)
	t.signalClosing()
	t.wq.Close()
	t.rq.Close()
	var err error
	select {
	case <-t.stopped: // the tree already stopped: its parent stopped it
	default:
		err = t.drain(ctx)
		stop := t.system.Root.StopFuture(t.pid)
		waited := make(chan struct{})
		go func() { stop.Wait(); close(waited) }()
		bound := ctx.Done()
		if err == nil {
			// Drained: no request runs, so stopping the actors is bounded
			// and is waited for whatever ctx does.
			bound = nil
		}
		select {
		case <-waited: // the supervisor's Stopped ran onStopped
		case <-bound:
		}
	}
	// Queued requests are answered now; requests an actor is running keep
	// their own outcome (the tree answers any it abandons when it stops).
	t.markClosed()
	select {
	case <-t.stopped: // no actor runs: connections none adopted can go
		t.closeInitial()
	default:
	}
	if t.cfg.ActorSystem == nil {
		t.system.Shutdown()
	}
	t.mem.release()
	return err
}

// drain waits for both queues to empty, then checkpoints. On ctx's end it
// answers whatever is still queued with ErrClosed.
func (t *Tree) drain(ctx context.Context) error {
	for _, ch := range []<-chan struct{}{t.wq.Drained(), t.rq.Drained()} {
		select {
		case <-ch: // drained already: a done ctx changes nothing
			continue
		default:
		}
		select {
		case <-ch:
		case <-t.stopped:
			// The tree stopped on its own (escalation) while Close began:
			// nothing will run or drain any more, and onStopped answers
			// what was left.
			return nil
		case <-ctx.Done():
			t.wq.FailQueued(actors.ErrClosed)
			t.rq.FailQueued(actors.ErrClosed)
			return ctx.Err()
		}
	}
	ch := make(chan messages.CheckpointResult, 1)
	t.observedCheckpoint(context.Background(), sqlite3.CHECKPOINT_TRUNCATE, func(r messages.CheckpointResult) { ch <- r })
	select {
	case r := <-ch:
		if r.Err != nil {
			t.log.Warn().Str("component", "engine").Str("op", "close").Err(r.Err).Msg("final checkpoint")
		}
	case <-t.stopped: // the writer is gone: no reply will come
	case <-ctx.Done():
		// Everything admitted was answered: the drain completed. The
		// writer still runs the checkpoint before it stops.
		t.log.Debug().Str("component", "engine").Str("op", "close").Msg("final checkpoint not awaited: ctx ended")
	}
	return nil
}

// onStopped runs when the supervisor has stopped, by Close or because its
// parent stopped it: nothing more will run, so everything still waiting is
// answered ErrClosed.
func (t *Tree) onStopped() {
	t.stopOnce.Do(func() {
		t.markClosed()
		t.wenv.FailInflight(actors.ErrClosed)
		t.renv.FailInflight(actors.ErrClosed)
		t.stopDispatchers()
		close(t.stopped)
	})
}

// markClosed refuses new requests and answers every queued one ErrClosed.
// It never touches requests an actor has taken.
func (t *Tree) markClosed() {
	t.closing.Store(true)
	t.signalClosing()
	t.wq.Close()
	t.rq.Close()
	t.wq.FailQueued(actors.ErrClosed)
	t.rq.FailQueued(actors.ErrClosed)
}

// stopDispatchers ends the actors' pinned goroutines once the tree stopped.
func (t *Tree) stopDispatchers() {
	t.wenv.Dispatcher.Stop()
	for _, d := range t.renv.Dispatchers {
		d.Stop()
	}
}

// isFilePath reports whether path names an OS file the engine may create
// (not ":memory:", not a "file:" URI whose VFS the engine cannot know).
func isFilePath(path string) bool {
	return path != "" && path != ":memory:" && !strings.HasPrefix(path, "file:")
}
