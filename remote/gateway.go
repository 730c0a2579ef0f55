package remote

import (
	"context"
	"fmt"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	pb "github.com/liteactor/liteactor/remote/remotepb"
	"github.com/ncruces/go-sqlite3"
	"google.golang.org/protobuf/proto"
)

// MaxBatchStatements bounds the statements of one BatchRequest.
const MaxBatchStatements = 10000

// maxKeyLen bounds an idempotency key's id, in bytes.
const maxKeyLen = 128

// gateway is the actor behind the server's PID. It never blocks in
// Receive: each request runs on its own goroutine through the engine's Go
// API (with the request's deadline as ctx), and the reply goes to the
// request's sender.
type gateway struct{ s *Server }

func (g *gateway) Receive(c actor.Context) {
	s := g.s
	switch m := c.Message().(type) {
	case *pb.ExecRequest:
		s.handle(c.Sender(), m, func() proto.Message { return s.exec(m) })
	case *pb.BatchRequest:
		s.handle(c.Sender(), m, func() proto.Message { return s.batch(m) })
	case *pb.QueryRequest:
		s.handle(c.Sender(), m, func() proto.Message { return s.query(m) })
	case *pb.QueryPageRequest:
		s.handle(c.Sender(), m, func() proto.Message { return s.page(m) })
	case *pb.StatsRequest:
		s.handle(c.Sender(), m, func() proto.Message { return s.stats(m) })
	case *pb.CheckpointRequest:
		s.handle(c.Sender(), m, func() proto.Message { return s.checkpoint(m) })
	case *pb.Hello:
		s.handle(c.Sender(), m, func() proto.Message { return s.hello(m) })
	case *pb.CloseCursor:
		s.cur.close(m.GetCursor())
	case actor.SystemMessage, actor.AutoReceiveMessage:
	default:
		s.log.Warn().Str("op", "receive").Str("type", fmt.Sprintf("%T", m)).Msg("gateway: unknown message, ignored")
	}
}

// refusal builds req's reply type carrying e.
func refusal(req proto.Message, e *pb.Error) proto.Message {
	switch m := req.(type) {
	case *pb.ExecRequest:
		return &pb.ExecReply{Id: m.GetId(), Error: e}
	case *pb.BatchRequest:
		return &pb.BatchReply{Id: m.GetId(), Error: e}
	case *pb.QueryRequest:
		return &pb.QueryReply{Id: m.GetId(), Error: e}
	case *pb.QueryPageRequest:
		return &pb.QueryReply{Id: m.GetId(), Error: e}
	case *pb.StatsRequest:
		return &pb.StatsReply{Id: m.GetId(), Error: e}
	case *pb.CheckpointRequest:
		return &pb.CheckpointReply{Id: m.GetId(), Error: e}
	case *pb.Hello:
		return &pb.HelloReply{Id: m.GetId(), Error: e}
	}
	return nil
}

// handle runs one request on its own goroutine and sends its reply, or
// refuses it at once while closing or over MaxInFlight.
func (s *Server) handle(sender *actor.PID, req proto.Message, run func() proto.Message) {
	s.n.requests.Add(1)
	s.mu.Lock()
	var refuse *pb.Error
	switch {
	case s.closing:
		refuse = toProto(gatewayError(pb.ErrorKind_UNAVAILABLE, "the server is closing"))
	case s.inflight.Load() >= int64(s.cfg.MaxInFlight):
		s.n.overloaded.Add(1)
		refuse = toProto(gatewayError(pb.ErrorKind_OVERLOADED, "%d requests in flight (MaxInFlight)", s.cfg.MaxInFlight))
	default:
		s.wg.Add(1)
		s.inflight.Add(1)
	}
	s.mu.Unlock()
	if refuse != nil {
		// The first send to a new peer waits for protoactor to spawn its
		// endpoint: never in Receive.
		go s.reply(sender, refusal(req, refuse))
		return
	}
	go func() {
		defer s.wg.Done()
		defer s.inflight.Add(-1)
		s.reply(sender, run())
	}()
}

func (s *Server) reply(sender *actor.PID, msg proto.Message) {
	if sender == nil {
		s.log.Debug().Str("op", "reply").Str("type", fmt.Sprintf("%T", msg)).Msg("request had no sender; outcome dropped")
		return
	}
	s.mu.Lock()
	s.peers[sender.Address] = struct{}{}
	s.mu.Unlock()
	s.system.Root.Send(sender, msg)
}

// reqCtx is a request's deadline: its timeout from now, or DefaultTimeout,
// at most MaxTimeout.
func (s *Server) reqCtx(timeoutMs int64) (context.Context, context.CancelFunc) {
	d := s.cfg.DefaultTimeout
	if timeoutMs > 0 {
		d = min(time.Duration(timeoutMs)*time.Millisecond, s.cfg.MaxTimeout)
	}
	return context.WithTimeout(context.Background(), d)
}

// checkWrite validates a keyed write before anything runs.
func (s *Server) checkWrite(req proto.Message, key *pb.Key) error {
	if n := proto.Size(req); n > s.cfg.MaxMessageBytes {
		return gatewayError(pb.ErrorKind_TOO_LARGE, "request of %d bytes exceeds MaxMessageBytes %d", n, s.cfg.MaxMessageBytes)
	}
	id := key.GetId()
	if len(id) == 0 || len(id) > maxKeyLen {
		return gatewayError(pb.ErrorKind_INVALID_ARG, "idempotency key id must be 1 to %d bytes, got %d", maxKeyLen, len(id))
	}
	created := key.GetCreatedUnixMs()
	if created <= 0 {
		return gatewayError(pb.ErrorKind_INVALID_ARG, "idempotency key %q has no creation time", id)
	}
	now := time.Now()
	age := now.Sub(time.UnixMilli(created))
	if age < -s.cfg.MaxClockSkew {
		return gatewayError(pb.ErrorKind_INVALID_ARG, "idempotency key %q was created %s in the future (clock skew above MaxClockSkew %s)", id, -age, s.cfg.MaxClockSkew)
	}
	if age > s.cfg.Retention-s.cfg.MaxClockSkew {
		s.n.keysExpired.Add(1)
		return gatewayError(pb.ErrorKind_KEY_EXPIRED, "idempotency key %q is %s old; the retention is %s (minus clock skew %s)", id, age.Round(time.Second), s.cfg.Retention, s.cfg.MaxClockSkew)
	}
	return nil
}

func (s *Server) exec(m *pb.ExecRequest) *pb.ExecReply {
	rep := &pb.ExecReply{Id: m.GetId()}
	if err := s.checkWrite(m, m.GetKey()); err != nil {
		rep.Error = toProto(err)
		return rep
	}
	if m.GetStmt() == nil {
		rep.Error = toProto(gatewayError(pb.ErrorKind_INVALID_ARG, "no statement"))
		return rep
	}
	ctx, cancel := s.reqCtx(m.GetTimeoutMs())
	defer cancel()
	rec, dup, err := s.writeOnce(ctx, m.GetKey().GetId(), []*pb.Statement{m.GetStmt()}, m.GetAttempt())
	if err != nil {
		rep.Error = toProto(err)
		return rep
	}
	rep.Duplicate, rep.Error = dup, rec.GetError()
	if len(rec.GetResults()) > 0 {
		rep.Result = rec.Results[0]
	}
	return rep
}

func (s *Server) batch(m *pb.BatchRequest) *pb.BatchReply {
	rep := &pb.BatchReply{Id: m.GetId()}
	if err := s.checkWrite(m, m.GetKey()); err != nil {
		rep.Error = toProto(err)
		return rep
	}
	if n := len(m.GetStmts()); n == 0 || n > MaxBatchStatements {
		rep.Error = toProto(gatewayError(pb.ErrorKind_INVALID_ARG, "a batch holds 1 to %d statements, got %d", MaxBatchStatements, n))
		return rep
	}
	ctx, cancel := s.reqCtx(m.GetTimeoutMs())
	defer cancel()
	rec, dup, err := s.writeOnce(ctx, m.GetKey().GetId(), m.GetStmts(), m.GetAttempt())
	if err != nil {
		rep.Error = toProto(err)
		return rep
	}
	rep.Duplicate, rep.Error, rep.Results = dup, rec.GetError(), rec.GetResults()
	return rep
}

// flight is a key being applied now; duplicates arriving meanwhile wait
// for its outcome instead of running it again.
type flight struct {
	done chan struct{}
	rec  *pb.BatchReply // set before done closes when the outcome is recorded
}

// writeOnce applies a keyed write at most once: one run per key at a time
// in this process (a duplicate arriving while the first is queued or running
// waits for it), and the record in the database across runs and restarts.
// A duplicate gets the recorded outcome. If the run it waited for ended
// without a recorded outcome (it never ran, or failed transiently), the
// duplicate runs the write itself.
func (s *Server) writeOnce(ctx context.Context, id string, stmts []*pb.Statement, attempt uint32) (*pb.BatchReply, bool, error) {
	for {
		s.flMu.Lock()
		if f := s.flights[id]; f != nil {
			s.flMu.Unlock()
			select {
			case <-f.done:
			case <-ctx.Done():
				// Not DEADLINE: that would tell the client nothing
				// committed, but the earlier send may still commit.
				return nil, false, gatewayError(pb.ErrorKind_UNAVAILABLE, "an earlier send of key %q is still running; send it again", id)
			}
			if f.rec != nil {
				s.n.duplicates.Add(1)
				return f.rec, true, nil
			}
			continue
		}
		f := &flight{done: make(chan struct{})}
		s.flights[id] = f
		s.flMu.Unlock()
		rec, dup, err := s.apply(ctx, id, stmts, attempt)
		if err == nil {
			f.rec = rec
		}
		s.flMu.Lock()
		delete(s.flights, id)
		s.flMu.Unlock()
		close(f.done)
		return rec, dup, err
	}
}

func (s *Server) apply(ctx context.Context, id string, stmts []*pb.Statement, attempt uint32) (*pb.BatchReply, bool, error) {
	if attempt > 1 {
		// A retry: its outcome is probably recorded; a reader can tell
		// without a turn of the writer.
		if rec, found, err := recorded(ctx, s.eng, id); err == nil && found {
			s.n.duplicates.Add(1)
			return rec, true, nil
		}
	}
	out, err := applyKeyed(ctx, s.eng, id, time.Now().UnixMilli(), stmts)
	if err != nil {
		return nil, false, err
	}
	switch {
	case out.duplicate:
		s.n.duplicates.Add(1)
	case out.rec.GetError() != nil:
		s.n.failuresRecorded.Add(1)
	default:
		s.n.applied.Add(1)
	}
	return out.rec, out.duplicate, nil
}

func (s *Server) query(m *pb.QueryRequest) *pb.QueryReply {
	rep := &pb.QueryReply{Id: m.GetId()}
	if n := proto.Size(m); n > s.cfg.MaxMessageBytes {
		rep.Error = toProto(gatewayError(pb.ErrorKind_TOO_LARGE, "request of %d bytes exceeds MaxMessageBytes %d", n, s.cfg.MaxMessageBytes))
		return rep
	}
	if m.GetStmt() == nil {
		rep.Error = toProto(gatewayError(pb.ErrorKind_INVALID_ARG, "no statement"))
		return rep
	}
	ctx, cancel := s.reqCtx(m.GetTimeoutMs())
	defer cancel()
	res, err := s.runQuery(ctx, m)
	if err != nil {
		rep.Error = toProto(err)
		return rep
	}
	rep.Columns, rep.Rows, rep.Pages, rep.Truncated = res.columns, res.pages[0], uint32(len(res.pages)), res.truncated
	if len(res.pages) == 1 {
		s.cur.release(res.sizes[0])
	} else {
		rep.Cursor = s.cur.open(res.columns, res.pages, res.sizes, res.truncated)
	}
	s.n.pages.Add(1)
	return rep
}

func (s *Server) page(m *pb.QueryPageRequest) *pb.QueryReply {
	rep, ok := s.cur.page(m.GetCursor(), int(m.GetPage()))
	if !ok || rep == nil {
		return &pb.QueryReply{Id: m.GetId(), Error: toProto(gatewayError(pb.ErrorKind_CURSOR_EXPIRED, "cursor %q has no page %d (expired, fetched, or the server restarted)", m.GetCursor(), m.GetPage()))}
	}
	rep.Id = m.GetId()
	s.n.pages.Add(1)
	return rep
}

func (s *Server) stats(m *pb.StatsRequest) *pb.StatsReply {
	st := s.eng.Stats()
	return &pb.StatsReply{Id: m.GetId(), Gateway: s.Stats(), Engine: &pb.EngineStats{
		QueueDepth: int64(st.QueueDepth), QueueParked: int64(st.QueueParked), QueueCapacity: int64(st.QueueCapacity),
		Admitted: st.Admitted, Completed: st.Completed, Rejected: st.Rejected, Dropped: st.Dropped, Expired: st.Expired,
		Batches: st.Batches, MeanBatchSize: st.MeanBatchSize,
		ReadersBusy: int64(st.ReadersBusy), ReadersIdle: int64(st.ReadersIdle), ReadsWaiting: int64(st.ReadsWaiting),
		Reads: st.Reads, ReadsExpired: st.ReadsExpired,
		WriterRestarts: st.Restarts.Writer, ReaderRestarts: st.Restarts.Reader,
		WalBytes: st.WAL.Bytes, WalFrames: int64(st.WAL.Frames),
	}}
}

func (s *Server) checkpoint(m *pb.CheckpointRequest) *pb.CheckpointReply {
	ctx, cancel := s.reqCtx(m.GetTimeoutMs())
	defer cancel()
	r, err := s.eng.Checkpoint(ctx, sqlite3.CheckpointMode(m.GetMode()))
	return &pb.CheckpointReply{Id: m.GetId(), Error: toProto(err), LogFrames: int64(r.LogFrames), Checkpointed: int64(r.Checkpointed)}
}

func (s *Server) hello(m *pb.Hello) *pb.HelloReply {
	return &pb.HelloReply{Id: m.GetId(), MaxMessageBytes: int64(s.cfg.MaxMessageBytes),
		RetentionMs: s.cfg.Retention.Milliseconds(), MaxClockSkewMs: s.cfg.MaxClockSkew.Milliseconds()}
}
