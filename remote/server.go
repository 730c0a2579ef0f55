package remote

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/asynkron/protoactor-go/eventstream"
	"github.com/asynkron/protoactor-go/remote"
	"github.com/liteactor/liteactor"
	pb "github.com/liteactor/liteactor/remote/remotepb"
	"github.com/liteactor/liteactor/supervisor"
	"github.com/rs/zerolog"
)

// DefaultGatewayName is the name of the gateway actor: its PID is
// actor.NewPID(server.Addr(), DefaultGatewayName) unless
// ServerConfig.GatewayName says otherwise.
const DefaultGatewayName = "liteactor-gateway"

// ServerConfig configures Serve. Zero fields take the defaults written on
// them; negative values are refused.
type ServerConfig struct {
	// Addr is the host:port to listen on, e.g. "10.0.0.5:8090"; port 0
	// picks a free port. Default "127.0.0.1:0".
	Addr string
	// AdvertisedAddr is the host:port clients dial, when it is not the
	// listening address (NAT, a DNS name). protoactor uses it as this
	// node's identity: clients must dial exactly Server.Addr().
	AdvertisedAddr string
	// TLS is this node's certificate and the CA pool that signs its peers'
	// (see LoadTLS). Required: peers without a certificate from that CA are
	// refused during the TLS handshake.
	TLS *tls.Config
	// GatewayName names the gateway actor. Default DefaultGatewayName.
	GatewayName string
	// Retention is how long an idempotency key's outcome is kept. A retry
	// of a key within it is answered from the record; a key older than
	// Retention minus MaxClockSkew is refused with ErrKeyExpired and never
	// runs. Default 24h.
	Retention time.Duration
	// MaxClockSkew is how far clients' clocks may differ from the server's
	// (keys carry the client's creation time). Default 1 minute; must be
	// less than Retention.
	MaxClockSkew time.Duration
	// CleanupInterval is how often expired keys are deleted, in Writes of at
	// most CleanupBatch rows each, so the writer is never held long.
	// Default Retention/24, at least 1s and at most 1h.
	CleanupInterval time.Duration
	// CleanupBatch: default 1000.
	CleanupBatch int
	// DefaultTimeout applies to requests that carry no timeout. Default 30s.
	DefaultTimeout time.Duration
	// MaxTimeout caps every request's timeout. Default 5 minutes.
	MaxTimeout time.Duration
	// MaxMessageBytes bounds every request and every reply (a query page):
	// default 1 MiB, between 64 KiB and 16 MiB.
	MaxMessageBytes int
	// MaxResultBytes bounds one query's whole result, held in memory while
	// its pages are fetched: default 64 MiB.
	MaxResultBytes int64
	// MaxCursorBytes bounds the memory of all open query results: default
	// 256 MiB. A query that would exceed it fails with ErrOverloaded.
	MaxCursorBytes int64
	// CursorTTL releases a paged result not fetched from for that long.
	// Default 1 minute.
	CursorTTL time.Duration
	// MaxInFlight bounds requests being handled at once; more are refused
	// with ErrOverloaded. Default 4096. (The engine's admission queue and
	// its overflow policy apply to the writes among them.)
	MaxInFlight int
	// Logger receives the gateway's and protoactor's logs.
	Logger zerolog.Logger
}

func (c *ServerConfig) setDefaults() error {
	if c.Addr == "" {
		c.Addr = "127.0.0.1:0"
	}
	if c.GatewayName == "" {
		c.GatewayName = DefaultGatewayName
	}
	durs := []struct {
		name string
		v    *time.Duration
		def  time.Duration
	}{
		{"Retention", &c.Retention, 24 * time.Hour},
		{"MaxClockSkew", &c.MaxClockSkew, time.Minute},
		{"DefaultTimeout", &c.DefaultTimeout, 30 * time.Second},
		{"MaxTimeout", &c.MaxTimeout, 5 * time.Minute},
		{"CursorTTL", &c.CursorTTL, time.Minute},
	}
	for _, d := range durs {
		if *d.v < 0 {
			return fmt.Errorf("%w: %s is negative", ErrInvalidConfig, d.name)
		}
		if *d.v == 0 {
			*d.v = d.def
		}
	}
	if c.CleanupInterval < 0 {
		return fmt.Errorf("%w: CleanupInterval is negative", ErrInvalidConfig)
	}
	if c.CleanupInterval == 0 {
		c.CleanupInterval = min(max(c.Retention/24, time.Second), time.Hour)
	}
	if c.MaxClockSkew >= c.Retention {
		return fmt.Errorf("%w: MaxClockSkew (%s) must be less than Retention (%s)", ErrInvalidConfig, c.MaxClockSkew, c.Retention)
	}
	if c.DefaultTimeout > c.MaxTimeout {
		c.DefaultTimeout = c.MaxTimeout
	}
	ints := []struct {
		name string
		v    *int
		def  int
	}{
		{"CleanupBatch", &c.CleanupBatch, 1000},
		{"MaxMessageBytes", &c.MaxMessageBytes, 1 << 20},
		{"MaxInFlight", &c.MaxInFlight, 4096},
	}
	for _, i := range ints {
		if *i.v < 0 {
			return fmt.Errorf("%w: %s is negative", ErrInvalidConfig, i.name)
		}
		if *i.v == 0 {
			*i.v = i.def
		}
	}
	if c.MaxMessageBytes < 64<<10 || c.MaxMessageBytes > 16<<20 {
		return fmt.Errorf("%w: MaxMessageBytes %d is outside 64 KiB..16 MiB", ErrInvalidConfig, c.MaxMessageBytes)
	}
	for _, b := range []struct {
		name string
		v    *int64
		def  int64
	}{{"MaxResultBytes", &c.MaxResultBytes, 64 << 20}, {"MaxCursorBytes", &c.MaxCursorBytes, 256 << 20}} {
		if *b.v < 0 {
			return fmt.Errorf("%w: %s is negative", ErrInvalidConfig, b.name)
		}
		if *b.v == 0 {
			*b.v = b.def
		}
	}
	return checkTLS(c.TLS)
}

// Server is an engine's remote front door: a gateway actor reachable over
// protoactor's remote with mutual TLS. Its methods are safe for concurrent
// use.
type Server struct {
	eng    *liteactor.Engine
	cfg    ServerConfig
	log    zerolog.Logger
	system *actor.ActorSystem
	remote *remote.Remote
	pid    *actor.PID
	cur    *cursors

	mu       sync.Mutex
	closing  bool
	wg       sync.WaitGroup
	inflight atomic.Int64
	peers    map[string]struct{} // addresses replied to, flushed at Close

	flMu    sync.Mutex
	flights map[string]*flight // keys being applied now

	peerSub     *eventstream.Subscription
	stopCleanup context.CancelFunc
	cleanupDone chan struct{}

	closeOnce sync.Once
	closeErr  error

	n counters
}

type counters struct {
	requests, applied, duplicates, failuresRecorded, keysExpired, keysDeleted, pages, overloaded atomic.Uint64
}

// Serve starts the gateway for eng on cfg.Addr and returns once it listens.
// It creates the idempotency table (KeysTable) in eng's database, and runs
// the gateway actor in an actor system of its own with protoactor's remote
// (protoactor writes the node's address into a running system without
// synchronisation, and allows one remote per system; the engine's system is
// left alone). The gateway calls the engine's Go API.
// A port that cannot be bound is an error wrapping ErrListen, never a
// panic. Close the Server before the engine.
func Serve(ctx context.Context, eng *liteactor.Engine, cfg ServerConfig) (*Server, error) {
	if eng == nil {
		return nil, fmt.Errorf("%w: nil engine", ErrInvalidConfig)
	}
	if err := cfg.setDefaults(); err != nil {
		return nil, err
	}
	if _, err := eng.Exec(ctx, keysSchema); err != nil {
		return nil, fmt.Errorf("liteactor/remote: create %s: %w", KeysTable, err)
	}
	s := &Server{
		eng:     eng,
		cfg:     cfg,
		log:     cfg.Logger.With().Str("component", "remote").Logger(),
		system:  supervisor.NewActorSystem(cfg.Logger),
		cur:     newCursors(cfg.MaxCursorBytes, cfg.CursorTTL),
		peers:   make(map[string]struct{}),
		flights: make(map[string]*flight),
	}
	r, err := startRemote(s.system, transportConfig{addr: cfg.Addr, advertised: cfg.AdvertisedAddr, tls: cfg.TLS, maxMessage: cfg.MaxMessageBytes, log: s.log})
	if err != nil {
		s.system.Shutdown()
		return nil, err
	}
	s.remote = r
	// A peer whose connection ended has nothing left to flush.
	s.peerSub = s.system.EventStream.Subscribe(func(evt any) {
		if e, ok := evt.(*remote.EndpointTerminatedEvent); ok {
			s.mu.Lock()
			delete(s.peers, e.Address)
			s.mu.Unlock()
		}
	})
	s.pid, err = s.system.Root.SpawnNamed(actor.PropsFromProducer(func() actor.Actor { return &gateway{s: s} }), cfg.GatewayName)
	if err != nil {
		s.system.EventStream.Unsubscribe(s.peerSub)
		stopRemote(ctx, s.system, r)
		s.system.Shutdown()
		return nil, fmt.Errorf("liteactor/remote: spawn gateway %q: %w", cfg.GatewayName, err)
	}
	cctx, cancel := context.WithCancel(context.Background())
	s.stopCleanup, s.cleanupDone = cancel, make(chan struct{})
	go s.cleanup(cctx)
	s.log.Info().Str("op", "serve").Str("addr", s.Addr()).Str("gateway", cfg.GatewayName).Msg("gateway listening")
	return s, nil
}

// Addr is the address clients dial: the advertised address, or the
// listening one (with the port picked for port 0).
func (s *Server) Addr() string { return s.system.Address() }

// PID is the gateway actor's PID; actors on other hosts send remotepb
// requests to actor.NewPID(s.Addr(), name) with the same name.
func (s *Server) PID() *actor.PID { return s.pid }

// Close stops the server gracefully: new requests are answered
// ErrUnavailable (clients retry them elsewhere or later, with the same
// keys), requests already received run to their outcome and are answered,
// replies are flushed to each client, then the listener and connections
// close. If ctx ends first, Close stops waiting, closes everything at once
// and returns ctx's error; requests still running keep their own deadlines
// and outcomes (their keys are recorded), only their replies may be lost.
// The engine stays open. Close is idempotent.
func (s *Server) Close(ctx context.Context) error {
	s.closeOnce.Do(func() { s.closeErr = s.shutdown(ctx) })
	return s.closeErr
}

func (s *Server) shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.closing = true
	s.mu.Unlock()
	var errs []error
	drained := make(chan struct{})
	go func() { s.wg.Wait(); close(drained) }()
	select {
	case <-drained:
		if err := s.flush(ctx); err != nil {
			errs = append(errs, err)
		}
	case <-ctx.Done():
		errs = append(errs, ctx.Err())
	}
	s.stopCleanup()
	<-s.cleanupDone
	s.system.EventStream.Unsubscribe(s.peerSub)
	if err := s.system.Root.StopFuture(s.pid).Wait(); err != nil {
		errs = append(errs, fmt.Errorf("liteactor/remote: stop gateway: %w", err))
	}
	s.cur.sweep(true)
	if err := stopRemote(ctx, s.system, s.remote); err != nil && len(errs) == 0 {
		errs = append(errs, err)
	}
	s.system.Shutdown()
	s.log.Info().Str("op", "close").Str("addr", s.Addr()).Msg("gateway closed")
	return errors.Join(errs...)
}

// flushWait bounds the wait for one peer's flush probe: a live peer answers
// in a round trip; a peer that went away without protoactor noticing (its
// stream ended with EOF) never does.
const flushWait = time.Second

// flush makes sure every reply sent has reached its client: protoactor
// sends replies asynchronously through a per-peer writer, and its shutdown
// stops that writer before its queue is empty. A probe message to a
// nonexistent actor at each peer comes back as protoactor's
// DeadLetterResponse once everything queued before it was delivered.
func (s *Server) flush(ctx context.Context) error {
	s.mu.Lock()
	peers := make([]string, 0, len(s.peers))
	for a := range s.peers {
		peers = append(peers, a)
	}
	s.mu.Unlock()
	var wg sync.WaitGroup
	for _, a := range peers {
		wait := flushWait
		if dl, ok := ctx.Deadline(); ok {
			wait = min(wait, time.Until(dl))
		}
		if wait <= 0 {
			return ctx.Err()
		}
		f := s.system.Root.RequestFuture(actor.NewPID(a, "liteactor-flush-probe"), &actor.Touch{}, wait)
		wg.Add(1)
		go func() { defer wg.Done(); f.Wait() }()
	}
	wg.Wait()
	return nil
}

// cleanup deletes expired keys and idle cursors until ctx ends.
func (s *Server) cleanup(ctx context.Context) {
	defer close(s.cleanupDone)
	t := time.NewTicker(min(s.cfg.CleanupInterval, s.cfg.CursorTTL/2))
	defer t.Stop()
	lastKeys := time.Now()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			s.cur.sweep(false)
			if now.Sub(lastKeys) < s.cfg.CleanupInterval {
				continue
			}
			lastKeys = now
			s.expire(ctx, now)
		}
	}
}

// expire deletes keys older than the retention, CleanupBatch per Write, so
// other writes interleave.
func (s *Server) expire(ctx context.Context, now time.Time) {
	cutoff := now.Add(-s.cfg.Retention).UnixMilli()
	for ctx.Err() == nil {
		wctx, cancel := context.WithTimeout(ctx, s.cfg.DefaultTimeout)
		n, err := expireKeys(wctx, s.eng, cutoff, s.cfg.CleanupBatch)
		cancel()
		if err != nil {
			if ctx.Err() == nil {
				s.log.Warn().Str("op", "expire").Err(err).Msg("deleting expired idempotency keys")
			}
			return
		}
		s.n.keysDeleted.Add(uint64(n))
		if n < int64(s.cfg.CleanupBatch) {
			return
		}
	}
}

// Stats returns the gateway's counters.
func (s *Server) Stats() *pb.GatewayStats {
	return &pb.GatewayStats{
		Requests:         s.n.requests.Load(),
		WritesApplied:    s.n.applied.Load(),
		Duplicates:       s.n.duplicates.Load(),
		FailuresRecorded: s.n.failuresRecorded.Load(),
		KeysExpired:      s.n.keysExpired.Load(),
		KeysDeleted:      s.n.keysDeleted.Load(),
		Pages:            s.n.pages.Load(),
		CursorsOpen:      int64(s.cur.count()),
		CursorBytes:      s.cur.held.Load(),
		InFlight:         s.inflight.Load(),
		Overloaded:       s.n.overloaded.Load(),
	}
}

func (s *Server) isClosing() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closing
}
