package remote

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"strconv"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/asynkron/protoactor-go/remote"
	"github.com/rs/zerolog"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
)

// grpcMaxMessage is the receive limit of every gRPC message on both sides.
// protoactor packs up to EndpointWriterBatchSize actor messages into one gRPC
// message, and a gRPC message above the receiver's limit is lost whole
// (ResourceExhausted; every caller in it times out), so the batch size is
// derived from it and the largest actor message: batch * (max + overhead)
// stays below this limit whatever the two sides' configs are.
const grpcMaxMessage = 128 << 20

// envelopeOverhead bounds what protoactor adds per message in a batch (type
// name, target and sender PIDs, header).
const envelopeOverhead = 4 << 10

// endpointQueueSize is the initial ring size of protoactor's per-peer
// endpoint writer queue (it grows on demand); protoactor's default of
// 1,000,000 slots allocates 16 MB for every peer.
const endpointQueueSize = 1024

// localAddress is protoactor's address of an actor system without a remote.
const localAddress = "nonhost"

type transportConfig struct {
	addr       string // host:port to listen on
	advertised string // host:port peers use, if not addr
	tls        *tls.Config
	maxMessage int
	log        zerolog.Logger
}

// startRemote starts protoactor's remote on system: a gRPC server with mutual
// TLS on cfg.addr, and mutual-TLS dialling to peers. protoactor's Start
// panics when it cannot listen; the panic happens before it changes
// anything else, so it is recovered and returned as ErrListen. That is race
// free, unlike probing the port first and listening again (another process
// can take it in between). Start also silences gRPC's logging for the whole
// process (grpclog.SetLoggerV2); that cannot be prevented from here.
func startRemote(system *actor.ActorSystem, cfg transportConfig) (r *remote.Remote, err error) {
	host, portStr, err := net.SplitHostPort(cfg.addr)
	if err != nil {
		return nil, fmt.Errorf("%w: address %q: %w", ErrInvalidConfig, cfg.addr, err)
	}
	port, err := strconv.Atoi(portStr)
	if err != nil || port < 0 || port > 65535 {
		return nil, fmt.Errorf("%w: address %q: bad port", ErrInvalidConfig, cfg.addr)
	}
	if system.ProcessRegistry.Address != localAddress {
		return nil, fmt.Errorf("%w: the actor system already runs a remote (%s); protoactor allows one per actor system", ErrInvalidConfig, system.Address())
	}
	batch := max(1, min(1000, grpcMaxMessage/(cfg.maxMessage+envelopeOverhead)))
	opts := []remote.ConfigOption{
		remote.WithServerOptions(
			grpc.Creds(credentials.NewTLS(serverTLS(cfg.tls))),
			grpc.MaxRecvMsgSize(grpcMaxMessage),
			grpc.ChainStreamInterceptor(guardStream(system, cfg.log)),
			grpc.ChainUnaryInterceptor(refuseUnary),
		),
		remote.WithDialOptions(
			grpc.WithTransportCredentials(credentials.NewTLS(dialTLS(cfg.tls))),
			grpc.WithDefaultCallOptions(grpc.MaxCallSendMsgSize(grpcMaxMessage), grpc.MaxCallRecvMsgSize(grpcMaxMessage)),
		),
		remote.WithEndpointWriterBatchSize(batch),
		remote.WithEndpointWriterQueueSize(endpointQueueSize),
		remote.WithEndpointManagerQueueSize(endpointQueueSize),
	}
	if cfg.advertised != "" {
		opts = append(opts, remote.WithAdvertisedHost(cfg.advertised))
	}
	rc := remote.Configure(host, port, opts...)
	// protoactor's endpoint writer retries a failed connection
	// MaxRetryCount times, sleeping 2 s after each failure inside its
	// Receive, while everything sent to that peer waits and shutdown waits
	// for it (default 5: 10 s). The client retries requests itself, so one
	// try is enough: an unreachable peer costs 2 s, and senders get
	// DeadLetterResponse instead of waiting.
	rc.MaxRetryCount = 1
	r = remote.NewRemote(system, rc)
	defer func() {
		if p := recover(); p != nil {
			r, err = nil, fmt.Errorf("%w on %s: %v", ErrListen, cfg.addr, p)
		}
	}()
	r.Start()
	return r, nil
}

// stopRemote stops r: its gRPC server (listener and incoming streams), then
// its endpoint actors, which close the connections this node dialled. It
// does not use protoactor's graceful Shutdown: at the pinned commit that
// one races with endpoints closing during it (it sets the endpoint table to
// nil while a closing connection's goroutine still reads it, a nil-pointer
// crash waiting to happen, and it can panic with "send on closed channel"
// signalling a stream that just ended). Graceful behaviour (draining,
// flushing replies) is done before, by the Server and Client themselves.
func stopRemote(ctx context.Context, system *actor.ActorSystem, r *remote.Remote) error {
	r.Shutdown(false)
	var err error
	for _, name := range []string{"EndpointSupervisor", "activator"} {
		f := system.Root.StopFuture(actor.NewPID(system.Address(), name))
		done := make(chan struct{})
		go func() { f.Wait(); close(done) }()
		select {
		case <-done:
		case <-ctx.Done():
			err = ctx.Err()
		}
	}
	return err
}

// refuseUnary answers protoactor's unary RPCs (ListProcesses,
// GetProcessDiagnostics) with Unimplemented: at the pinned commit their
// handlers panic("implement me"), and gRPC does not recover handler panics,
// so any authenticated peer calling one would crash this process.
func refuseUnary(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	return nil, status.Errorf(codes.Unimplemented, "%s is not served", info.FullMethod)
}

// guardStream checks every batch of actor messages a peer sends before
// protoactor sees it. protoactor's endpoint reader dereferences a nil
// message type when the type name is not linked into this process (the
// whole process crashes), indexes its lookup tables without bounds checks,
// and forwards a message whose target address is not this node's own (a
// client that dialled "localhost:p" where the node calls itself
// "127.0.0.1:p") back out over the network, to itself, forever. Such
// envelopes are dropped here; a sender gets protoactor's DeadLetterResponse.
func guardStream(system *actor.ActorSystem, log zerolog.Logger) grpc.StreamServerInterceptor {
	return func(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
		return handler(srv, &guardedStream{ServerStream: ss, system: system, log: log})
	}
}

type guardedStream struct {
	grpc.ServerStream
	system *actor.ActorSystem
	log    zerolog.Logger
}

func (g *guardedStream) RecvMsg(m any) error {
	if err := g.ServerStream.RecvMsg(m); err != nil {
		return err
	}
	rm, ok := m.(*remote.RemoteMessage)
	if !ok {
		return nil
	}
	batch := rm.GetMessageBatch()
	if batch == nil {
		return nil
	}
	self := g.system.Address()
	kept := batch.Envelopes[:0]
	for _, e := range batch.Envelopes {
		if why := g.check(batch, e, self); why != "" {
			g.reject(batch, e, why)
			continue
		}
		kept = append(kept, e)
	}
	for i := len(kept); i < len(batch.Envelopes); i++ {
		batch.Envelopes[i] = nil
	}
	batch.Envelopes = kept
	return nil
}

func (g *guardedStream) check(b *remote.MessageBatch, e *remote.MessageEnvelope, self string) string {
	if e == nil {
		return "empty envelope"
	}
	if e.TypeId < 0 || int(e.TypeId) >= len(b.TypeNames) {
		return "type index out of range"
	}
	if e.SerializerId != 0 && e.SerializerId != 1 {
		return "unknown serializer"
	}
	if _, err := protoregistry.GlobalTypes.FindMessageByName(protoreflect.FullName(b.TypeNames[e.TypeId])); err != nil {
		return "message type " + strconv.Quote(b.TypeNames[e.TypeId]) + " is not linked into this process"
	}
	if e.Target < 0 || int(e.Target) >= len(b.Targets) || b.Targets[e.Target] == nil {
		return "target index out of range"
	}
	if e.Sender < 0 || int(e.Sender) > len(b.Senders) || (e.Sender > 0 && b.Senders[e.Sender-1] == nil) {
		return "sender index out of range"
	}
	if t := b.Targets[e.Target]; t.Address != self {
		return "target address " + strconv.Quote(t.Address) + " is not this node's address " + strconv.Quote(self) + " (dial exactly the address the node advertises)"
	}
	return ""
}

func (g *guardedStream) reject(b *remote.MessageBatch, e *remote.MessageEnvelope, why string) {
	ev := g.log.Warn().Str("component", "remote").Str("op", "receive").Str("reason", why)
	if e != nil && e.Sender > 0 && int(e.Sender) <= len(b.Senders) && b.Senders[e.Sender-1] != nil {
		s := b.Senders[e.Sender-1]
		sender := &actor.PID{Address: s.Address, Id: s.Id, RequestId: e.SenderRequestId}
		ev = ev.Str("sender", sender.Address+"/"+sender.Id)
		var target *actor.PID
		if e.Target >= 0 && int(e.Target) < len(b.Targets) {
			target = b.Targets[e.Target]
		}
		g.system.Root.Send(sender, &actor.DeadLetterResponse{Target: target})
	}
	ev.Msg("dropped a message from a peer")
}
