package remote

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/liteactor/liteactor"
	"github.com/liteactor/liteactor/remote/devcert"
	pb "github.com/liteactor/liteactor/remote/remotepb"
	"github.com/ncruces/go-sqlite3"
	"go.uber.org/goleak"
)

func bg(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func dial(t testing.TB, addr string, cfg ClientConfig) *Client {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c, err := Dial(ctx, addr, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := c.Close(ctx); err != nil {
			t.Errorf("client Close: %v", err)
		}
	})
	return c
}

// setup runs a server child and connects a client to it.
func setup(t testing.TB, o childOpts) (*proc, *Client) {
	t.Helper()
	if o.Certs == "" {
		o.Certs = writeCerts(t)
	}
	srv := startServer(t, o)
	return srv, dial(t, srv.addr, clientTLS(t, o.Certs))
}

func mustExec(t testing.TB, c *Client, sql string, args ...any) liteactor.Result {
	t.Helper()
	r, err := c.Exec(bg(t), sql, args...)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return r
}

func count(t testing.TB, srv *proc, sql string) int64 {
	t.Helper()
	l := srv.do("count " + sql)
	n, err := strconv.ParseInt(l, 10, 64)
	if err != nil {
		t.Fatalf("count %s: %s", sql, l)
	}
	return n
}

func gwStats(t testing.TB, srv *proc) *pb.GatewayStats {
	t.Helper()
	var st pb.GatewayStats
	if err := json.Unmarshal([]byte(srv.do("stats")), &st); err != nil {
		t.Fatal(err)
	}
	return &st
}

func expect(t testing.TB, srv *proc, cmd, want string) {
	t.Helper()
	if got := srv.do(cmd); got != want {
		t.Fatalf("%s: %s, want %s", cmd, got, want)
	}
}

// Values of every wire kind survive the round trip; Batch is atomic and
// names its failing statement; errors keep their sentinels and SQLite codes.
func TestRoundTripAndErrors(t *testing.T) {
	if isolated(t) {
		return
	}
	srv, c := setup(t, childOpts{})
	ctx := bg(t)
	mustExec(t, c, "CREATE TABLE t(id INTEGER PRIMARY KEY, i INTEGER, f REAL, s TEXT, b BLOB, n)")
	when := time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)
	type named int16
	r := mustExec(t, c, "INSERT INTO t(i, f, s, b, n) VALUES (?, ?, ?, ?, ?)", named(-7), 2.5, "héllo", []byte{0, 1, 2}, nil)
	if r.RowsAffected != 1 || r.LastInsertID != 1 {
		t.Fatalf("result %+v", r)
	}
	mustExec(t, c, "INSERT INTO t(i, s, b) VALUES (?, ?, ?)", true, when, []byte{})
	rows, err := c.Query(ctx, "SELECT i, f, s, b, n FROM t ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(rows.Columns, ",") != "i,f,s,b,n" || len(rows.Values) != 2 {
		t.Fatalf("rows %+v", rows)
	}
	v := rows.Values[0]
	if v[0] != int64(-7) || v[1] != 2.5 || v[2] != "héllo" || !bytes.Equal(v[3].([]byte), []byte{0, 1, 2}) || v[4] != nil {
		t.Fatalf("row 0 %#v", v)
	}
	v = rows.Values[1]
	if v[0] != int64(1) || v[2] != when.Format(liteactor.TimeLayout) || len(v[3].([]byte)) != 0 {
		t.Fatalf("row 1 %#v", v)
	}

	res, err := c.Batch(ctx, []Statement{
		{SQL: "INSERT INTO t(id, i) VALUES (10, 1)"},
		{SQL: "UPDATE t SET i = i + ? WHERE id = 10", Args: []any{41}},
	})
	if err != nil || len(res) != 2 || res[0].LastInsertID != 10 || res[1].RowsAffected != 1 {
		t.Fatalf("batch %+v %v", res, err)
	}
	// A failing statement rolls the whole batch back.
	_, err = c.Batch(ctx, []Statement{
		{SQL: "INSERT INTO t(id, i) VALUES (11, 1)"},
		{SQL: "INSERT INTO t(id, i) VALUES (10, 1)"},
	})
	var re *Error
	if !errors.Is(err, sqlite3.CONSTRAINT) || !errors.Is(err, sqlite3.CONSTRAINT_PRIMARYKEY) || !errors.As(err, &re) || re.Statement != 1 {
		t.Fatalf("batch with a duplicate id: %v", err)
	}
	if n := count(t, srv, "SELECT count(*) FROM t WHERE id = 11"); n != 0 {
		t.Fatalf("failed batch left %d rows", n)
	}
	// Misuse: transaction control, arguments of a bad type or count, a
	// write on the read path, a bad checkpoint mode.
	for _, m := range []struct {
		sql  string
		args []any
		want error
	}{
		{"BEGIN", nil, liteactor.ErrInvalidArg},
		{"/* x */ savepoint a", nil, liteactor.ErrInvalidArg},
		{"INSERT INTO t(i) VALUES (?)", []any{struct{}{}}, liteactor.ErrInvalidArg},
		{"INSERT INTO t(i) VALUES (?)", []any{uint64(1 << 63)}, liteactor.ErrInvalidArg},
		{"INSERT INTO t(i) VALUES (?)", []any{1, 2}, liteactor.ErrInvalidArg},
		{"INSERT INTO t(i) VALUES (?); INSERT INTO t(i) VALUES (?)", []any{1}, liteactor.ErrInvalidArg},
		{"", nil, liteactor.ErrInvalidArg},
		{"INSERT INTO nope VALUES (1)", nil, sqlite3.ERROR},
	} {
		if _, err := c.Exec(ctx, m.sql, m.args...); !errors.Is(err, m.want) {
			t.Errorf("Exec(%q, %v): %v, want %v", m.sql, m.args, err, m.want)
		}
	}
	if _, err := c.Query(ctx, "DELETE FROM t"); !errors.Is(err, sqlite3.READONLY) {
		t.Fatalf("write in Query: %v", err)
	}
	if _, err := c.Query(ctx, "SELECT 1; SELECT 2"); !errors.Is(err, liteactor.ErrInvalidArg) {
		t.Fatalf("two queries: %v", err)
	}
	if _, err := c.Batch(ctx, nil); !errors.Is(err, liteactor.ErrInvalidArg) {
		t.Fatalf("empty batch: %v", err)
	}
	if _, err := c.Exec(ctx, "SELECT ?", make([]byte, 2<<20)); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("2 MiB argument: %v", err)
	}
	if _, err := c.Checkpoint(ctx, sqlite3.CHECKPOINT_RESTART); !errors.Is(err, liteactor.ErrInvalidArg) {
		t.Fatalf("RESTART: %v", err)
	}
	if _, err := c.Checkpoint(ctx, sqlite3.CHECKPOINT_TRUNCATE); err != nil {
		t.Fatal(err)
	}
	st, err := c.Stats(ctx)
	if err != nil || st.GetEngine().GetAdmitted() == 0 || st.GetGateway().GetRequests() == 0 {
		t.Fatalf("stats %v %v", st, err)
	}
	if n := count(t, srv, "SELECT count(*) FROM t"); n != 3 {
		t.Fatalf("%d rows, want 3", n)
	}
}

// A key runs once: a retry, and duplicates sent concurrently while the
// first is queued, get the recorded outcome.
func TestExactlyOncePerKey(t *testing.T) {
	if isolated(t) {
		return
	}
	srv, c := setup(t, childOpts{Schema: "CREATE TABLE t(id INTEGER PRIMARY KEY, k TEXT)"})
	key := NewKey()
	r1, err := c.ExecKey(bg(t), key, "INSERT INTO t(k) VALUES (?)", key.ID)
	if err != nil {
		t.Fatal(err)
	}
	r2, err := c.ExecKey(bg(t), key, "INSERT INTO t(k) VALUES (?)", key.ID)
	if err != nil || r2 != r1 {
		t.Fatalf("retry: %+v %v, first %+v", r2, err, r1)
	}
	if d := c.Counters().Duplicates; d != 1 {
		t.Fatalf("duplicates %d", d)
	}
	// Hold the writer so that concurrent duplicates meet while the first
	// is queued.
	expect(t, srv, "hold", "held")
	k2 := NewKey()
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for range 16 {
		wg.Go(func() {
			_, err := c.BatchKey(bg(t), k2, []Statement{{SQL: "INSERT INTO t(k) VALUES (?)", Args: []any{k2.ID}}})
			errs <- err
		})
	}
	expect(t, srv, "inflight 16", "ok")
	expect(t, srv, "release", "released")
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := count(t, srv, "SELECT count(*) FROM t WHERE k = '"+k2.ID+"'"); n != 1 {
		t.Fatalf("key applied %d times", n)
	}
	if st := gwStats(t, srv); st.Duplicates < 16 || st.WritesApplied != 2 {
		t.Fatalf("gateway stats %+v: want 16 duplicates, 2 applied", st)
	}
}

// A write that failed on its SQL is recorded: its retry gets the same
// error even once the conflict is gone, and nothing runs twice.
func TestFailedWriteIsRecorded(t *testing.T) {
	if isolated(t) {
		return
	}
	srv, c := setup(t, childOpts{Schema: "CREATE TABLE t(id INTEGER PRIMARY KEY); INSERT INTO t VALUES (1)"})
	key := NewKey()
	if _, err := c.ExecKey(bg(t), key, "INSERT INTO t(id) VALUES (1)"); !errors.Is(err, sqlite3.CONSTRAINT) {
		t.Fatalf("first: %v", err)
	}
	mustExec(t, c, "DELETE FROM t")
	if _, err := c.ExecKey(bg(t), key, "INSERT INTO t(id) VALUES (1)"); !errors.Is(err, sqlite3.CONSTRAINT) {
		t.Fatalf("retry after the conflict went: %v (want the recorded CONSTRAINT)", err)
	}
	if n := count(t, srv, "SELECT count(*) FROM t"); n != 0 {
		t.Fatalf("%d rows", n)
	}
	if st := gwStats(t, srv); st.FailuresRecorded != 1 || st.Duplicates != 1 {
		t.Fatalf("stats %+v", st)
	}
}

// A key older than the retention is refused and never runs; expired
// records are deleted by the cleanup, after which the same key is refused
// rather than run again.
func TestKeyRetention(t *testing.T) {
	if isolated(t) {
		return
	}
	srv, c := setup(t, childOpts{Schema: "CREATE TABLE t(k TEXT)",
		Server: ServerConfig{Retention: 2 * time.Second, MaxClockSkew: 500 * time.Millisecond, CleanupInterval: 50 * time.Millisecond}})
	old := Key{ID: "old", Created: time.Now().Add(-time.Hour)}
	if _, err := c.ExecKey(bg(t), old, "INSERT INTO t VALUES ('old')"); !errors.Is(err, ErrKeyExpired) {
		t.Fatalf("old key: %v", err)
	}
	future := Key{ID: "future", Created: time.Now().Add(time.Hour)}
	if _, err := c.ExecKey(bg(t), future, "INSERT INTO t VALUES ('future')"); !errors.Is(err, liteactor.ErrInvalidArg) {
		t.Fatalf("future key: %v", err)
	}
	key := NewKey()
	if _, err := c.ExecKey(bg(t), key, "INSERT INTO t VALUES (?)", key.ID); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for count(t, srv, "SELECT count(*) FROM "+KeysTable+" WHERE key = '"+key.ID+"'") != 0 {
		if time.Now().After(deadline) {
			t.Fatal("the key's record was never deleted")
		}
		time.Sleep(20 * time.Millisecond) // poll with a deadline
	}
	if _, err := c.ExecKey(bg(t), key, "INSERT INTO t VALUES (?)", key.ID); !errors.Is(err, ErrKeyExpired) {
		t.Fatalf("resend after retention: %v", err)
	}
	if n := count(t, srv, "SELECT count(*) FROM t"); n != 1 {
		t.Fatalf("%d rows, want 1", n)
	}
	if st := gwStats(t, srv); st.KeysDeleted < 1 || st.KeysExpired != 2 {
		t.Fatalf("stats %+v", st)
	}
}

const bigSchema = "CREATE TABLE big(id INTEGER PRIMARY KEY, b BLOB);" +
	"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i < 600) INSERT INTO big SELECT i, randomblob(10240) FROM n"

// A result larger than gRPC's 4 MiB message arrives in pages of at most
// MaxMessageBytes, all from one snapshot.
func TestLargeResultIsPaged(t *testing.T) {
	if isolated(t) {
		return
	}
	srv, c := setup(t, childOpts{Schema: bigSchema})
	got, err := c.Query(bg(t), "SELECT id, b FROM big ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Values) != 600 {
		t.Fatalf("%d rows", len(got.Values))
	}
	for i, r := range got.Values {
		if r[0] != int64(i+1) || len(r[1].([]byte)) != 10240 {
			t.Fatalf("row %d: id %v, %d bytes", i, r[0], len(r[1].([]byte)))
		}
	}
	if p := c.Counters().Pages; p < 6 {
		t.Fatalf("%d pages for 6 MiB", p)
	}
	if st := gwStats(t, srv); st.CursorsOpen != 0 || st.CursorBytes != 0 || st.Pages < 6 {
		t.Fatalf("gateway stats %+v", st)
	}
}

// A result above MaxResultBytes is refused, not truncated silently.
func TestResultTooLarge(t *testing.T) {
	if isolated(t) {
		return
	}
	_, c := setup(t, childOpts{Schema: bigSchema, Server: ServerConfig{MaxResultBytes: 1 << 20}})
	if _, err := c.Query(bg(t), "SELECT b FROM big"); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("over MaxResultBytes: %v", err)
	}
	rows, err := c.Query(bg(t), "SELECT id FROM big")
	if err != nil || len(rows.Values) != 600 {
		t.Fatalf("small query after: %v", err)
	}
}

// The engine's overflow policy applies to remote writes: ErrQueueFull
// reaches the client as such.
func TestQueueFullReachesClient(t *testing.T) {
	if isolated(t) {
		return
	}
	srv, c := setup(t, childOpts{RejectQueue: true, Schema: "CREATE TABLE t(x)"})
	expect(t, srv, "hold", "held")
	expect(t, srv, "fill", "ok") // the queue's one slot
	_, err := c.Exec(bg(t), "INSERT INTO t VALUES (1)")
	expect(t, srv, "release", "released")
	if !errors.Is(err, liteactor.ErrQueueFull) {
		t.Fatalf("want ErrQueueFull, got %v", err)
	}
	if n := count(t, srv, "SELECT count(*) FROM t"); n != 0 {
		t.Fatalf("refused write ran: %d rows", n)
	}
}

// A request whose deadline passes at the gateway while it is queued never
// runs, even after the writer frees up, and its caller sees the deadline.
// (When the gateway's answer "deadline passed, nothing ran" beats the
// client's own deadline depends on scheduling, so the test does not ask
// which of the two the caller got.)
func TestDeadlineAtGateway(t *testing.T) {
	if isolated(t) {
		return
	}
	srv, c := setup(t, childOpts{Schema: "CREATE TABLE t(x)"})
	expect(t, srv, "hold", "held")
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	_, err := c.Exec(ctx, "INSERT INTO t VALUES (1)")
	cancel()
	expect(t, srv, "release", "released")
	// Whether the gateway's deadline answer or the client's own deadline
	// comes first is a matter of scheduling (the gateway gets 90% of the
	// time); either way the caller sees the deadline.
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("want a deadline error, got %v", err)
	}
	// A later write passes the same FIFO admission queue: once it has
	// committed, the expired one has either run or been dropped for good.
	ctx, cancel = context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := c.Exec(ctx, "INSERT INTO t VALUES (2)"); err != nil {
		t.Fatal(err)
	}
	if n := count(t, srv, "SELECT count(*) FROM t WHERE x = 1"); n != 0 {
		t.Fatalf("expired write ran: %d rows", n)
	}
}

// Peers without a certificate from the server's CA are refused in the
// handshake; configs without mutual TLS are refused.
func TestUntrustedPeersRefused(t *testing.T) {
	if isolated(t) {
		return
	}
	srv := startServer(t, childOpts{Certs: writeCerts(t)})
	rogueCA, err := devcert.NewCA("rogue", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	rogue, err := rogueCA.TLS("rogue", "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := Dial(ctx, srv.addr, ClientConfig{TLS: rogue, ListenAddr: "127.0.0.1:0"}); !errors.Is(err, ErrAuth) {
		t.Fatalf("client with a rogue CA's certificate: %v", err)
	}
	noCert := rogue.Clone()
	noCert.Certificates = nil
	for _, tc := range []*tls.Config{nil, noCert, {Certificates: rogue.Certificates}, {Certificates: rogue.Certificates, RootCAs: rogue.RootCAs, InsecureSkipVerify: true}} {
		if _, err := Dial(ctx, srv.addr, ClientConfig{TLS: tc}); !errors.Is(err, ErrInvalidConfig) {
			t.Fatalf("client TLS %v: %v", tc, err)
		}
	}
	if st := gwStats(t, srv); st.Requests != 0 {
		t.Fatalf("a refused peer reached the gateway: %+v", st)
	}
}

// A port in use is an error, not protoactor's panic; bad configs are
// refused; the engine can serve elsewhere afterwards.
func TestListenFailureAndConfig(t *testing.T) {
	if isolated(t) {
		return
	}
	certs := writeCerts(t)
	base, err := loadCerts(certs)
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	eng, err := liteactor.Open(bg(t), filepath.Join(t.TempDir(), "db"), liteactor.MinimalConfig())
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close(context.Background())
	if _, err := Serve(bg(t), eng, ServerConfig{TLS: base.TLS, Addr: l.Addr().String()}); !errors.Is(err, ErrListen) {
		t.Fatalf("want ErrListen, got %v", err)
	}
	for _, cfg := range []ServerConfig{
		{},
		{TLS: base.TLS, Retention: -1},
		{TLS: base.TLS, Retention: time.Minute, MaxClockSkew: time.Minute},
		{TLS: base.TLS, MaxMessageBytes: 1 << 10},
		{TLS: base.TLS, Addr: "nonsense"},
	} {
		if _, err := Serve(bg(t), eng, cfg); !errors.Is(err, ErrInvalidConfig) {
			t.Errorf("Serve(%+v): %v, want ErrInvalidConfig", cfg, err)
		}
	}
	if _, err := Serve(bg(t), nil, ServerConfig{TLS: base.TLS}); !errors.Is(err, ErrInvalidConfig) {
		t.Fatalf("nil engine: %v", err)
	}
	ignore := goleak.IgnoreCurrent()
	s, err := Serve(bg(t), eng, ServerConfig{TLS: base.TLS})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(bg(t)); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(bg(t)); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if err := goleak.Find(ignore); err != nil {
		t.Fatalf("goroutines left by the server: %v", err)
	}
}

// Close drains: requests already received run and are answered; new ones
// are refused as unavailable.
func TestCloseDrains(t *testing.T) {
	if isolated(t) {
		return
	}
	srv, c := setup(t, childOpts{Schema: "CREATE TABLE t(x)"})
	expect(t, srv, "hold", "held")
	const n = 32
	errs := make(chan error, n)
	for i := range n {
		go func() { _, err := c.Exec(bg(t), "INSERT INTO t VALUES (?)", i); errs <- err }()
	}
	expect(t, srv, "depth "+strconv.Itoa(n), "ok")
	expect(t, srv, "close", "ok")
	expect(t, srv, "release", "released")
	for range n {
		if err := <-errs; err != nil {
			t.Fatalf("a request received before Close: %v", err)
		}
	}
	expect(t, srv, "closed", "closed <nil>")
	if got := count(t, srv, "SELECT count(*) FROM t"); got != n {
		t.Fatalf("%d rows, want %d", got, n)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	if _, err := c.Exec(ctx, "INSERT INTO t VALUES (-1)"); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("after Close: %v", err)
	}
}

// A client that names the server by another address than the one the
// server advertises is told so (protoactor would forward the messages to
// itself forever).
func TestWrongAddressIsRefused(t *testing.T) {
	if isolated(t) {
		return
	}
	certs := writeCerts(t)
	srv := startServer(t, childOpts{Certs: certs})
	_, port, _ := net.SplitHostPort(srv.addr)
	cfg := clientTLS(t, certs)
	cfg.DialTimeout = time.Second
	_, err := Dial(bg(t), "localhost:"+port, cfg)
	if !errors.Is(err, ErrUnavailable) || !strings.Contains(err.Error(), "dead letter") {
		t.Fatalf("dial by another name: %v", err)
	}
	if st := gwStats(t, srv); st.Requests != 0 {
		t.Fatalf("stats %+v", st)
	}
}
