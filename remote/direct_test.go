package remote

import (
	"context"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	pb "github.com/liteactor/liteactor/remote/remotepb"
	"github.com/liteactor/liteactor/supervisor"
	"github.com/rs/zerolog"
)

// An actor system on another host talks to the gateway with the protobuf
// messages alone: a keyed ExecRequest sent twice runs once, and a Query
// comes back as a QueryReply.
func TestDirectActorMessages(t *testing.T) {
	if isolated(t) {
		return
	}
	certs := writeCerts(t)
	srv := startServer(t, childOpts{Certs: certs, Schema: "CREATE TABLE t(k TEXT)"})
	base, err := loadCerts(certs)
	if err != nil {
		t.Fatal(err)
	}
	system := supervisor.NewActorSystem(zerolog.Nop())
	r, err := startRemote(system, transportConfig{addr: "127.0.0.1:0", tls: base.TLS, maxMessage: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	defer stopRemote(context.Background(), system, r)
	gw := actor.NewPID(srv.addr, DefaultGatewayName)
	key := &pb.Key{Id: "direct-1", CreatedUnixMs: time.Now().UnixMilli()}
	req := &pb.ExecRequest{Id: 7, Key: key, TimeoutMs: 5000, Stmt: &pb.Statement{
		Sql: "INSERT INTO t VALUES (?)", Args: []*pb.Value{{Kind: &pb.Value_Text{Text: "direct"}}}}}
	for i, wantDup := range []bool{false, true} {
		req.Attempt = uint32(i + 1)
		res, err := system.Root.RequestFuture(gw, req, 10*time.Second).Result()
		if err != nil {
			t.Fatal(err)
		}
		rep, ok := res.(*pb.ExecReply)
		if !ok || rep.GetId() != 7 || rep.GetError() != nil || rep.GetResult().GetRowsAffected() != 1 || rep.GetDuplicate() != wantDup {
			t.Fatalf("send %d: %T %v", i+1, res, res)
		}
	}
	res, err := system.Root.RequestFuture(gw, &pb.QueryRequest{Id: 8, Stmt: &pb.Statement{Sql: "SELECT k, count(*) FROM t"}}, 10*time.Second).Result()
	if err != nil {
		t.Fatal(err)
	}
	q, ok := res.(*pb.QueryReply)
	if !ok || q.GetError() != nil || len(q.GetRows()) != 1 || q.GetRows()[0].GetValues()[1].GetInt() != 1 || q.GetPages() != 1 {
		t.Fatalf("query: %T %v", res, res)
	}
}
